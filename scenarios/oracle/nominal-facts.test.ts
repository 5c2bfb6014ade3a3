import { describe, expect, it } from 'vitest';
import { nominalFacts } from '../facts.ts';
import { plan } from './fixtures.ts';

describe('nominalFacts', () => {
  it('places Vault in the cluster at its Service address', () => {
    expect(nominalFacts(plan({ placement: 'in-cluster' })).vaultServer).toBe('https://vault.vault.svc:8200');
  });

  it('places an external Vault on loopback', () => {
    expect(nominalFacts(plan({ placement: 'external' })).vaultServer).toBe('https://127.0.0.1:8200');
  });

  it("takes the cluster's audiences and issuer from the profile", () => {
    const p = plan({ profile: 'eks-like' });
    const f = nominalFacts(p);
    expect(f.clusterResourceNamespace).toBe('cert-manager');
    expect(f.apiAudiences).toEqual(p.profile.apiAudiences);
    expect(f.apiAudiences).not.toBe(p.profile.apiAudiences);
    expect(f.serviceAccountIssuer).toBe(p.profile.serviceAccountIssuer);
  });
});
