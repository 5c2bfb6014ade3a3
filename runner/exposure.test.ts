import { describe, expect, it } from 'vitest';
import type { Observation, Prediction } from '../scenarios/types.ts';
import { rightsOf, serviceAccountGroups } from './exposure.ts';
import { exposureSide } from './exposure-verdict.ts';

const SELF = { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] };
const base: Prediction = { ready: true, tokenAudiences: [], issuer: null, steps: [] };
const obs = (exposure: Observation['exposure']): Observation => ({ issuer: null, vaultLog: [], apiserverLog: [], ...(exposure ? { exposure } : {}) });
const USER = 'system:serviceaccount:team-a:vault-issuer';

describe('rights of a rules review', () => {
  it('drops the self-reviews every user has and names the rest', () => {
    const rights = rightsOf({ spec: {}, status: { incomplete: false, nonResourceRules: [], resourceRules: [SELF, { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'] }, { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] } });
    expect(rights).toEqual(['* *.*', 'create tokenreviews.authentication.k8s.io']);
  });
});

describe('the exposure side', () => {
  it('a token without an API audience must be refused', () => {
    const p = { ...base, exposure: { apiAudience: false } };
    expect(exposureSide(p, obs({ audiences: ['vault://x'], refused: 'HTTP 401 Unauthorized' }))[0]?.ok).toBe(true);
    expect(exposureSide(p, obs({ audiences: ['vault://x'], user: USER, rights: [] }))[0]?.ok).toBe(false);
  });

  it('a minimal ServiceAccount has no rights; a careless binding fails the side and is named', () => {
    const minimal = { ...base, exposure: { apiAudience: true, user: USER, grants: [] } };
    expect(exposureSide(minimal, obs({ audiences: ['a'], user: USER, rights: [] }))[0]?.ok).toBe(true);
    expect(exposureSide(minimal, obs({ audiences: ['a'], user: USER, rights: ['* *.*'] }))[0]).toMatchObject({ ok: false, observed: expect.stringContaining('which may: * *.* — whoever holds the token') });
    const careless = { ...base, exposure: { apiAudience: true, user: USER, grants: ['RoleBinding to ClusterRole cluster-admin in team-a'] } };
    expect(exposureSide(careless, obs({ audiences: ['a'], user: USER, rights: ['* *.*'] }))[0]?.ok).toBe(true);
  });

  it('auth-delegator must show up as create tokenreviews', () => {
    const p = { ...base, exposure: { apiAudience: true, user: USER, grants: ['x'], mustInclude: 'create tokenreviews.authentication.k8s.io' } };
    expect(exposureSide(p, obs({ audiences: ['a'], user: USER, rights: ['create tokenreviews.authentication.k8s.io'] }))[0]?.ok).toBe(true);
    expect(exposureSide(p, obs({ audiences: ['a'], user: USER, rights: ['get pods'] }))[0]?.ok).toBe(false);
  });

  it('who may request tokens: every predicted answer must match its SubjectAccessReview', () => {
    const CM = 'system:serviceaccount:cert-manager:cert-manager';
    const issuerSa = { subject: CM, namespace: 'team-a', serviceAccount: 'vault-issuer' };
    const ownSa = { subject: CM, namespace: 'cert-manager', serviceAccount: 'cert-manager' };
    const p = { ...base, exposure: { requesters: [{ ...issuerSa, allowed: true, why: 'a Role' }, { ...ownSa, allowed: false, why: 'dropped' }] } };
    const side = exposureSide(p, obs({ requesters: [{ ...issuerSa, allowed: true }, { ...ownSa, allowed: false }] }))[0];
    expect(side).toMatchObject({ ok: true, observed: `${CM} may request tokens for team-a/vault-issuer: yes, cert-manager/cert-manager: no` });
    expect(exposureSide(p, obs({ requesters: [{ ...issuerSa, allowed: true }, { ...ownSa, allowed: true }] }))[0]?.ok).toBe(false);
    expect(exposureSide(p, obs({ requesters: [{ ...issuerSa, allowed: true }] }))[0]?.ok).toBe(false);
  });

  it('token use and requesters are one side: both must hold', () => {
    const CM = 'system:serviceaccount:cert-manager:cert-manager';
    const asked = { subject: CM, namespace: 'team-a', serviceAccount: 'vault-issuer' };
    const p = { ...base, exposure: { apiAudience: false, requesters: [{ ...asked, allowed: true, why: 'a Role' }] } };
    const refused = { audiences: ['vault://x'], refused: 'HTTP 401 Unauthorized' };
    expect(exposureSide(p, obs({ ...refused, requesters: [{ ...asked, allowed: true }] }))).toHaveLength(1);
    expect(exposureSide(p, obs({ ...refused, requesters: [{ ...asked, allowed: true }] }))[0]?.ok).toBe(true);
    expect(exposureSide(p, obs({ ...refused, requesters: [{ ...asked, allowed: false }] }))[0]?.ok).toBe(false);
  });
});

describe("the release's default ServiceAccount rights", () => {
  it('are not counted, but shown; anything beyond them still is', () => {
    const ctb = 'get,list,watch clustertrustbundles.certificates.k8s.io';
    const minimal = { ...base, exposure: { apiAudience: true, user: USER, grants: [], defaultRights: [ctb] } };
    const [ok] = exposureSide(minimal, obs({ audiences: ['a'], user: USER, rights: [ctb] }));
    expect(ok).toMatchObject({ ok: true, observed: expect.stringContaining(`nothing beyond the self-reviews every user has (and what every ServiceAccount may here: ${ctb})`) });
    expect(exposureSide(minimal, obs({ audiences: ['a'], user: USER, rights: [ctb, 'get secrets'] }))[0]).toMatchObject({ ok: false, observed: expect.stringContaining('may: get secrets (and what') });
    // without the release's defaults (up to 1.36) the same right is an exposure
    expect(exposureSide({ ...minimal, exposure: { ...minimal.exposure, defaultRights: [] } }, obs({ audiences: ['a'], user: USER, rights: [ctb] }))[0]?.ok).toBe(false);
  });
});

describe('SubjectAccessReview groups', () => {
  it('a ServiceAccount user carries the groups its authenticator adds', () => {
    expect(serviceAccountGroups('system:serviceaccount:cert-manager:cert-manager')).toEqual(['system:serviceaccounts', 'system:serviceaccounts:cert-manager', 'system:authenticated']);
    expect(serviceAccountGroups('alice')).toEqual(['system:authenticated']);
  });
});
