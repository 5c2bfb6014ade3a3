// Abduction with the oracle: every setup consistent with the known facts is predicted, and those whose
// predicted message says what the Issuer says are kept. Facts fix a dimension; a missing fact leaves its
// plausible values open, each with a weight (how unusual it is) and the assumption it stands for.
import { defaultAudience } from '../scenarios/placeholders.ts';
import { predict } from '../scenarios/oracle/index.ts';
import { kubernetesAuthFailure } from '../scenarios/oracle/messages.ts';
import { customProfile } from '../scenarios/profiles.ts';
import type { AuthSpec, ClusterProfile, EnvironmentFacts, FailureClass, Placement, Plan, Prediction, ReviewHost, TokenReviewer, VaultEngine } from '../scenarios/types.ts';
import type { Versions } from '../scenarios/versions.ts';
import { reviewerOf, type DiagnosisFacts } from './model.ts';
import { sameSignature, signatureOf, type MessageSignature } from './message.ts';
import { atLeast, parseCertManagerVersion } from '../scenarios/oracle/version.ts';
import { pinnedEquivalent } from './versions.ts';

/** What an unknown role audience or bound ServiceAccount is assumed to be, for illustration only. */
export const OTHER_AUDIENCE = 'vault';
export const OTHER_SERVICE_ACCOUNT = 'another-service-account';
/** kind's (and kubeadm's) issuer, which is then its only API audience: the assumption when the cluster is unknown. */
export const ASSUMED_API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

export interface Candidate {
  plan: Plan;
  env: EnvironmentFacts;
  prediction: Prediction;
  /** What this candidate assumes beyond the facts, in words. */
  assumptions: string[];
  /** Sum of the assumptions' weights: lower is the more ordinary setup. */
  weight: number;
  outcome: FailureClass | 'ready';
}

interface Draft {
  method: 'kubernetes' | 'jwt';
  authMount: string;
  reviewer: TokenReviewer;
  placement: Placement;
  roleAudience?: string;
  boundNames?: string[];
  boundNamespaces?: string[];
  boundAudiences: string[];
  tokenRequestRole: boolean;
  authDelegator: boolean;
  apiAudiences: string[];
  serviceAccountIssuer: string;
  certManager: string;
  reviewHost?: ReviewHost;
}

interface Option {
  set: (d: Draft) => void;
  weight: number;
  assumption?: string;
  /** An option about one auth method only: ignored (no effect, no weight) for the other. */
  only?: 'kubernetes' | 'jwt';
}

const known = (set: (d: Draft) => void): Option[] => [{ set, weight: 0 }];

export interface CandidateContext {
  facts: DiagnosisFacts;
  versions: Versions;
  profiles: ReadonlyMap<string, ClusterProfile>;
}

/** Every candidate setup (known facts fixed, unknown ones enumerated), predicted by the oracle. */
export function enumerate(ctx: CandidateContext): Candidate[] {
  const { facts } = ctx;
  const i = facts.issuer;
  const v = facts.vault;
  const dims: Option[][] = [methodOptions(ctx), mountOptions(ctx), reviewerOptions(ctx), placementOptions(ctx), roleOptions(ctx), ...rbacOptions(ctx), clusterOptions(ctx), certManagerOptions(ctx), reviewHostOptions(ctx)];
  const byKey = new Map<string, Candidate>();
  for (const all of product(dims)) {
    const d: Draft = {
      method: 'kubernetes',
      authMount: i.mount,
      reviewer: 'reviewer-jwt',
      placement: 'external',
      boundAudiences: [],
      tokenRequestRole: true,
      authDelegator: true,
      apiAudiences: [ASSUMED_API_AUDIENCE],
      serviceAccountIssuer: ASSUMED_API_AUDIENCE,
      certManager: ctx.versions.certManager.default,
    };
    all[0]!.set(d);
    const combo = all.filter((o) => !o.only || o.only === d.method);
    for (const o of combo) o.set(d);
    const plan = toPlan(ctx, d, v.engine ?? 'vault');
    const env: EnvironmentFacts = { vaultServer: i.server, clusterResourceNamespace: facts.clusterResourceNamespace, apiAudiences: d.apiAudiences, serviceAccountIssuer: d.serviceAccountIssuer };
    const prediction = predict(plan, env);
    const assumptions = combo.flatMap((o) => (o.assumption ? [o.assumption] : []));
    const candidate: Candidate = { plan, env, prediction, assumptions, weight: combo.reduce((n, o) => n + o.weight, 0), outcome: prediction.ready ? 'ready' : prediction.failure! };
    // Options of the other method leave the same setup behind: keep one of each, the most ordinary.
    const key = JSON.stringify([plan.auth, plan.issuer, plan.vault, plan.profile, plan.certManager]);
    const seen = byKey.get(key);
    if (!seen || seen.weight > candidate.weight) byKey.set(key, candidate);
  }
  return [...byKey.values()];
}

