import type { Observation, Prediction, SideVerdict } from '../scenarios/types.ts';

/** The sentence the report shows next to the verdict. */
export function exposureSentence(o: NonNullable<Observation['exposure']>): string {
  if (o.refused) return `refused by the API server (${o.refused}): the token is no Kubernetes credential`;
  const rights = o.rights ?? [];
  return rights.length
    ? `this token is also a Kubernetes credential for ${o.user}, which may: ${rights.join('; ')} — FLAGGED: rights beyond what the issuer needs`
    : `this token is also a Kubernetes credential for ${o.user}, which may do nothing beyond the self-reviews every user has`;
}

export function exposureSide(p: Prediction, o: Observation): SideVerdict[] {
  const e = p.exposure;
  if (!e || !o.exposure) return [];
  const observed = exposureSentence(o.exposure);
  if (!e.apiAudience) {
    return [{ side: 'exposure', ok: !!o.exposure.refused, expected: 'refused by the API server (HTTP 401 Unauthorized): the token is no Kubernetes credential', observed }];
  }
  const grants = e.grants ?? [];
  const rights = o.exposure.rights ?? [];
  const expected = `authenticated as ${e.user}; ${grants.length ? `rights from ${grants.join('; ')}${e.mustInclude ? `, including ${e.mustInclude}` : ''}` : 'no rights beyond the self-reviews'}`;
  const ok =
    !o.exposure.refused &&
    o.exposure.user === e.user &&
    (grants.length ? rights.length > 0 : rights.length === 0) &&
    (!e.mustInclude || rights.some((r) => r.split(' ')[0]!.split(',').includes(e.mustInclude!.split(' ')[0]!) && r.endsWith(e.mustInclude!.split(' ')[1]!)));
  return [{ side: 'exposure', ok, expected, observed }];
}
