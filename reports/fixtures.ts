// RunReport fixtures for the report tests: texts as the real components print them.
// `fixtureRun()` holds one scenario of each kind a report must show:
//   - a Ready scenario that passes on all four sides,
//   - a refused scenario that passes (the failure it predicted is the one observed),
//   - a JWT-auth scenario on another profile that passes,
//   - a scenario that FAILS ON PURPOSE: its planted prediction words the Issuer message differently
//     from what cert-manager printed, so only the issuer side differs,
//   - a scenario skipped with a reason.
import type { EnvironmentFacts, Plan, Prediction, SideVerdict } from '../scenarios/types.ts';
import type { ReportedResult, RunReport, ScenarioResult, SkippedScenario } from './model.ts';

export const KIND_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
export const VAULT_SERVER = 'https://127.0.0.1:8200';
export const ROOT_TOKEN = 'hvs.fixtureRootTokenDoNotLeak0123';

/** What cert-manager v1.16.5 prints when Vault's TokenReview is refused by the API server. */
export const ISSUER_PERMISSION_DENIED =
  'Failed to initialize Vault client: while requesting a Vault token using the Kubernetes auth: error calling Vault server: Error making API request.\n\n' +
  `URL: PUT ${VAULT_SERVER}/v1/auth/kubernetes/login\nCode: 403. Errors:\n\n* permission denied`;

/** The planted, wrong prediction for the failing fixture: same Vault answer, different wording before it. */
export const PLANTED_ISSUER_MESSAGE = ISSUER_PERMISSION_DENIED.replace('error calling Vault server', 'error logging in to Vault server');

export const APISERVER_AUDIENCE_LINE = `token audiences ["vault://team-a/vault-issuer"] is invalid for the target audiences ["${KIND_AUDIENCE}"]`;

export const INVALID_AUDIENCE = 'invalid audience (aud) claim: audience claim does not match any expected audience';

export const OPENBAO_SKIP_REASON =
  'environment failed to start: openbao v2.6.2 is not provisioned: the Go module proxy serves no version of github.com/openbao/openbao (its v2 tags lack a /v2 module path)';

const AKS = {
  name: 'aks-like',
  serviceAccountIssuer: 'https://westeurope.oic.prod-aks.azure.com/6f1c2b0e-3d4a-4e5f-9a8b-7c6d5e4f3a2b/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/',
  apiAudiences: [
    'https://westeurope.oic.prod-aks.azure.com/6f1c2b0e-3d4a-4e5f-9a8b-7c6d5e4f3a2b/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/',
    'https://aks-like-dns-3f2a1b.hcp.westeurope.azmk8s.io',
  ],
};
const KIND = { name: 'kind', serviceAccountIssuer: KIND_AUDIENCE, apiAudiences: [KIND_AUDIENCE] };

type PlanOverrides = Partial<Omit<Plan, 'profile' | 'vault'>> & { profile?: Plan['profile']; vault?: Partial<Plan['vault']> };

export function fixturePlan(id: string, o: PlanOverrides = {}): Plan {
  const profile = o.profile ?? KIND;
  const vault = { engine: 'vault' as const, version: 'v1.21.0', placement: 'external' as const, ...o.vault };
  const certManager: Plan['certManager'] = o.certManager ?? { version: 'v1.16.5', installer: 'helm3' };
  return {
    id,
    description: o.description ?? `fixture ${id}`,
    cluster: { profile: profile.name as Plan['cluster']['profile'], kubernetes: 'v1.34.4' },
    certManager,
    vault,
    auth: o.auth ?? { method: 'kubernetes', mount: 'kubernetes', tokenReviewer: 'client-jwt' },
    issuer: o.issuer ?? { kind: 'Issuer', name: 'vault-issuer', namespace: 'team-a', serviceAccount: 'vault-issuer', tokenRequestRole: true, authDelegator: true, fieldValidation: 'strict' },
    expect: o.expect ?? { ready: true },
    source: o.source ?? { file: 'scenarios/catalogue/core.yaml', line: 3 },
    tags: o.tags ?? ['smoke'],
    profile,
    environmentKey: `${profile.name}@5c1e9a0d/k8s-v1.34.4/cm-${certManager.version}/${vault.engine}-${vault.version}/${vault.placement}`,
    ci: true,
  };
}