/** The predicted text as a signature: the API server's rejection, else the Issuer's Ready message. */
export function predictedSignature(p: Prediction): MessageSignature {
  if (p.rejection) return signatureOf(p.rejection.message);
  return signatureOf(p.issuer?.message);
}

/** The candidates that say what the Issuer says (all of them when there is nothing to compare with). */
export function consistent(candidates: Candidate[], observed: MessageSignature): Candidate[] {
  if (observed.kind === 'unknown' && observed.text === '') return candidates;
  return candidates.filter((c) => sameSignature(predictedSignature(c.prediction), observed));
}

function* product(dims: Option[][]): Generator<Option[]> {
  if (!dims.length) {
    yield [];
    return;
  }
  const [first, ...rest] = dims;
  for (const o of first!) for (const tail of product(rest)) yield [o, ...tail];
}

function methodOptions({ facts }: CandidateContext): Option[] {
  const v = facts.vault;
  const knownType = v.role?.type ?? v.config?.type ?? (v.mounts?.[facts.issuer.mount] as 'kubernetes' | 'jwt' | undefined);
  if (knownType === 'kubernetes' || knownType === 'jwt') return known((d) => (d.method = knownType));
  const jwtish = /jwt|oidc/i.test(facts.issuer.mount);
  return [
    { set: (d) => (d.method = 'kubernetes'), weight: jwtish ? 1 : 0, assumption: 'the mount is a kubernetes auth method' },
    { set: (d) => (d.method = 'jwt'), weight: jwtish ? 0 : 1, assumption: 'the mount is a JWT auth method' },
  ];
}

function mountOptions({ facts }: CandidateContext): Option[] {
  const named = facts.issuer.mount;
  const mounts = facts.vault.mounts;
  const elsewhere = (d: Draft) => {
    const real = mounts ? Object.entries(mounts).find(([, type]) => type === d.method)?.[0] : undefined;
    d.authMount = real ?? (named === d.method ? `${d.method}-cluster` : d.method);
  };
  if (mounts) return known(named in mounts ? () => undefined : elsewhere);
  return [
    { set: () => undefined, weight: 0 },
    { set: elsewhere, weight: 2, assumption: `nothing is mounted at auth/${named} (the auth method lives at another path)` },
  ];
}

function reviewerOptions({ facts }: CandidateContext): Option[] {
  const c = facts.vault.config;
  if (c?.type === 'kubernetes') return known((d) => (d.reviewer = reviewerOf(c)));
  return (['reviewer-jwt', 'client-jwt', 'local-token'] as const).map((r) => ({
    set: (d: Draft) => (d.reviewer = r),
    weight: 0,
    only: 'kubernetes' as const,
    assumption: `${{ 'reviewer-jwt': 'Vault reviews with token_reviewer_jwt', 'client-jwt': 'Vault has no reviewer token (disable_local_ca_jwt): the login JWT reviews itself', 'local-token': "Vault reviews with its own pod's token" }[r]}`,
  }));
}

function placementOptions({ facts }: CandidateContext): Option[] {
  const inCluster = facts.vault.inCluster;
  if (inCluster !== undefined) return known((d) => (d.placement = inCluster ? 'in-cluster' : 'external'));
  const looksInCluster = /\.svc(\.|:|\/|$)/.test(facts.issuer.server);
  return [
    { set: (d) => (d.placement = 'in-cluster'), weight: looksInCluster ? 0 : 1, assumption: 'Vault runs in the cluster' },
    { set: (d) => (d.placement = 'external'), weight: looksInCluster ? 1 : 0, assumption: 'Vault runs outside the cluster' },
  ];
}

