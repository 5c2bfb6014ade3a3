import { describe, expect, it } from 'vitest';
import type { TokenReviewer } from '../types.ts';
import { predict } from './index.ts';
import { facts, KIND_AUDIENCE, kubernetesAuth, plan, PROFILES } from './fixtures.ts';

const INVALID = 'invalid audience (aud) claim: audience claim does not match any expected audience';

describe('role audience (checked by Vault on the parsed JWT)', () => {
  it.each<TokenReviewer>(['reviewer-jwt', 'local-token', 'client-jwt'])('a role audience the token lacks: 403 invalid audience (%s)', (reviewer) => {
    const p = plan({ placement: 'in-cluster', auth: kubernetesAuth({ tokenReviewer: reviewer, roleAudience: 'vault://team-a/other' }) });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('vault-role-audience');
    expect(result.vault).toEqual({ status: 403, errors: [INVALID] });
  });

  it('a role audience the token carries passes (reviewer-jwt: ready)', () => {
    const p = plan({ auth: kubernetesAuth({ tokenReviewer: 'reviewer-jwt', roleAudience: 'vault://team-a/vault-issuer' }) });
    expect(predict(p, facts(p)).ready).toBe(true);
  });

  it('a role audience may be a placeholder', () => {
    const p = plan({ auth: kubernetesAuth({ tokenReviewer: 'reviewer-jwt', roleAudience: '${issuer.defaultAudience}' }) });
    expect(predict(p, facts(p)).ready).toBe(true);
  });

  it('cert-manager v1.20+ lets a role bind spec.vault.server', () => {
    const at = (v: string) => {
      const p = plan({ certManager: v, auth: kubernetesAuth({ tokenReviewer: 'reviewer-jwt', roleAudience: '${vault.server}' }) });
      return predict(p, facts(p));
    };
    expect(at('v1.19.5').failure).toBe('vault-role-audience');
    expect(at('v1.20.3').ready).toBe(true);
  });

  it('without a role audience Vault checks none', () => {
    const p = plan({ auth: kubernetesAuth({ tokenReviewer: 'reviewer-jwt' }) });
    const result = predict(p, facts(p));
    expect(result.ready).toBe(true);
    expect(result.steps.find((s) => s.step === 'role audience check')?.detail).toMatch(/no audience/);
  });
});

