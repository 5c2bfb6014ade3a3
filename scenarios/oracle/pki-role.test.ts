import { describe, expect, it } from 'vitest';
import { DEFAULT_PKI_ROLE_SPEC, resolvePkiRole } from '../pki-role.ts';
import { loadPlans } from '../plan.ts';
import type { CertificateSpec, HardenedVaultPolicy, Plan, PkiRoleSpec, VaultEngine } from '../types.ts';
import { facts, KIND_AUDIENCE, plan } from './fixtures.ts';
import { predict } from './predict.ts';
import { nameAllowed, pkiRoleDecision, REQUIRE_CN_ERROR } from './pki-role.ts';
import { ACL_PERMISSION_DENIED, issuerPolicyName, valueDenied } from './vault-policy.ts';

const ARTICLE: HardenedVaultPolicy = { kind: 'hardened', allowedParameters: { common_name: ['*.example.com'] }, requiredParameters: ['common_name'], deniedParameters: {}, paths: ['sign', 'issue'] };
const ARTICLE_WITH_REST: HardenedVaultPolicy = { ...ARTICLE, allowedParameters: { common_name: ['*.example.com'], '*': [] } };
const FOREIGN: CertificateSpec = { dnsNames: ['evil.other.test'], ipAddresses: [], uriSANs: [] };
const EXAMPLE_ROLE: PkiRoleSpec = resolvePkiRole({ allowedDomains: ['example.com'], allowSubdomains: true });

function signing(engine: VaultEngine, version: string, o: { policy?: HardenedVaultPolicy; role?: PkiRoleSpec; certificate?: CertificateSpec }): Plan {
  const p = plan({ id: 'pki-fixture', engine, issuer: { audiences: [KIND_AUDIENCE] } });
  return {
    ...p,
    vault: { ...p.vault, version, ...(o.policy ? { policy: o.policy } : {}), ...(o.role ? { pkiRole: o.role } : {}) },
    certificate: o.certificate ?? FOREIGN,
  };
}
const outcome = (p: Plan) => {
  const r = predict(p, facts(p));
  return { ready: r.ready, failure: r.failure, message: r.sign?.certificateRequest.message ?? '' };
};

// Every pinned engine release (versions.yaml): whether its ACL lets common_name="" through a non-empty allowed list.
const ENGINES: Array<[VaultEngine, string, boolean]> = [
  ['vault', 'v1.18.0', false],
  ['vault', 'v1.19.0', false],
  ['vault', 'v1.21.0', true],
  ['vault', 'v1.21.1', true],
  ['openbao', 'v2.6.2', false],
  ['openbao', 'v2.7.2', false],
];

describe("a CN-less Certificate under the article's policy", () => {
  it.each(ENGINES)('%s %s, the policy as written: 403 (cert-manager sends parameters it does not list)', (engine, version) => {
    const o = outcome(signing(engine, version, { policy: ARTICLE }));
    expect(o).toMatchObject({ ready: false, failure: 'vault-policy-denied' });
    expect(o.message).toContain(`Code: 403. Errors:\n\n* ${ACL_PERMISSION_DENIED}`);
  });

  it.each(ENGINES)('%s %s, with "*" = []: signed for a foreign name where "" passes the list, else 403', (engine, version, emptyPasses) => {
    const p = signing(engine, version, { policy: ARTICLE_WITH_REST });
    const o = outcome(p);
    if (emptyPasses) {
      expect(o).toEqual({ ready: true, failure: undefined, message: 'Certificate fetched from issuer successfully' });
      expect(predict(p, facts(p)).steps.find((s) => s.step === 'PKI role')?.detail).toContain('signed with subject CN (none), SANs DNS:evil.other.test');
    } else {
      expect(o.failure).toBe('vault-policy-denied');
      expect(predict(p, facts(p)).steps.find((s) => s.step === 'Vault policy')?.detail).toContain('"common_name" = "" matches none of ["*.example.com"]');
    }
  });
});

describe('the PKI role refuses a foreign name whatever the ACL says', () => {
  it.each(ENGINES)('%s %s, default policy: 400 subject alternate name … not allowed by this role', (engine, version) => {
    const o = outcome(signing(engine, version, { role: EXAMPLE_ROLE }));
    expect(o).toMatchObject({ ready: false, failure: 'pki-role-denied' });
    expect(o.message).toMatch(/\/v1\/pki\/sign\/cm-vault-e2e-pki-fixture\nCode: 400\. Errors:\n\n\* subject alternate name evil\.other\.test not allowed by this role$/);
  });

  it.each(ENGINES)('%s %s, article policy with "*" = []: refused (by the role where the ACL passes "", else by the ACL)', (engine, version, emptyPasses) => {
    const o = outcome(signing(engine, version, { policy: ARTICLE_WITH_REST, role: EXAMPLE_ROLE }));
    expect(o.failure).toBe(emptyPasses ? 'pki-role-denied' : 'vault-policy-denied');
  });

  it.each(ENGINES)('%s %s: an allowed name is still signed by the restricted role', (engine, version) => {
    const o = outcome(signing(engine, version, { role: EXAMPLE_ROLE, certificate: { dnsNames: ['app.example.com'], ipAddresses: [], uriSANs: [] } }));
    expect(o).toMatchObject({ ready: true, failure: undefined });
  });
});

