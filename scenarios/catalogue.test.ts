import { describe, expect, it } from 'vitest';
import { judge } from './outcome.ts';
import { loadPlans } from './plan.ts';
import { compareVersions, loadVersions } from './versions.ts';

describe('the shipped catalogue', () => {
  const plans = loadPlans();
  const byId = new Map(plans.map((p) => [p.id, p]));

  it('holds at least 60 concrete scenarios with unique ids and one-line descriptions', () => {
    expect(plans.length).toBeGreaterThanOrEqual(60);
    expect(new Set(plans.map((p) => p.id)).size).toBe(plans.length);
    for (const p of plans) expect(p.description).toMatch(/^[^\n]{20,}$/);
  });

  it('agrees with the oracle on every scenario', () => {
    const disagreeing = plans.map(judge).filter((j) => !j.agrees);
    expect(disagreeing.map((j) => `${j.plan.id}: expects ${JSON.stringify(j.plan.expect)}, predicted ${JSON.stringify(j.predicted)}`)).toEqual([]);
  });

  it('has the three reference scenarios exactly as specified', () => {
    const refused = byId.get('k8s-client-jwt-default-audience-refused')!;
    expect(refused).toMatchObject({
      cluster: { profile: 'kind' },
      certManager: { version: 'v1.19.5' },
      vault: { placement: 'external' },
      auth: { method: 'kubernetes', tokenReviewer: 'client-jwt' },
      issuer: { kind: 'Issuer', namespace: 'team-a', name: 'vault-issuer', serviceAccount: 'vault-issuer' },
      expect: { ready: false, failure: 'apiserver-audience' },
    });
    expect(refused.issuer.audiences).toBeUndefined();
    expect(refused.auth.method === 'kubernetes' && refused.auth.roleAudience).toBeUndefined();
    const ready = byId.get('k8s-client-jwt-api-audience-ready')!;
    expect(ready).toMatchObject({ ...{ cluster: refused.cluster, certManager: refused.certManager, vault: refused.vault, auth: refused.auth }, expect: { ready: true } });
    expect(ready.issuer.audiences).toEqual(['${cluster.apiAudience}']);
    expect(byId.get('k8s-role-audience-mismatch')).toMatchObject({
      auth: { tokenReviewer: 'reviewer-jwt', roleAudience: 'vault://team-a/other' },
      expect: { ready: false, failure: 'vault-role-audience' },
    });
  });

  it('tags 5 to 8 cheap smoke scenarios', () => {
    const smoke = plans.filter((p) => p.tags.includes('smoke'));
    expect(smoke.length).toBeGreaterThanOrEqual(5);
    expect(smoke.length).toBeLessThanOrEqual(8);
    expect(new Set(smoke.map((p) => p.environmentKey)).size).toBeLessThanOrEqual(2);
  });

  it('spans every profile x reviewer mode, both Issuer kinds, both auth methods, engines and placements', () => {
    const kinds = (f: (p: (typeof plans)[number]) => string) => new Set(plans.map(f));
    for (const profile of ['kind', 'aks-like', 'eks-like']) {
      for (const reviewer of ['local-token', 'reviewer-jwt', 'client-jwt']) {
        expect(plans.some((p) => p.profile.name === profile && p.auth.method === 'kubernetes' && p.auth.tokenReviewer === reviewer), `${profile} ${reviewer}`).toBe(true);
      }
    }
    expect(kinds((p) => p.profile.name)).toContain('custom');
    expect(kinds((p) => p.issuer.kind)).toEqual(new Set(['Issuer', 'ClusterIssuer']));
    expect(kinds((p) => p.auth.method)).toEqual(new Set(['kubernetes', 'jwt']));
    expect(kinds((p) => p.vault.engine)).toEqual(new Set(['vault', 'openbao']));
    expect(kinds((p) => p.vault.placement)).toEqual(new Set(['in-cluster', 'external']));
    expect(kinds((p) => p.vault.version)).toEqual(new Set([...loadVersions().vault.versions, ...loadVersions().openbao.versions]));
    expect(kinds((p) => p.expect.failure ?? 'ready')).toEqual(
      new Set(['ready', 'apiserver-audience', 'vault-role-audience', 'jwt-bound-audience', 'jwt-no-bound-audiences', 'token-request-forbidden', 'reviewer-forbidden', 'crd-unknown-field', 'vault-policy-denied', 'pki-role-denied', 'review-host']),
    );
  });

  it('covers every pinned cert-manager release and the required upgrade paths', () => {
    const versions = new Set(plans.filter((p) => !p.certManager.upgrade).map((p) => p.certManager.version));
    for (const v of loadVersions().certManager.versions) expect(versions, v).toContain(v);
    const paths = plans.flatMap((p) => (p.certManager.upgrade ? [`${p.certManager.upgrade.from}>${p.certManager.upgrade.to}`] : []));
    expect([...new Set(paths)].sort()).toEqual(['v1.14.7>v1.15.5', 'v1.15.5>v1.16.5', 'v1.17.4>v1.18.6', 'v1.19.5>v1.20.3', 'v1.20.3>v1.21.2', 'v1.21.1>v1.21.2', 'v1.21.2>v1.20.3']);
  });

  it('has an upgrade between releases CI builds, so a cold CI proves an upgrade and a cluster handed on running', () => {
    expect(plans.filter((p) => p.ci && p.certManager.upgrade && p.profile.name === 'kind').map((p) => p.id)).toContain('upgrade-v1.19.5-to-v1.20.3-jwt-server-audience');
  });

  it('shows the JWT server audience failing before v1.20 and working from v1.20', () => {
    const server = plans.filter((p) => p.auth.method === 'jwt' && p.auth.boundAudiences.includes('${vault.server}') && !p.certManager.upgrade);
    for (const p of server) expect(p.expect.ready, p.id).toBe(compareVersions(p.certManager.version, 'v1.20.0') >= 0);
    expect(server.some((p) => !p.expect.ready) && server.some((p) => p.expect.ready)).toBe(true);
  });
});