describe('TokenReview caller', () => {
  it('reviewer-jwt: the API audiences do not matter', () => {
    const p = plan({ auth: kubernetesAuth({ tokenReviewer: 'reviewer-jwt' }) });
    const result = predict(p, facts(p));
    expect(result.ready).toBe(true);
    expect(result.apiserver).toBeUndefined();
  });

  it("reviewer-jwt: the issuer's ServiceAccount needs no auth-delegator", () => {
    const p = plan({ issuer: { authDelegator: false }, auth: kubernetesAuth({ tokenReviewer: 'reviewer-jwt' }) });
    expect(predict(p, facts(p)).ready).toBe(true);
  });

  it("local-token in-cluster: Vault's own token is the bearer, ready despite the audience mismatch", () => {
    const p = plan({ placement: 'in-cluster', issuer: { authDelegator: false }, auth: kubernetesAuth({ tokenReviewer: 'local-token' }) });
    const result = predict(p, facts(p));
    expect(result.ready).toBe(true);
    expect(result.steps.find((s) => s.step === 'TokenReview caller')?.detail).toMatch(/own pod's token/);
  });

  it('local-token with Vault outside the cluster falls back to the login JWT', () => {
    const p = plan({ placement: 'external', auth: kubernetesAuth({ tokenReviewer: 'local-token' }) });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('apiserver-audience');
    expect(result.steps.find((s) => s.step === 'TokenReview caller')?.detail).toMatch(/falls back to the login JWT/);
  });

  it('client-jwt: a token without an API audience is refused by the API server', () => {
    const p = plan({ auth: kubernetesAuth({ tokenReviewer: 'client-jwt' }) });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('apiserver-audience');
    expect(result.vault?.status).toBe(403);
    expect(result.vault?.errors).toEqual(['permission denied']);
  });

  it('client-jwt: a matching role audience does not help if it is not an API audience', () => {
    const p = plan({ auth: kubernetesAuth({ tokenReviewer: 'client-jwt', roleAudience: 'vault://team-a/vault-issuer' }) });
    expect(predict(p, facts(p)).failure).toBe('apiserver-audience');
  });

  it('client-jwt: a role audience that is the API audience (and in the token) is ready', () => {
    const p = plan({ issuer: { audiences: [KIND_AUDIENCE] }, auth: kubernetesAuth({ tokenReviewer: 'client-jwt', roleAudience: KIND_AUDIENCE }) });
    expect(predict(p, facts(p)).ready).toBe(true);
  });

  it('client-jwt: the API server line lists every token audience (v1.20+ includes the server)', () => {
    const p = plan({ certManager: 'v1.21.1', issuer: { audiences: ['extra'] }, auth: kubernetesAuth({ tokenReviewer: 'client-jwt' }) });
    expect(predict(p, facts(p)).apiserver?.line).toBe(
      'token audiences ["extra" "vault://team-a/vault-issuer" "https://127.0.0.1:8200"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]',
    );
  });

  it('client-jwt: several API audiences are all listed, and any one of them is enough', () => {
    const p = plan();
    const f = facts(p, { apiAudiences: ['https://a.example', 'https://b.example'] });
    expect(predict(p, f).apiserver?.line).toBe(
      'token audiences ["vault://team-a/vault-issuer"] is invalid for the target audiences ["https://a.example" "https://b.example"]',
    );
    const q = plan({ issuer: { audiences: ['https://b.example'] } });
    expect(predict(q, facts(q, { apiAudiences: ['https://a.example', 'https://b.example'] })).ready).toBe(true);
  });

  it('client-jwt: with the API audience but no auth-delegator, the review is forbidden', () => {
    const p = plan({ issuer: { audiences: [KIND_AUDIENCE], authDelegator: false }, auth: kubernetesAuth({ tokenReviewer: 'client-jwt' }) });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('reviewer-forbidden');
    expect(result.vault?.status).toBe(403);
    expect(result.vault?.errors).toEqual(['permission denied']);
    expect(result.apiserver).toBeUndefined();
    const body =
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"tokenreviews.authentication.k8s.io is forbidden: ' +
      'User \\"system:serviceaccount:team-a:vault-issuer\\" cannot create resource \\"tokenreviews\\" in API group \\"authentication.k8s.io\\" at the cluster scope",' +
      '"reason":"Forbidden","details":{"group":"authentication.k8s.io","kind":"tokenreviews"},"code":403}';
    expect(result.vault?.logLine).toBe(`login unauthorized: err="${body.replaceAll('"', '\\"')}"`);
  });

  it('client-jwt with a ClusterIssuer: the reviewing user lives in the cluster resource namespace', () => {
    const p = plan({ issuer: { kind: 'ClusterIssuer', audiences: [KIND_AUDIENCE], authDelegator: false } });
    expect(predict(p, facts(p)).vault?.logLine).toContain('system:serviceaccount:cert-manager:vault-issuer');
  });
});

describe('profiles', () => {
  it.each(['aks-like', 'eks-like'] as const)('%s: the kind audience is not an API audience there', (profile) => {
    const p = plan({ profile, issuer: { audiences: [KIND_AUDIENCE] } });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('apiserver-audience');
    expect(result.apiserver?.line).toContain(`target audiences ["${PROFILES[profile].apiAudiences[0]}"]`);
  });

  it.each(['aks-like', 'eks-like'] as const)('%s: ${cluster.apiAudience} is ready', (profile) => {
    const p = plan({ profile, issuer: { audiences: ['${cluster.apiAudience}'] } });
    expect(predict(p, facts(p)).ready).toBe(true);
  });

  it('eks-like: the ServiceAccount issuer is not an API audience', () => {
    const p = plan({ profile: 'eks-like', issuer: { audiences: ['${cluster.issuer}'] } });
    expect(predict(p, facts(p)).failure).toBe('apiserver-audience');
  });
});

describe('engines', () => {
  it('OpenBao answers the same and cites its in-tree plugin', () => {
    const p = plan({ engine: 'openbao', auth: kubernetesAuth({ tokenReviewer: 'reviewer-jwt', roleAudience: 'nope' }) });
    const result = predict(p, facts(p));
    expect(result.vault).toEqual({ status: 403, errors: [INVALID] });
    expect(result.steps.find((s) => s.step === 'role audience check')?.source).toContain(
      'openbao/openbao@v2.6.2 builtin/credential/kubernetes/path_login.go#kubeAuthBackend.parseAndValidateJWT',
    );
  });
});