describe('role checks (ValidateNames, GenerateCreationBundle)', () => {
  it('require_cn refuses an empty CN with the backend text', () => {
    expect(pkiRoleDecision({ ...DEFAULT_PKI_ROLE_SPEC, requireCn: true }, FOREIGN)).toMatchObject({ allowed: false, error: REQUIRE_CN_ERROR });
  });
  it('the CN is judged before the SANs', () => {
    expect(pkiRoleDecision(EXAMPLE_ROLE, { commonName: 'app.other.test', dnsNames: ['evil.other.test'], ipAddresses: [], uriSANs: [] }).error).toBe('common name app.other.test not allowed by this role');
  });
  it('bare domain only with allow_bare_domains; subdomains only with allow_subdomains', () => {
    expect(nameAllowed(EXAMPLE_ROLE, 'example.com')).toBe(false);
    expect(nameAllowed({ ...EXAMPLE_ROLE, allowBareDomains: true }, 'example.com')).toBe(true);
    expect(nameAllowed({ ...EXAMPLE_ROLE, allowSubdomains: false }, 'app.example.com')).toBe(false);
    expect(nameAllowed(EXAMPLE_ROLE, 'notexample.com')).toBe(false);
  });
  it('enforce_hostnames applies under allow_any_name too', () => {
    expect(nameAllowed({ ...DEFAULT_PKI_ROLE_SPEC, enforceHostnames: true }, 'not_a_host')).toBe(false);
    expect(nameAllowed(DEFAULT_PKI_ROLE_SPEC, 'not_a_host')).toBe(true);
  });
  it('a URI SAN is refused by a role without allowed_uri_sans (the suite sets none)', () => {
    expect(pkiRoleDecision(DEFAULT_PKI_ROLE_SPEC, { dnsNames: [], ipAddresses: [], uriSANs: ['spiffe://example.com/app'] }).error).toBe('URI Subject Alternative Names are not allowed in this role, but were provided via CSR');
  });
  it('IP SANs are signed (allow_ip_sans) and named', () => {
    expect(pkiRoleDecision(DEFAULT_PKI_ROLE_SPEC, { commonName: 'a.example.com', dnsNames: [], ipAddresses: ['192.0.2.10'], uriSANs: [] }).signed).toEqual({ commonName: 'a.example.com', sans: ['IP Address:192.0.2.10'] });
  });
});

describe('existing scenarios are unchanged by the role dimension', () => {
  it('every catalogue scenario without pkiRole predicts the same with the default role written as its own', () => {
    const plans = loadPlans().filter((p) => !p.vault.pkiRole);
    expect(plans.length).toBeGreaterThan(60);
    for (const p of plans) {
      const before = predict(p, facts(p));
      const withRole: Plan = { ...p, vault: { ...p.vault, pkiRole: { ...DEFAULT_PKI_ROLE_SPEC } } };
      const after = predict(withRole, facts(withRole));
      expect({ ready: after.ready, failure: after.failure, sign: after.sign?.certificateRequest.message.replace(`cm-vault-e2e-${p.id}`, 'cm-vault-e2e') }, p.id).toEqual({
        ready: before.ready,
        failure: before.failure,
        sign: before.sign?.certificateRequest.message,
      });
    }
  });
});

describe('denied_parameters common_name = [""]: the policy-only answer to the empty CN', () => {
  const DENY_EMPTY: HardenedVaultPolicy = { ...ARTICLE_WITH_REST, deniedParameters: { common_name: [''] } };
  it.each(ENGINES)('%s %s: a CN-less Certificate is refused by the ACL (403), on every engine', (engine, version) => {
    const p = signing(engine, version, { policy: DENY_EMPTY });
    expect(outcome(p).failure).toBe('vault-policy-denied');
    expect(predict(p, facts(p)).steps.find((s) => s.step === 'Vault policy')?.detail).toContain('denied_parameters refuses "common_name" = ""');
  });
  it.each(ENGINES)('%s %s: … but an allowed CN with a foreign SAN is signed: the ACL never sees the CSR names it does not list', (engine, version) => {
    const o = outcome(signing(engine, version, { policy: DENY_EMPTY, certificate: { commonName: 'app.example.com', dnsNames: ['evil.other.test'], ipAddresses: [], uriSANs: [] } }));
    expect(o).toMatchObject({ ready: true });
  });
  it('"" denies only the empty value; a "*" key denies every request', () => {
    expect(valueDenied([''], '', true)).toBe(true);
    expect(valueDenied([''], 'app.example.com', true)).toBe(false);
    expect(valueDenied(['evil.*'], 'app.example.com,evil.other.test', true)).toBe(true);
    expect(valueDenied(['evil.*'], 'app.example.com,evil.other.test', false)).toBe(false);
  });
});

describe("a scenario's own PKI role gets its own policy", () => {
  it('the login hands out cm-vault-e2e-<id> (the shared policy names only the shared role), with or without a hardened policy', () => {
    const p = signing('vault', 'v1.21.0', { role: EXAMPLE_ROLE });
    expect(issuerPolicyName(p)).toBe('cm-vault-e2e-pki-fixture');
    expect(predict(p, facts(p)).audit?.login?.policies).toEqual(['cm-vault-e2e-pki-fixture']);
    const shared = signing('vault', 'v1.21.0', {});
    expect(issuerPolicyName(shared)).toBe('cm-vault-e2e-issuer');
  });
});
