import { describe, expect, it } from 'vitest';
import type { HardenedVaultPolicy, Plan } from '../types.ts';
import { facts, KIND_AUDIENCE, plan } from './fixtures.ts';
import { predict } from './predict.ts';
import { renderExplanation } from './explain.ts';
import { ACL_PERMISSION_DENIED, aclDecision, aclListMatching, globMatches, issuerPolicyName, valueAllowed } from './vault-policy.ts';

const ARTICLE: HardenedVaultPolicy = { kind: 'hardened', allowedParameters: { common_name: ['*.example.com'] }, requiredParameters: ['common_name'], deniedParameters: {}, paths: ['sign', 'issue'] };
const WITH_REST: HardenedVaultPolicy = { ...ARTICLE, allowedParameters: { common_name: ['*.example.com'], alt_names: ['*.example.com'], '*': [] } };

function hardened(policy: HardenedVaultPolicy, commonName: string, o: { version?: string; dnsNames?: string[] } = {}): Plan {
  const p = plan({ id: 'policy-fixture', issuer: { audiences: [KIND_AUDIENCE] } });
  return { ...p, vault: { ...p.vault, version: o.version ?? p.vault.version, policy }, certificate: { commonName, dnsNames: o.dnsNames ?? [commonName], ipAddresses: [], uriSANs: [] } };
}

describe('GlobbedStringsMatch', () => {
  it('takes one leading and/or trailing star; a lone star matches only itself', () => {
    expect(globMatches('*.example.com', 'app.example.com')).toBe(true);
    expect(globMatches('*.example.com', 'a.b.example.com')).toBe(true);
    expect(globMatches('*.example.com', 'example.com')).toBe(false);
    expect(globMatches('app-*', 'app-1')).toBe(true);
    expect(globMatches('*mid*', 'xmidy')).toBe(true);
    expect(globMatches('*', 'anything')).toBe(false);
    expect(globMatches('*', '*')).toBe(true);
  });
});

describe('allowed values', () => {
  it('since 1.21 a comma list passes when every element does, and "" passes vacuously', () => {
    expect(valueAllowed(['*.example.com'], 'a.example.com,b.example.com', true)).toBe(true);
    expect(valueAllowed(['*.example.com'], 'a.example.com,b.evil.test', true)).toBe(false);
    // The whole string is tried first: a foreign name listed before an allowed one passes a suffix glob.
    expect(valueAllowed(['*.example.com'], 'b.evil.test,a.example.com', true)).toBe(true);
    expect(valueAllowed(['*.example.com'], '', true)).toBe(true);
    expect(valueAllowed(['*.example.com'], '', false)).toBe(false);
    expect(valueAllowed([], 'anything', false)).toBe(true);
  });
});