function roleOptions({ facts }: CandidateContext): Option[] {
  const role = facts.vault.role;
  if (role?.type === 'kubernetes') {
    return known((d) => {
      if (role.audience !== undefined) d.roleAudience = role.audience;
      d.boundNames = role.boundServiceAccountNames;
      d.boundNamespaces = role.boundServiceAccountNamespaces;
    });
  }
  if (role?.type === 'jwt') return known((d) => (d.boundAudiences = role.boundAudiences));
  const defaultAud = defaultAudienceOf(facts);
  const options: Option[] = [];
  for (const audience of [undefined, OTHER_AUDIENCE]) {
    for (const other of [false, true]) {
      options.push({
        set: (d) => {
          if (audience !== undefined) d.roleAudience = audience;
          if (other) d.boundNames = [OTHER_SERVICE_ACCOUNT];
        },
        weight: (audience ? 1 : 0) + (other ? 1 : 0),
        only: 'kubernetes',
        assumption: `the role has ${audience ? `an audience the token lacks (e.g. "${audience}")` : 'no audience'} and is bound to ${other ? 'another ServiceAccount' : `ServiceAccount ${facts.issuer.serviceAccount}`}`,
      });
    }
  }
  for (const [bound, weight, words] of [
    [[defaultAud], 0, `bound_audiences ["${defaultAud}"]`],
    [[], 1, 'no bound_audiences'],
    [[OTHER_AUDIENCE], 1, `bound_audiences the token lacks (e.g. ["${OTHER_AUDIENCE}"])`],
  ] as const) {
    options.push({ set: (d) => (d.boundAudiences = [...bound]), weight, only: 'jwt', assumption: `the JWT role has ${words}` });
  }
  return options;
}

function rbacOptions({ facts }: CandidateContext): Option[][] {
  const { tokenRequest, authDelegator } = facts.rbac;
  const tr: Option[] =
    tokenRequest !== undefined
      ? known((d) => (d.tokenRequestRole = tokenRequest))
      : [
          { set: (d) => (d.tokenRequestRole = true), weight: 0 },
          { set: (d) => (d.tokenRequestRole = false), weight: 1, assumption: 'no Role lets cert-manager create tokens for the ServiceAccount' },
        ];
  const ad: Option[] =
    authDelegator !== undefined
      ? known((d) => (d.authDelegator = authDelegator))
      : [
          { set: (d) => (d.authDelegator = true), weight: 0 },
          { set: (d) => (d.authDelegator = false), weight: 1, only: 'kubernetes', assumption: 'the ServiceAccount is not bound to system:auth-delegator' },
        ];
  return [tr, ad];
}

/** Only what a finding read: an auth config that misses the API server is never assumed (it would shadow every other 403). */
function reviewHostOptions({ facts }: CandidateContext): Option[] {
  const kind = facts.reviewHost;
  return kind ? [{ set: (d) => (d.reviewHost = kind), weight: 0, only: 'kubernetes' }] : known(() => undefined);
}

function clusterOptions({ facts }: CandidateContext): Option[] {
  const c = facts.cluster;
  if (c) return known((d) => ((d.apiAudiences = [...c.apiAudiences]), (d.serviceAccountIssuer = c.serviceAccountIssuer)));
  const first = facts.issuer.audiences?.[0];
  const assumed = (aud: string, words: string, weight: number): Option => ({
    set: (d) => ((d.apiAudiences = [aud]), (d.serviceAccountIssuer = aud)),
    weight,
    assumption: words,
  });
  if (!first) return [assumed(ASSUMED_API_AUDIENCE, `the API server's audiences are unknown: assumed ["${ASSUMED_API_AUDIENCE}"]`, 0)];
  return [
    assumed(first, `the API server accepts the Issuer's first audience "${first}"`, 0),
    assumed(first === ASSUMED_API_AUDIENCE ? 'https://kubernetes.default.svc' : ASSUMED_API_AUDIENCE, `the API server does not accept the Issuer's audiences`, 1),
  ];
}

