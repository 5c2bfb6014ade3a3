import { describe, expect, it } from 'vitest';
import { predict } from '../scenarios/oracle/index.ts';
import { facts, jwtAuth, kubernetesAuth, plan } from '../scenarios/oracle/fixtures.ts';
import { loadPlans } from '../scenarios/plan.ts';
import { describeNames, isolate, suffixesFor, type Isolation } from './isolate.ts';

const renamed = (i: Isolation) => {
  if ('exclusive' in i) throw new Error(`not isolated: ${i.exclusive}`);
  return i;
};

describe('isolate', () => {
  it('gives the namespace, Issuer, ServiceAccount and auth mount one suffix, and lists written beside actual', () => {
    const { plan: actual, names } = renamed(isolate(plan(), 'ab12c'));
    expect(actual.issuer).toMatchObject({ name: 'vault-issuer-ab12c', namespace: 'team-a-ab12c', serviceAccount: 'vault-issuer-ab12c' });
    expect(actual.auth.mount).toBe('kubernetes-ab12c');
    expect(names).toEqual([
      { what: 'Issuer', written: 'vault-issuer', actual: 'vault-issuer-ab12c' },
      { what: 'namespace', written: 'team-a', actual: 'team-a-ab12c' },
      { what: 'ServiceAccount', written: 'vault-issuer', actual: 'vault-issuer-ab12c' },
      { what: 'auth mount', written: 'kubernetes', actual: 'kubernetes-ab12c' },
    ]);
    expect(describeNames(names)).toContain('namespace team-a → team-a-ab12c');
  });

  it("makes the oracle's texts name the objects that really exist", () => {
    const written = plan({ auth: kubernetesAuth({ tokenReviewer: 'client-jwt' }) });
    const { plan: actual } = renamed(isolate(written, 'ab12c'));
    const p = predict(actual, facts(actual));
    expect(p.tokenAudiences).toEqual(['vault://team-a-ab12c/vault-issuer-ab12c']);
    expect(p.apiserver?.line).toContain('token audiences ["vault://team-a-ab12c/vault-issuer-ab12c"]');
    expect(p.issuer?.message).toContain('/v1/auth/kubernetes-ab12c/login');
    expect(p.audit?.login?.path).toBe('auth/kubernetes-ab12c/login');
  });

  it('keeps a ClusterIssuer without namespace and its ServiceAccount in the cluster resource namespace', () => {
    const { plan: actual, names } = renamed(isolate(plan({ issuer: { kind: 'ClusterIssuer', name: 'vault-cluster-issuer' } }), 'x1y2z'));
    expect(actual.issuer.namespace).toBeUndefined();
    expect(actual.issuer.name).toBe('vault-cluster-issuer-x1y2z');
    expect(predict(actual, facts(actual)).tokenAudiences).toEqual(['vault://vault-cluster-issuer-x1y2z']);
    expect(names.map((n) => n.what)).not.toContain('namespace');
  });

  it('keeps a mountPath that names another mount pointing at another mount', () => {
    const written = plan({ issuer: { mount: 'k8s' } });
    const { plan: actual } = renamed(isolate(written, 'ab12c'));
    expect(actual.issuer.mount).toBe('k8s-ab12c');
    expect(predict(actual, facts(actual)).failure).toBe(predict(written, facts(written)).failure);
    expect(predict(actual, facts(actual)).failure).toBe('vault-mount-path');
  });

  it('renames bound ServiceAccount names and namespaces the same way, so a match stays a match and a miss a miss', () => {
    const auth = kubernetesAuth({ boundServiceAccountNames: ['vault-issuer', 'other', '*'], boundServiceAccountNamespaces: ['team-a', 'cert-manager'] });
    const { plan: actual } = renamed(isolate(plan({ auth }), 'ab12c'));
    expect(actual.auth).toMatchObject({ boundServiceAccountNames: ['vault-issuer-ab12c', 'other-ab12c', '*'], boundServiceAccountNamespaces: ['team-a-ab12c', 'cert-manager'] });
    const miss = plan({ auth: kubernetesAuth({ boundServiceAccountNames: ['other'] }) });
    const missActual = renamed(isolate(miss, 'ab12c')).plan;
    expect(predict(missActual, facts(missActual)).failure).toBe('role-bound-service-account');
  });

  it('leaves namespaces that mean something to the cluster as written', () => {
    expect(renamed(isolate(plan({ issuer: { namespace: 'cert-manager' } }), 'ab12c')).plan.issuer.namespace).toBe('cert-manager');
  });

  it('renames a JWT mount too', () => {
    expect(renamed(isolate(plan({ auth: jwtAuth(['${issuer.defaultAudience}']) }), 'ab12c')).plan.auth.mount).toBe('jwt-ab12c');
  });

  it('refuses to rename what would change the meaning: upgrades, the controller ServiceAccount, glob patterns', () => {
    expect(isolate(plan({ upgrade: { from: 'v1.19.5', to: 'v1.20.3' } }), 'a')).toHaveProperty('exclusive');
    expect(isolate(plan({ issuer: { kind: 'ClusterIssuer', name: 'c', serviceAccount: 'cert-manager' } }), 'a')).toHaveProperty('exclusive');
    expect(isolate(plan({ auth: kubernetesAuth({ boundServiceAccountNames: ['vault-*'] }) }), 'a')).toHaveProperty('exclusive');
  });

  it('keeps every shipped scenario\'s predicted outcome (ready or the same failure) under isolated names', () => {
    const plans = loadPlans();
    const suffixes = suffixesFor(plans.map((p) => p.id));
    for (const written of plans) {
      const iso = isolate(written, suffixes.get(written.id)!);
      if ('exclusive' in iso) continue;
      const before = predict(written, facts(written));
      const after = predict(iso.plan, facts(iso.plan));
      expect({ id: written.id, ready: after.ready, failure: after.failure }).toEqual({ id: written.id, ready: before.ready, failure: before.failure });
    }
  });

  it('gives every scenario of the catalogue a suffix of its own', () => {
    const ids = loadPlans().map((p) => p.id);
    const suffixes = suffixesFor(ids);
    expect(new Set(suffixes.values()).size).toBe(new Set(ids).size);
    expect([...suffixes.values()].every((s) => /^[0-9a-f]{5,}$/.test(s))).toBe(true);
  });
});
