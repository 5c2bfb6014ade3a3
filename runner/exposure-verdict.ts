import type { ExposurePrediction, Observation, Prediction, SideVerdict, TokenRequester } from '../scenarios/types.ts';

type ExposureObserved = NonNullable<Observation['exposure']>;

/** The observed rights beyond the self-reviews and the release's default ServiceAccount rights (`defaults`). */
function beyondDefaults(o: ExposureObserved, defaults: readonly string[]): string[] {
  return (o.rights ?? []).filter((r) => !defaults.includes(r));
}

/** The sentence the report shows next to the verdict; `defaults`: what every ServiceAccount may on this release. */
export function exposureSentence(o: ExposureObserved, defaults: readonly string[] = []): string {
  return [tokenSentence(o, defaults), o.requesters ? requestersSentence(o.requesters) : undefined].filter(Boolean).join('; ');
}

function tokenSentence(o: ExposureObserved, defaults: readonly string[]): string | undefined {
  if (!o.audiences) return undefined;
  if (o.refused) return `refused by the API server (${o.refused}): the token is no Kubernetes credential`;
  const rights = beyondDefaults(o, defaults);
  const held = (o.rights ?? []).filter((r) => defaults.includes(r));
  const alsoDefaults = held.length ? ` (and what every ServiceAccount may here: ${held.join('; ')})` : '';
  return rights.length
    ? `this token is also a Kubernetes credential for ${o.user}, which may: ${rights.join('; ')}${alsoDefaults} — whoever holds the token until it expires may too`
    : `this token is also a Kubernetes credential for ${o.user}, which may do nothing beyond the self-reviews every user has${alsoDefaults}`;
}

export function requestersSentence(requesters: readonly TokenRequester[]): string {
  const subjects = [...new Set(requesters.map((r) => r.subject))];
  return subjects
    .map((s) => `${s} may request tokens for ${requesters.filter((r) => r.subject === s).map((r) => `${r.namespace}/${r.serviceAccount}: ${r.allowed ? 'yes' : 'no'}`).join(', ')}`)
    .join('; ');
}

/** One side: the token's use against the API server (where measured) and who may mint the tokens (where asked). */
export function exposureSide(p: Prediction, o: Observation): SideVerdict[] {
  const e = p.exposure;
  if (!e || !o.exposure) return [];
  const parts = [tokenPart(e, o.exposure), requestersPart(e, o.exposure)].filter((x): x is { ok: boolean; expected: string } => !!x);
  if (!parts.length) return [];
  return [{ side: 'exposure', ok: parts.every((x) => x.ok), expected: parts.map((x) => x.expected).join('; '), observed: exposureSentence(o.exposure, e.defaultRights) }];
}

function tokenPart(e: ExposurePrediction, o: ExposureObserved): { ok: boolean; expected: string } | undefined {
  if (e.apiAudience === undefined) return undefined;
  if (!e.apiAudience) return { ok: !!o.refused, expected: 'refused by the API server (HTTP 401 Unauthorized): the token is no Kubernetes credential' };
  const grants = e.grants ?? [];
  const rights = beyondDefaults(o, e.defaultRights ?? []);
  const expected = `authenticated as ${e.user}; ${grants.length ? `rights from ${grants.join('; ')}${e.mustInclude ? `, including ${e.mustInclude}` : ''}` : 'no rights beyond the self-reviews'}`;
  const ok =
    !!o.audiences &&
    !o.refused &&
    o.user === e.user &&
    (grants.length ? rights.length > 0 : rights.length === 0) &&
    (!e.mustInclude || rights.some((r) => r.split(' ')[0]!.split(',').includes(e.mustInclude!.split(' ')[0]!) && r.endsWith(e.mustInclude!.split(' ')[1]!)));
  return { ok, expected };
}

function requestersPart(e: ExposurePrediction, o: ExposureObserved): { ok: boolean; expected: string } | undefined {
  if (!e.requesters) return undefined;
  const seen = o.requesters ?? [];
  const ok = e.requesters.every((r) => seen.some((x) => x.subject === r.subject && x.namespace === r.namespace && x.serviceAccount === r.serviceAccount && x.allowed === r.allowed));
  return { ok, expected: requestersSentence(e.requesters) };
}
