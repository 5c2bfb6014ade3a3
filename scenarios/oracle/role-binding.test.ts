import { describe, expect, it } from 'vitest';
import { predict } from './index.ts';
import { facts, kubernetesAuth, plan } from './fixtures.ts';
import { globListContains } from './role-binding.ts';

describe('the role is bound to another ServiceAccount', () => {
  it('another name: 403 service account name not authorized, before the TokenReview', () => {
    const p = plan({ auth: kubernetesAuth({ boundServiceAccountNames: ['other-sa'] }) });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('role-bound-service-account');
    expect(result.vault).toEqual({ status: 403, errors: ['service account name not authorized'] });
    expect(result.apiserver).toBeUndefined();
    expect(result.steps.map((s) => s.step)).not.toContain('TokenReview caller');
  });

  it('another namespace: 403 namespace not authorized (names are checked first)', () => {
    const p = plan({ auth: kubernetesAuth({ boundServiceAccountNamespaces: ['team-b'] }) });
    expect(predict(p, facts(p)).vault?.errors).toEqual(['namespace not authorized']);
    const both = plan({ auth: kubernetesAuth({ boundServiceAccountNames: ['x'], boundServiceAccountNamespaces: ['team-b'] }) });
    expect(predict(both, facts(both)).vault?.errors).toEqual(['service account name not authorized']);
  });

  it('the role audience is checked before the binding', () => {
    const p = plan({ auth: kubernetesAuth({ roleAudience: 'vault://elsewhere', boundServiceAccountNames: ['x'] }) });
    expect(predict(p, facts(p)).failure).toBe('vault-role-audience');
  });

  it('`*` and globs allow; a ClusterIssuer is checked in the cluster resource namespace', () => {
    const star = plan({ auth: kubernetesAuth({ tokenReviewer: 'reviewer-jwt', boundServiceAccountNames: ['*'], boundServiceAccountNamespaces: ['team-*'] }) });
    expect(predict(star, facts(star)).ready).toBe(true);
    expect(globListContains(['vault-*'], 'vault-issuer')).toBe(true);
    expect(globListContains(['vault.issuer'], 'vault-issuer')).toBe(false);
    const cluster = plan({ issuer: { kind: 'ClusterIssuer', name: 'vault', serviceAccount: 'vault-issuer' }, auth: kubernetesAuth({ boundServiceAccountNamespaces: ['team-a'] }) });
    expect(predict(cluster, facts(cluster)).vault?.errors).toEqual(['namespace not authorized']);
  });
});
