import { describe, expect, it } from 'vitest';
import { predict } from './index.ts';
import { facts, plan } from './fixtures.ts';

describe('CRD field availability: serviceAccountRef.audiences', () => {
  it('cert-manager v1.14.7 refuses an Issuer that sets it (strict field validation)', () => {
    const p = plan({ certManager: 'v1.14.7', issuer: { audiences: ['https://kubernetes.default.svc.cluster.local'] } });
    const result = predict(p, facts(p));
    expect(result.ready).toBe(false);
    expect(result.failure).toBe('crd-unknown-field');
    expect(result.issuer).toBeNull();
    expect(result.rejection?.message).toBe(
      'Issuer in version "v1" cannot be handled as a Issuer: strict decoding error: unknown field "spec.vault.auth.kubernetes.serviceAccountRef.audiences"',
    );
    expect(result.steps.map((s) => s.step)).toEqual(['CRD schema', 'Vault audit log']);
    expect(result.audit).toEqual({ login: null });
    expect(result.steps[0]?.source).toContain('cert-manager/cert-manager@v1.14.7 pkg/apis/certmanager/v1/types_issuer.go#ServiceAccountRef');
  });

  it('names the ClusterIssuer kind for a ClusterIssuer', () => {
    const p = plan({ certManager: 'v1.14.7', issuer: { kind: 'ClusterIssuer', audiences: ['a'] } });
    expect(predict(p, facts(p)).rejection?.message).toBe(
      'ClusterIssuer in version "v1" cannot be handled as a ClusterIssuer: strict decoding error: unknown field "spec.vault.auth.kubernetes.serviceAccountRef.audiences"',
    );
  });

  it('an empty list is still the field', () => {
    const p = plan({ certManager: 'v1.14.7', issuer: { audiences: [] } });
    expect(predict(p, facts(p)).failure).toBe('crd-unknown-field');
  });

  it('v1.14.7 without the field is accepted (and reaches Vault)', () => {
    const p = plan({ certManager: 'v1.14.7' });
    const result = predict(p, facts(p));
    expect(result.rejection).toBeUndefined();
    expect(result.issuer).not.toBeNull();
    expect(result.steps.map((s) => s.step)).not.toContain('CRD schema');
  });

  it('v1.15.5 accepts the field', () => {
    const p = plan({ certManager: 'v1.15.5', issuer: { audiences: ['a'] } });
    const result = predict(p, facts(p));
    expect(result.rejection).toBeUndefined();
    expect(result.steps[0]).toMatchObject({ step: 'CRD schema', source: 'cert-manager/cert-manager@v1.15.5 pkg/apis/certmanager/v1/types_issuer.go#ServiceAccountRef.TokenAudiences' });
  });
});
