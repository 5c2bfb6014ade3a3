import { describe, expect, it } from 'vitest';
import { loadPlans } from '../scenarios/plan.ts';
import { certificateObject } from './manifests.ts';

describe('certificateObject', () => {
  it("keeps commonName within the 64 bytes cert-manager's webhook allows, for every catalogue scenario", () => {
    for (const plan of loadPlans()) {
      const cert = certificateObject(plan, 'team-a', 'probe-0123456789') as unknown as { spec: { commonName?: string; dnsNames?: string[] } };
      expect(Buffer.byteLength(cert.spec.commonName ?? ''), plan.id).toBeLessThanOrEqual(64);
      expect(cert.spec.commonName, plan.id).toBe(plan.certificate ? plan.certificate.commonName : cert.spec.dnsNames?.[0]);
      expect(cert.spec.dnsNames, plan.id).toEqual(plan.certificate?.dnsNames ?? [cert.spec.commonName]);
    }
  });
});

describe('certificateObject names', () => {
  it('a CN-less Certificate has no commonName field; IPs and URIs go to ipAddresses and uris', () => {
    const plan = { ...loadPlans()[0]!, certificate: { dnsNames: ['evil.other.test'], ipAddresses: ['192.0.2.10'], uriSANs: ['spiffe://example.com/app'] } };
    const spec = (certificateObject(plan, 'team-a', 'probe-0123456789') as unknown as { spec: Record<string, unknown> }).spec;
    expect(spec).not.toHaveProperty('commonName');
    expect(spec).toMatchObject({ dnsNames: ['evil.other.test'], ipAddresses: ['192.0.2.10'], uris: ['spiffe://example.com/app'] });
  });
});