function factsFor(plan: Plan): EnvironmentFacts {
  return { vaultServer: VAULT_SERVER, clusterResourceNamespace: 'cert-manager', apiAudiences: plan.profile.apiAudiences, serviceAccountIssuer: plan.profile.serviceAccountIssuer };
}

function result(plan: Plan, prediction: Prediction, observation: ScenarioResult['observation'], sides: SideVerdict[], durationMs: number, evidence: Record<string, string>): ScenarioResult {
  return {
    plan,
    facts: factsFor(plan),
    prediction,
    observation,
    verdict: { id: plan.id, pass: sides.every((s) => s.ok), sides, durationMs },
    evidence,
    notes: [],
  };
}

const issuerLine = (status: string, reason: string, message: string) => `Ready=${status} ${reason}: ${message}`;
const REDACTED_TOKEN =
  '<jwt header={"alg":"RS256","kid":"Zx3l0yQk"} claims={"aud":["vault://team-a/vault-issuer"],"exp":1764344400,"iat":1764343800,"iss":"https://kubernetes.default.svc.cluster.local","sub":"system:serviceaccount:team-a:vault-issuer"}>';

export function readyPass(): ScenarioResult {
  const plan = fixturePlan('k8s-client-jwt-api-audience-ready', {
    description: "adding the API server's audience to serviceAccountRef.audiences lets the client's own token authenticate the TokenReview",
    source: { file: 'scenarios/catalogue/core.yaml', line: 13 },
    issuer: { kind: 'Issuer', name: 'vault-issuer', namespace: 'team-a', serviceAccount: 'vault-issuer', audiences: ['${cluster.apiAudience}'], tokenRequestRole: true, authDelegator: true, fieldValidation: 'strict' },
  });
  const ready = { status: 'True' as const, reason: 'VaultVerified', message: 'Vault verified' };
  return result(
    plan,
    { ready: true, tokenAudiences: ['vault://team-a/vault-issuer', KIND_AUDIENCE], issuer: ready, steps: [] },
    { issuer: ready, vaultLog: [], apiserverLog: [], certificate: { ready: true, serial: '3f9a61c2d0b84e7a', chainVerified: true, sansMatch: true } },
    [
      { side: 'issuer', ok: true, expected: issuerLine('True', 'VaultVerified', 'Vault verified'), observed: issuerLine('True', 'VaultVerified', 'Vault verified') },
      { side: 'vault', ok: true, expected: 'no error from Vault', observed: 'no error from Vault' },
      { side: 'apiserver', ok: true, expected: 'no audience rejection', observed: 'no audience rejection' },
      { side: 'certificate', ok: true, expected: 'ready=true chainVerified=true sansMatch=true', observed: 'ready=true chainVerified=true sansMatch=true' },
    ],
    8_412,
    {
      'Issuer-vault-issuer.json': JSON.stringify({ kind: 'Issuer', metadata: { name: 'vault-issuer', namespace: 'team-a' }, status: { conditions: [{ type: 'Ready', ...ready }] } }, null, 2),
      'apiserver.log': '',
      'vault.log': '[DEBUG] auth.kubernetes.auth_kubernetes_5a1c: login succeeded: role=cm-vault-e2e',
      'cert-manager.log': 'I1128 15:41:02.118 1 setup.go:113] "Vault verified" logger="cert-manager.issuers" resource_name="vault-issuer"',
    },
  );
}

