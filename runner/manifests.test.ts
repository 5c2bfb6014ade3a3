import { describe, expect, it } from 'vitest';
import { loadPlans } from '../scenarios/plan.ts';
import { certificateObject } from './manifests.ts';

describe('certificateObject', () => {
  it("keeps commonName within the 64 bytes cert-manager's webhook allows, for every catalogue scenario", () => {
    for (const plan of loadPlans()) {
      const cert = certificateObject(plan, 'team-a', 'probe-0123456789') as unknown as { spec: { commonName: string; dnsNames: string[] } };
      expect(Buffer.byteLength(cert.spec.commonName), plan.id).toBeLessThanOrEqual(64);
      expect(cert.spec.dnsNames).toEqual(plan.certificate?.dnsNames ?? [cert.spec.commonName]);
    }
  });
});
