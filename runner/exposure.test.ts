import { describe, expect, it } from 'vitest';
import type { Observation, Prediction } from '../scenarios/types.ts';
import { rightsOf } from './exposure.ts';
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

  it('a minimal ServiceAccount has no rights; a careless binding is flagged', () => {
    const minimal = { ...base, exposure: { apiAudience: true, user: USER, grants: [] } };
    expect(exposureSide(minimal, obs({ audiences: ['a'], user: USER, rights: [] }))[0]?.ok).toBe(true);
    expect(exposureSide(minimal, obs({ audiences: ['a'], user: USER, rights: ['* *.*'] }))[0]).toMatchObject({ ok: false, observed: expect.stringContaining('FLAGGED') });
    const careless = { ...base, exposure: { apiAudience: true, user: USER, grants: ['RoleBinding to ClusterRole cluster-admin in team-a'] } };
    expect(exposureSide(careless, obs({ audiences: ['a'], user: USER, rights: ['* *.*'] }))[0]?.ok).toBe(true);
  });

  it('auth-delegator must show up as create tokenreviews', () => {
    const p = { ...base, exposure: { apiAudience: true, user: USER, grants: ['x'], mustInclude: 'create tokenreviews.authentication.k8s.io' } };
    expect(exposureSide(p, obs({ audiences: ['a'], user: USER, rights: ['create tokenreviews.authentication.k8s.io'] }))[0]?.ok).toBe(true);
    expect(exposureSide(p, obs({ audiences: ['a'], user: USER, rights: ['get pods'] }))[0]?.ok).toBe(false);
  });
});
