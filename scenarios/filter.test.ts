import { describe, expect, it } from 'vitest';
import { InputError } from '../lib/errors.ts';
import { filterPlans, loadPlans } from './plan.ts';

describe('filterPlans', () => {
  const plans = loadPlans();
  const ids = (expr: string) => filterPlans(plans, expr).map((p) => p.id);

  it('an empty expression selects everything', () => {
    expect(filterPlans(plans, '')).toHaveLength(plans.length);
    expect(filterPlans(plans, undefined)).toHaveLength(plans.length);
  });

  it('a bare term is a case-insensitive substring of the id, or a glob', () => {
    expect(ids('K8S-ROLE-AUDIENCE-MISMATCH')).toEqual(['k8s-role-audience-mismatch']);
    expect(ids('k8s-client-jwt-*')).toEqual(['k8s-client-jwt-default-audience-refused', 'k8s-client-jwt-api-audience-ready']);
  });

  it('key=value terms on dimensions, comma = AND', () => {
    const selected = filterPlans(plans, 'profile=kind,reviewer=client-jwt,cm=v1.19.5,placement=external');
    expect(selected.length).toBeGreaterThan(2);
    for (const p of selected) {
      expect(p.profile.name).toBe('kind');
      expect(p.auth.method === 'kubernetes' && p.auth.tokenReviewer).toBe('client-jwt');
      expect(p.certManager.version).toBe('v1.19.5');
    }
    expect(ids('profile=kind,reviewer=client-jwt,cm=v1.19.5')).toContain('k8s-client-jwt-default-audience-refused');
  });

  it('a key with digits (k8s) is a key, not an id pattern', () => {
    const newest = filterPlans(plans, 'k8s=v1.37.*');
    expect(newest.length).toBeGreaterThan(0);
    expect(newest.every((p) => p.cluster.kubernetes.startsWith('v1.37.'))).toBe(true);
    expect(filterPlans(plans, 'k8s!=v1.37.*').some((p) => p.cluster.kubernetes.startsWith('v1.37.'))).toBe(false);
  });

  it('alternatives, globs and negation', () => {
    const jwt = filterPlans(plans, 'method=jwt,cm=v1.19.5|v1.20.3');
    expect(jwt.length).toBeGreaterThan(0);
    expect(jwt.every((p) => p.auth.method === 'jwt' && ['v1.19.5', 'v1.20.3'].includes(p.certManager.version) || p.certManager.upgrade)).toBe(true);
    expect(filterPlans(plans, 'profile=*-like').every((p) => p.profile.name.endsWith('-like'))).toBe(true);
    expect(filterPlans(plans, 'engine!=vault').every((p) => p.vault.engine === 'openbao')).toBe(true);
  });

  it('tags, failures, readiness, Issuer kind, upgrades, environments', () => {
    expect(ids('tag=smoke').length).toBeGreaterThanOrEqual(5);
    expect(filterPlans(plans, 'failure=crd-unknown-field').every((p) => p.expect.failure === 'crd-unknown-field')).toBe(true);
    expect(filterPlans(plans, 'ready=true').every((p) => p.expect.ready)).toBe(true);
    expect(filterPlans(plans, 'kind=ClusterIssuer').every((p) => p.issuer.kind === 'ClusterIssuer')).toBe(true);
    expect(ids('upgrade=true,installer=helm3')).toHaveLength(8);
    expect(ids('upgrade=true,installer=helm4')).toHaveLength(8);
    const env = plans[0]!.environmentKey;
    expect(filterPlans(plans, `env=${env}`).every((p) => p.environmentKey === env)).toBe(true);
  });

  it('an upgrade matches either of its versions', () => {
    const both = ['upgrade-v1.14.7-to-v1.15.5-audiences-accepted', 'upgrade-v1.14.7-to-v1.15.5-audiences-lost-by-lenient-client'];
    expect(ids('cm=v1.14.7,upgrade=true,installer=helm4').sort()).toEqual(both);
    // v1.15.5 is also where the token-exposure upgrade starts
    const fromOrTo = [...both, 'upgrade-v1.15.5-to-v1.16.5-token-exposure'];
    expect(ids('cm=v1.15.5,upgrade=true,installer=helm4').sort()).toEqual(fromOrTo);
    expect(ids('cm=v1.15.5,upgrade=true,installer=helm3').sort()).toEqual(fromOrTo.map((id) => `helm3-${id}`));
  });

  it('an unknown key is an InputError with a suggestion', () => {
    try {
      filterPlans(plans, 'profil=kind');
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).format()).toMatch(/--filter \(profil\): unknown filter key `profil`\n  fix: did you mean `profile`\?/);
    }
    expect(() => filterPlans(plans, 'tag=')).toThrow(/has no value/);
  });
});