function certManagerOptions({ facts, versions }: CandidateContext): Option[] {
  const v = facts.certManager?.version;
  if (v) {
    const pinned = pinnedEquivalent(v, versions) ?? v;
    return known((d) => (d.certManager = pinned));
  }
  const options: Option[] = [{ set: (d) => (d.certManager = versions.certManager.default), weight: 0, assumption: `cert-manager's version is unknown: assumed ${versions.certManager.default}` }];
  const old = versions.certManager.versions.find((x) => !atLeast(parseCertManagerVersion(x), 1, 15));
  if (facts.issuer.audiences && old) options.push({ set: (d) => (d.certManager = old), weight: 1, assumption: `cert-manager is older than v1.15 (assumed ${old})` });
  return options;
}

function defaultAudienceOf(facts: DiagnosisFacts): string {
  const i = facts.issuer;
  return defaultAudience({ kind: i.kind, name: i.name, ...(i.namespace ? { namespace: i.namespace } : {}), serviceAccount: i.serviceAccount, tokenRequestRole: true, authDelegator: true, fieldValidation: 'strict' });
}

function toPlan(ctx: CandidateContext, d: Draft, engine: VaultEngine): Plan {
  const i = ctx.facts.issuer;
  const auth: AuthSpec =
    d.method === 'kubernetes'
      ? {
          method: 'kubernetes',
          mount: d.authMount,
          tokenReviewer: d.reviewer,
          ...(d.roleAudience !== undefined ? { roleAudience: d.roleAudience } : {}),
          ...(d.boundNames ? { boundServiceAccountNames: d.boundNames } : {}),
          ...(d.boundNamespaces ? { boundServiceAccountNamespaces: d.boundNamespaces } : {}),
          ...(d.reviewHost ? { reviewHost: d.reviewHost } : {}),
        }
      : { method: 'jwt', mount: d.authMount, boundAudiences: d.boundAudiences };
  const profile = matchingProfile(ctx.profiles, d.serviceAccountIssuer, d.apiAudiences) ?? customProfile(d.serviceAccountIssuer, d.apiAudiences);
  const versions = ctx.versions;
  return {
    id: 'diagnosed',
    description: 'the diagnosed Issuer',
    cluster: {
      profile: profile.name as Plan['cluster']['profile'],
      kubernetes: versions.kubernetes.default,
      ...(profile.name === 'custom' ? { serviceAccountIssuer: d.serviceAccountIssuer, apiAudiences: d.apiAudiences } : {}),
    },
    certManager: { version: d.certManager, installer: versions.certManagerInstaller },
    vault: { engine, version: (engine === 'openbao' ? versions.openbao : versions.vault).default, placement: d.placement },
    auth,
    issuer: {
      kind: i.kind,
      name: i.name,
      ...(i.namespace ? { namespace: i.namespace } : {}),
      serviceAccount: i.serviceAccount,
      ...(i.mount !== d.authMount ? { mount: i.mount } : {}),
      ...(i.audiences ? { audiences: [...i.audiences] } : {}),
      tokenRequestRole: d.tokenRequestRole,
      authDelegator: d.authDelegator,
      fieldValidation: 'strict',
    },
    expect: { ready: true },
    source: { file: 'diagnose', line: 0 },
    tags: [],
    profile,
    environmentKey: 'diagnose',
    ci: false,
  };
}

function matchingProfile(profiles: ReadonlyMap<string, ClusterProfile>, issuer: string, audiences: readonly string[]): ClusterProfile | undefined {
  return [...profiles.values()].find((p) => p.serviceAccountIssuer === issuer && p.apiAudiences.length === audiences.length && p.apiAudiences.every((a, k) => a === audiences[k]));
}

/** The message cert-manager would show for a candidate (its Ready message or the API server's rejection). */
export function predictedMessage(p: Prediction): string {
  return p.rejection?.message ?? p.issuer?.message ?? kubernetesAuthFailure('(no message)');
}