export function refusedPass(): ScenarioResult {
  const plan = fixturePlan('k8s-role-audience-mismatch', {
    description: 'a Kubernetes auth role whose audience is not in the token is refused by Vault itself, whatever the API server says',
    auth: { method: 'kubernetes', mount: 'kubernetes', tokenReviewer: 'reviewer-jwt', roleAudience: 'vault://team-a/other' },
    expect: { ready: false, failure: 'vault-role-audience' },
    source: { file: 'scenarios/catalogue/core.yaml', line: 28 },
  });
  const message = ISSUER_PERMISSION_DENIED.replace('* permission denied', `* ${INVALID_AUDIENCE}`);
  const logLine = `login unauthorized: err="${INVALID_AUDIENCE}"`;
  const issuer = { status: 'False' as const, reason: 'VaultError', message };
  return result(
    plan,
    { ready: false, failure: 'vault-role-audience', tokenAudiences: ['vault://team-a/vault-issuer'], issuer, vault: { status: 403, errors: [INVALID_AUDIENCE], logLine }, steps: [] },
    { issuer, vaultLog: [`2025-11-28T15:41:07.512Z [DEBUG] auth.kubernetes.auth_kubernetes_5a1c: ${logLine}`], apiserverLog: [] },
    [
      { side: 'issuer', ok: true, expected: issuerLine('False', 'VaultError', message), observed: issuerLine('False', 'VaultError', message) },
      { side: 'vault', ok: true, expected: `HTTP 403: ${INVALID_AUDIENCE}; log: ${logLine}`, observed: `HTTP 403: ${INVALID_AUDIENCE}; log: 2025-11-28T15:41:07.512Z [DEBUG] auth.kubernetes.auth_kubernetes_5a1c: ${logLine}` },
      { side: 'apiserver', ok: true, expected: 'no audience rejection', observed: 'no audience rejection' },
    ],
    6_031,
    {
      'Issuer-vault-issuer.json': JSON.stringify({ kind: 'Issuer', metadata: { name: 'vault-issuer', namespace: 'team-a' }, status: { conditions: [{ type: 'Ready', ...issuer }] } }, null, 2),
      'apiserver.log': '',
      'vault.log': `2025-11-28T15:41:07.512Z [DEBUG] auth.kubernetes.auth_kubernetes_5a1c: ${logLine} jwt=${REDACTED_TOKEN}`,
      'cert-manager.log': 'E1128 15:41:07.514 1 setup.go:96] "failed to initialize Vault client" err="while requesting a Vault token using the Kubernetes auth: …"',
    },
  );
}

export function jwtPass(): ScenarioResult {
  const plan = fixturePlan('jwt-bound-audience-mismatch-aks', {
    description: "JWT auth with bound_audiences that leave out the token's audience is refused with 400 on an AKS-like cluster",
    profile: AKS,
    certManager: { version: 'v1.19.5', installer: 'helm3' },
    auth: { method: 'jwt', mount: 'jwt', boundAudiences: ['vault://team-a/other'] },
    expect: { ready: false, failure: 'jwt-bound-audience' },
    source: { file: 'scenarios/catalogue/jwt-auth.yaml', line: 4 },
    tags: [],
  });
  const error = `error validating token: ${INVALID_AUDIENCE}`;
  const message = ISSUER_PERMISSION_DENIED.replace('/v1/auth/kubernetes/login', '/v1/auth/jwt/login').replace('Code: 403', 'Code: 400').replace('* permission denied', `* ${error}`);
  const issuer = { status: 'False' as const, reason: 'VaultError', message };
  return result(
    plan,
    { ready: false, failure: 'jwt-bound-audience', tokenAudiences: ['vault://team-a/vault-issuer'], issuer, vault: { status: 400, errors: [error] }, steps: [] },
    { issuer, vaultLog: [], apiserverLog: [] },
    [
      { side: 'issuer', ok: true, expected: issuerLine('False', 'VaultError', message), observed: issuerLine('False', 'VaultError', message) },
      { side: 'vault', ok: true, expected: `HTTP 400: ${error}`, observed: `HTTP 400: ${error}` },
      { side: 'apiserver', ok: true, expected: 'no audience rejection', observed: 'no audience rejection' },
    ],
    5_276,
    { 'Issuer-vault-issuer.json': JSON.stringify({ kind: 'Issuer', metadata: { name: 'vault-issuer', namespace: 'team-a' }, status: { conditions: [{ type: 'Ready', ...issuer }] } }, null, 2) },
  );
}

