import { describe, expect, it } from 'vitest';
import { jwtConfigBody, jwtRoleBody } from './jwt-auth.ts';
import { kubernetesConfigBody, kubernetesRoleBody } from './kubernetes-auth.ts';
import { pkiRoleBody } from './pki.ts';
import { DEFAULT_PKI_ROLE_SPEC } from '../../scenarios/pki-role.ts';
import { issuerPolicyHcl } from './policy.ts';

const base = { mount: 'kubernetes', kubernetesHost: 'https://10.0.0.1:6443', kubernetesCaPem: 'CA' };

describe('kubernetesConfigBody', () => {
  it('reviewer-jwt sets token_reviewer_jwt', () => {
    expect(kubernetesConfigBody({ ...base, tokenReviewer: 'reviewer-jwt', reviewerJwt: 'R' })).toEqual({
      kubernetes_host: 'https://10.0.0.1:6443',
      kubernetes_ca_cert: 'CA',
      disable_iss_validation: true,
      token_reviewer_jwt: 'R',
    });
  });

  it('reviewer-jwt without a JWT is a programming error', () => {
    expect(() => kubernetesConfigBody({ ...base, tokenReviewer: 'reviewer-jwt' })).toThrow(/reviewerJwt/);
  });

  it('client-jwt disables the local token and sets no reviewer', () => {
    const body = kubernetesConfigBody({ ...base, tokenReviewer: 'client-jwt' });
    expect(body).toMatchObject({ disable_local_ca_jwt: true });
    expect(body).not.toHaveProperty('token_reviewer_jwt');
  });

  it('local-token leaves both to their defaults', () => {
    const body = kubernetesConfigBody({ ...base, tokenReviewer: 'local-token', disableIssValidation: false });
    expect(body).toEqual({ kubernetes_host: base.kubernetesHost, kubernetes_ca_cert: 'CA', disable_iss_validation: false });
  });
});

describe('kubernetesRoleBody', () => {
  const role = { mount: 'kubernetes', role: 'issuer', serviceAccountName: 'sa', namespace: 'ns', policies: ['pki'] };

  it('binds the service account and namespace, audience only when given', () => {
    expect(kubernetesRoleBody(role)).toEqual({
      bound_service_account_names: ['sa'],
      bound_service_account_namespaces: ['ns'],
      token_policies: ['pki'],
    });
    expect(kubernetesRoleBody({ ...role, audience: 'vault://ns/issuer' })).toMatchObject({ audience: 'vault://ns/issuer' });
  });
});

describe('jwt auth bodies', () => {
  it('config takes keys or discovery, not both nor neither', () => {
    expect(jwtConfigBody({ mount: 'jwt', jwtValidationPubkeys: ['PEM'], boundIssuer: 'https://iss' })).toEqual({
      jwt_validation_pubkeys: ['PEM'],
      bound_issuer: 'https://iss',
    });
    expect(jwtConfigBody({ mount: 'jwt', oidcDiscoveryUrl: 'https://iss', oidcDiscoveryCaPem: 'CA' })).toEqual({
      oidc_discovery_url: 'https://iss',
      oidc_discovery_ca_pem: 'CA',
    });
    expect(() => jwtConfigBody({ mount: 'jwt' })).toThrow(/exactly one/);
    expect(() => jwtConfigBody({ mount: 'jwt', jwtValidationPubkeys: ['P'], oidcDiscoveryUrl: 'u' })).toThrow(/exactly one/);
  });

  it('role sets bound_audiences only when non-empty', () => {
    const role = { mount: 'jwt', role: 'r', boundSubject: 'system:serviceaccount:ns:sa', policies: ['pki'] };
    expect(jwtRoleBody({ ...role, boundAudiences: [] })).toEqual({
      role_type: 'jwt',
      user_claim: 'sub',
      bound_subject: 'system:serviceaccount:ns:sa',
      token_policies: ['pki'],
    });
    expect(jwtRoleBody({ ...role, boundAudiences: ['a', 'b'] })).toMatchObject({ bound_audiences: ['a', 'b'] });
  });
});

describe('pki and policy', () => {
  it('role allows any name, IP SANs and key type', () => {
    expect(pkiRoleBody('24h')).toEqual({
      allow_any_name: true,
      allow_ip_sans: true,
      enforce_hostnames: false,
      require_cn: false,
      key_type: 'any',
      max_ttl: '24h',
    });
  });

  it("a scenario's role adds only the name checks it changes (Vault's defaults for the rest)", () => {
    const spec = { ...DEFAULT_PKI_ROLE_SPEC, allowedDomains: ['example.com'], allowAnyName: false, allowSubdomains: true, requireCn: true, useCsrSans: false };
    expect(pkiRoleBody('24h', spec)).toEqual({
      allow_any_name: false,
      allowed_domains: 'example.com',
      allow_subdomains: true,
      allow_ip_sans: true,
      enforce_hostnames: false,
      require_cn: true,
      use_csr_sans: false,
      key_type: 'any',
      max_ttl: '24h',
    });
  });

  it('policy grants create and update on sign and issue', () => {
    expect(issuerPolicyHcl('pki', 'cm-vault-e2e')).toBe(
      'path "pki/sign/cm-vault-e2e" {\n  capabilities = ["create", "update"]\n}\n\n' +
        'path "pki/issue/cm-vault-e2e" {\n  capabilities = ["create", "update"]\n}\n',
    );
  });
});