describe('the sign request against a hardened policy', () => {
  it('the article policy refuses every request: cert-manager also sends csr, alt_names, ttl…', () => {
    const p = hardened(ARTICLE, 'app.example.com');
    const result = predict(p, facts(p));
    expect(result.issuer?.status).toBe('True');
    expect(result.ready).toBe(false);
    expect(result.failure).toBe('vault-policy-denied');
    expect(result.sign?.certificateRequest).toEqual({
      status: 'False',
      reason: 'Failed',
      message:
        'Vault failed to sign certificate: failed to sign certificate by vault: Error making API request.\n\n' +
        `URL: POST ${facts(p).vaultServer}/v1/pki/sign/cm-vault-e2e\nCode: 403. Errors:\n\n* ${ACL_PERMISSION_DENIED}`,
    });
    const step = result.steps.find((s) => s.step === 'Vault policy');
    expect(step?.detail).toContain('cert-manager sends "alt_names"');
    expect(step?.source).toContain('hashicorp/vault@v1.21.0 vault/acl.go#ACL.AllowOperation');
    expect(result.audit?.sign).toEqual({ path: 'pki/sign/cm-vault-e2e', error: ACL_PERMISSION_DENIED });
  });

  it('with "*" for the rest, an allowed CN is issued and a foreign one refused', () => {
    const ok = hardened(WITH_REST, 'app.example.com');
    const okResult = predict(ok, facts(ok));
    expect(okResult.ready).toBe(true);
    expect(okResult.sign).toEqual({ allowed: true, certificateRequest: { status: 'True', reason: 'Issued', message: 'Certificate fetched from issuer successfully' }, signed: { commonName: 'app.example.com', sans: ['DNS:app.example.com'] } });
    expect(okResult.audit?.login?.policies).toEqual([issuerPolicyName(ok)]);
    const bad = hardened(WITH_REST, 'app.other.test');
    expect(predict(bad, facts(bad)).failure).toBe('vault-policy-denied');
  });

  it('a second, foreign DNS name is refused through alt_names', () => {
    expect(aclDecision(WITH_REST, [['common_name', 'app.example.com'], ['alt_names', 'app.example.com,evil.test']], true).allowed).toBe(false);
  });

  it('a policy on issue only gives no capability on sign', () => {
    const p = hardened({ ...WITH_REST, paths: ['issue'] }, 'app.example.com');
    expect(predict(p, facts(p)).steps.find((s) => s.step === 'Vault policy')?.detail).toContain('no capability on pki/sign/cm-vault-e2e');
  });

  it('a required parameter cert-manager never sends refuses every request', () => {
    expect(aclDecision({ ...WITH_REST, requiredParameters: ['format'] }, [['common_name', 'a.example.com']], true)).toMatchObject({ allowed: false });
  });

  it('the default policy allows any names and names the shared policy', () => {
    const p = plan({ issuer: { audiences: [KIND_AUDIENCE] } });
    const result = predict(p, facts(p));
    expect(result.sign?.allowed).toBe(true);
    expect(result.audit?.login?.policies).toEqual(['cm-vault-e2e-issuer']);
  });

  it('a refused login predicts its error in the audit log and no sign', () => {
    const p = plan({ issuer: { audiences: undefined } });
    const result = predict(p, facts(p));
    expect(result.sign).toBeUndefined();
    expect(result.audit?.login).toEqual({ path: 'auth/kubernetes/login', error: 'permission denied' });
  });

  it('explain of a refused scenario shows the policy step with its source, and the CertificateRequest text', () => {
    const p = hardened(ARTICLE, 'app.example.com');
    const text = renderExplanation(p, predict(p, facts(p)));
    expect(text).toMatch(/\d+\. Vault policy\n   hardened policy \(paths sign\+issue, required_parameters \["common_name"\], allowed_parameters \{common_name=\["\*\.example\.com"\]\}\)/);
    expect(text).toContain('source: hashicorp/vault@v1.21.0 vault/acl.go#ACL.AllowOperation');
    expect(text).toContain('CertificateRequest Ready=False, reason Failed, message:');
    expect(text).toContain('Vault audit log');
  });
});

describe('OpenBao', () => {
  it('matches each value whole in every release (its ACL forked before Vault 1.21), citing its own ACL', () => {
    expect(aclListMatching({ engine: 'openbao', version: 'v2.7.2' })).toBe(false);
    expect(aclListMatching({ engine: 'vault', version: 'v1.21.0' })).toBe(true);
    expect(aclListMatching({ engine: 'vault', version: 'v1.19.0' })).toBe(false);
    const v = hardened(WITH_REST, 'app.example.com', { dnsNames: ['app.example.com', 'evil.other.test'] });
    const p = { ...v, vault: { ...v.vault, engine: 'openbao' as const, version: 'v2.6.2' } };
    const prediction = predict(p, facts(p));
    expect(prediction.failure).toBe('vault-policy-denied');
    const step = prediction.steps.find((s) => s.step === 'Vault policy')!;
    expect(step.detail).toMatch(/OpenBao v2\.6\.2 matches each value whole/);
    expect(step.source).toContain('openbao/openbao@v2.6.2 vault/policy/acl.go#ACL.AllowOperation');
    expect(step.source).not.toContain('hashicorp/vault@');
    expect(prediction.steps.find((s) => s.step === 'Vault audit log')!.source).toContain('openbao/openbao@v2.6.2 vault/audit.go#Core.handleAuditLogSetup');
  });
});