/** Fails on purpose: the planted prediction's Issuer message is worded unlike cert-manager's; Vault and the API server agree. */
export function issuerMismatchFail(): ScenarioResult {
  const plan = fixturePlan('k8s-client-jwt-default-audience-refused', {
    description: "with client-jwt review, a token carrying only cert-manager's default audience is refused by the API server Vault reviews it with",
    expect: { ready: false, failure: 'apiserver-audience' },
    source: { file: 'scenarios/catalogue/core.yaml', line: 3 },
  });
  const observedIssuer = { status: 'False', reason: 'VaultError', message: ISSUER_PERMISSION_DENIED };
  const apiserverLogLine = `E1128 15:40:51.203118 41277 authentication.go:74] "Unable to authenticate the request" err="[invalid bearer token, ${APISERVER_AUDIENCE_LINE.replaceAll('"', '\\"')}]"`;
  return result(
    plan,
    {
      ready: false,
      failure: 'apiserver-audience',
      tokenAudiences: ['vault://team-a/vault-issuer'],
      issuer: { status: 'False', reason: 'VaultError', message: PLANTED_ISSUER_MESSAGE },
      vault: { status: 403, errors: ['permission denied'] },
      apiserver: { line: APISERVER_AUDIENCE_LINE },
      steps: [],
    },
    { issuer: observedIssuer, vaultLog: [], apiserverLog: [apiserverLogLine] },
    [
      { side: 'issuer', ok: false, expected: issuerLine('False', 'VaultError', PLANTED_ISSUER_MESSAGE), observed: issuerLine('False', 'VaultError', ISSUER_PERMISSION_DENIED) },
      { side: 'vault', ok: true, expected: 'HTTP 403: permission denied', observed: 'HTTP 403: permission denied' },
      { side: 'apiserver', ok: true, expected: APISERVER_AUDIENCE_LINE, observed: APISERVER_AUDIENCE_LINE },
    ],
    7_958,
    {
      'Issuer-vault-issuer.json': JSON.stringify({ kind: 'Issuer', metadata: { name: 'vault-issuer', namespace: 'team-a' }, status: { conditions: [{ type: 'Ready', ...observedIssuer }] } }, null, 2),
      'apiserver.log': apiserverLogLine,
      'vault.log': `2025-11-28T15:40:51.204Z [ERROR] auth.kubernetes.auth_kubernetes_5a1c: login failed: token=${REDACTED_TOKEN} status=403`,
      'cert-manager.log': 'E1128 15:40:51.206 1 setup.go:96] "failed to initialize Vault client" err="while requesting a Vault token using the Kubernetes auth: …"',
    },
  );
}

export function openbaoSkipped(): SkippedScenario {
  return {
    plan: fixturePlan('k8s-client-jwt-api-audience-ready-openbao', {
      description: 'the Ready scenario against OpenBao instead of Vault',
      vault: { engine: 'openbao', version: 'v2.6.2', placement: 'in-cluster' },
      source: { file: 'scenarios/catalogue/engines.yaml', line: 3 },
      tags: [],
    }),
    skipped: OPENBAO_SKIP_REASON,
  };
}

/** Could not run: its environment did not start because a pinned Vault was not provisioned (as runner/run.ts records it). */
export function vaultNotProvisioned(): SkippedScenario {
  return {
    plan: fixturePlan('k8s-local-token-ready', { description: 'local-token review with the Vault pod token', source: { file: 'scenarios/catalogue/core.yaml', line: 40 }, tags: [] }),
    skipped: 'could not run: environment failed to start: error: vault v1.21.0: not provisioned on this machine',
    broken: true,
    missing: ['vault@v1.21.0'],
  };
}

export function fixtureResults(): ReportedResult[] {
  return [issuerMismatchFail(), readyPass(), refusedPass(), jwtPass(), openbaoSkipped()];
}

export function fixtureRun(results: ReportedResult[] = fixtureResults()): RunReport {
  const keys = [...new Set(results.map((r) => r.plan.environmentKey))].sort();
  return {
    startedAt: '2025-11-28T15:38:00.000Z',
    finishedAt: '2025-11-28T15:42:31.500Z',
    backend: 'kind',
    versions: { kubernetes: 'v1.34.4', 'cert-manager': 'v1.16.5', vault: 'v1.21.0', kind: 'v0.30.0', etcd: 'v3.6.5' },
    environments: keys.map((key) =>
      key.includes('openbao')
        ? { key, notes: [], startupMs: 1_204, error: OPENBAO_SKIP_REASON.replace('environment failed to start: ', '') }
        : { key, notes: [`kind v0.30.0 node image kindest/node:v1.34.0 (${key.split('@')[0]} profile)`], startupMs: key.startsWith('kind@') ? 71_350 : 74_020 },
    ),
    results,
  };
}
