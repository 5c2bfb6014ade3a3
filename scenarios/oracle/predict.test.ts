import { describe, expect, it } from 'vitest';
import { predict } from './index.ts';
import { facts, KIND_AUDIENCE, kubernetesAuth, plan } from './fixtures.ts';

// The examples the suite's README promises; each is also covered rule by rule in the other test files.
describe('must-pass examples (cert-manager v1.16.5, Issuer team-a/vault-issuer, external Vault, kind)', () => {
  it('no audiences, role without audience, client-jwt: permission denied, apiserver names the audiences', () => {
    const p = plan({ certManager: 'v1.16.5', auth: kubernetesAuth({ tokenReviewer: 'client-jwt' }) });
    const result = predict(p, facts(p));
    expect(result.ready).toBe(false);
    expect(result.failure).toBe('apiserver-audience');
    expect(result.tokenAudiences).toEqual(['vault://team-a/vault-issuer']);
    expect(result.issuer?.status).toBe('False');
    expect(result.issuer?.reason).toBe('VaultError');
    expect(result.issuer?.message.endsWith('Code: 403. Errors:\n\n* permission denied')).toBe(true);
    expect(result.issuer?.message).toBe(
      'Failed to initialize Vault client: while requesting a Vault token using the Kubernetes auth: error calling Vault server: ' +
        'Error making API request.\n\nURL: POST https://127.0.0.1:8200/v1/auth/kubernetes/login\nCode: 403. Errors:\n\n* permission denied',
    );
    expect(result.apiserver?.line).toBe(
      'token audiences ["vault://team-a/vault-issuer"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]',
    );
    expect(result.vault).toEqual({
      status: 403,
      errors: ['permission denied'],
      logLine:
        'login unauthorized: err="lookup failed: service account unauthorized; this could mean it has been deleted or recreated with a new token"',
    });
  });

  it("same with audiences [the cluster's API audience]: ready", () => {
    const p = plan({ issuer: { audiences: ['${cluster.apiAudience}'] }, auth: kubernetesAuth({ tokenReviewer: 'client-jwt' }) });
    const result = predict(p, facts(p));
    expect(result.tokenAudiences).toEqual([KIND_AUDIENCE, 'vault://team-a/vault-issuer']);
    expect(result.ready).toBe(true);
    expect(result.failure).toBeUndefined();
    expect(result.issuer).toEqual({ status: 'True', reason: 'VaultVerified', message: 'Vault verified' });
    expect(result.vault).toEqual({ status: 200, errors: [] });
    expect(result.apiserver).toBeUndefined();
  });

  it('role audience vault://team-a/other with reviewer-jwt: 403 invalid audience', () => {
    const p = plan({ auth: kubernetesAuth({ tokenReviewer: 'reviewer-jwt', roleAudience: 'vault://team-a/other' }) });
    const result = predict(p, facts(p));
    expect(result.ready).toBe(false);
    expect(result.failure).toBe('vault-role-audience');
    expect(result.vault).toEqual({ status: 403, errors: ['invalid audience (aud) claim: audience claim does not match any expected audience'] });
    expect(result.issuer?.message.endsWith('Code: 403. Errors:\n\n* invalid audience (aud) claim: audience claim does not match any expected audience')).toBe(true);
    expect(result.apiserver).toBeUndefined();
  });
});

describe('order of checks', () => {
  it('a forbidden TokenRequest stops cert-manager before it calls Vault', () => {
    const p = plan({ issuer: { tokenRequestRole: false }, auth: kubernetesAuth({ roleAudience: 'vault://team-a/other' }) });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('token-request-forbidden');
    expect(result.vault).toBeUndefined();
    expect(result.steps.map((s) => s.step)).toEqual(['token audiences', 'token request', 'Issuer condition', 'Vault audit log']);
    expect(result.audit).toEqual({ login: null });
  });

  it('the role audience check comes before the TokenReview (no apiserver line even with client-jwt)', () => {
    const p = plan({ auth: kubernetesAuth({ tokenReviewer: 'client-jwt', roleAudience: 'vault://team-a/other' }) });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('vault-role-audience');
    expect(result.apiserver).toBeUndefined();
    expect(result.steps.map((s) => s.step)).not.toContain('TokenReview caller');
  });

  it('a CRD rejection comes before everything: no Issuer, no token', () => {
    const p = plan({ certManager: 'v1.14.7', issuer: { audiences: ['x'], tokenRequestRole: false } });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('crd-unknown-field');
    expect(result.issuer).toBeNull();
    expect(result.tokenAudiences).toEqual([]);
    expect(result.vault).toBeUndefined();
  });

  it('the successful chain is token audiences, request, login, role check, review, answer, condition, sign (policy, PKI role)', () => {
    const p = plan({ issuer: { audiences: [KIND_AUDIENCE] } });
    expect(predict(p, facts(p)).steps.map((s) => s.step)).toEqual([
      'CRD schema',
      'token audiences',
      'token request',
      'login request',
      'role audience check',
      'role binding',
      'TokenReview caller',
      'API server audiences',
      'TokenReview permission',
      'TokenReview audiences',
      'Vault answer',
      'Issuer condition',
      'sign request',
      'Vault policy',
      'PKI role',
      'CertificateRequest',
      'Vault audit log',
      'token as a Kubernetes credential',
      'who may request tokens',
    ]);
  });

  it('uses the facts, not the profile, for the API audiences and the server', () => {
    const p = plan();
    const result = predict(p, facts(p, { apiAudiences: ['vault://team-a/vault-issuer'], vaultServer: 'https://10.0.0.1:8200/' }));
    expect(result.ready).toBe(true);
    const other = predict(p, facts(p, { vaultServer: 'https://10.0.0.1:8200/' }));
    expect(other.issuer?.message).toContain('URL: POST https://10.0.0.1:8200/v1/auth/kubernetes/login\n');
  });

  it('names the mount in the login URL', () => {
    const p = plan({ auth: kubernetesAuth({ mount: 'kind-cluster' }) });
    expect(predict(p, facts(p)).issuer?.message).toContain('URL: POST https://127.0.0.1:8200/v1/auth/kind-cluster/login\n');
  });
});
