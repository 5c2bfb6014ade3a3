import { setTimeout as sleep } from 'node:timers/promises';
import { predictStages } from '../scenarios/oracle/index.ts';
import type { EnvironmentFacts, Observation, Plan, Prediction, SideVerdict, Verdict } from '../scenarios/types.ts';
import type { ScenarioEnvironment } from './environment.ts';
import { issuerObservation } from './observe.ts';
import { ScenarioSession } from './session.ts';
import { judge, type JudgeOptions } from './verdict.ts';
import type { Neighbourhood } from './attribution.ts';
import { describeNames, type NameChange } from './isolate.ts';

export interface ScenarioResult {
  plan: Plan;
  facts: EnvironmentFacts;
  /** The prediction and observation of the last stage (for an upgrade: after it). */
  prediction: Prediction;
  observation: Observation;
  verdict: Verdict;
  /** Redacted evidence: objects and log excerpts, collected before cleanup. */
  evidence: Record<string, string>;
  notes: string[];
  /** Names the run gave objects in place of the written ones (scenarios side by side); empty = as written. */
  names?: NameChange[];
  /** Upgrade scenarios: the observation before the upgrade, and how long the upgrade took. */
  before?: Observation;
  upgradeMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface RunScenarioOptions {
  timeoutMs?: number;
  /** Leave the scenario's objects in place (the last scenario of a kept environment). */
  keepObjects?: boolean;
  /** Called with the verdict while the scenario's objects still exist (`--pause-on-failure`). */
  beforeCleanup?: (verdict: Verdict) => Promise<void>;
  /** The plan under isolated names and the renames (runner/isolate.ts); absent = as written. */
  isolated?: { plan: Plan; names: NameChange[] };
  /** The environment's scenarios' log markers, shared by scenarios running side by side. */
  neighbours?: Neighbourhood;
}

/**
 * One scenario as one stage, try/catch/finally in Chainsaw's shape: environment facts -> prediction -> set-up ->
 * an observation per cert-manager version (one, or two across an upgrade) judged against the oracle -> evidence
 * (and, when the verdict fails, the cluster's log bundle) -> cleanup, newest first, whatever happened.
 *
 * An upgrade scenario observes on `from`, upgrades cert-manager in place (CRDs first, then the controller) and
 * observes the same objects on `to`: a certificate issued before must keep its serial through the controller
 * restart, and a new one must issue afterwards when the oracle says Ready.
 *
 * Scenarios of one environment share namespaces, issuer names and auth mounts as written: they run one at a time,
 * or side by side under isolated names (`opts.isolated`), the oracle predicting from the names that really run.
 */
export async function runScenario(env: ScenarioEnvironment, plan: Plan, opts: RunScenarioOptions = {}): Promise<ScenarioResult> {
  const started = Date.now();
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const upgrade = plan.certManager.upgrade;
  const actual = opts.isolated?.plan ?? plan;
  const names = opts.isolated?.names ?? [];
  const s = await ScenarioSession.open(env, actual, opts.neighbours);
  const stages = predictStages(actual, s.facts);
  s.claimMarkers(stages.map((x) => x.prediction.tokenAudiences));
  const observations: Observation[] = [];
  const sides: SideVerdict[] = [];
  let upgradeMs: number | undefined;
  let evidence: Record<string, string> = {};
  let verdict: Verdict;
  try {
    await s.markLogs();
    await s.setUp();
    for (const [i, stage] of stages.entries()) {
      const previous = observations[i - 1];
      if (previous && upgrade) {
        await s.markLogs();
        const t = Date.now();
        await env.upgradeCertManager(upgrade.to);
        upgradeMs = Date.now() - t;
      }
      const { observation, during } = await observe(s, timeout, stage.prediction, previous, judgeOptions(env));
      // After the stage's logs are read: a refused token writes its own audience line to the API server log (the
      // next stage marks the logs again before the upgrade). Each stage is measured: an upgrade may change RBAC.
      if (stage.prediction.exposure) observation.exposure = await s.exposure(stage.prediction);
      observations.push(observation);
      if (during) sides.push(during);
      const judged = judge(stage.prediction, observation, judgeOptions(env));
      sides.push(...(upgrade ? judged.map((x) => ({ ...x, stage: stage.stage })) : judged));
    }
    verdict = { id: plan.id, pass: sides.every((x) => x.ok), sides, durationMs: Date.now() - started };
    evidence = await s.evidence(observations.at(-1)!);
    if (!verdict.pass) Object.assign(evidence, await s.clusterLogBundle());
    await opts.beforeCleanup?.(verdict);
  } finally {
    if (!opts.keepObjects) await s.cleanUp();
  }
  return {
    plan,
    facts: s.facts,
    prediction: stages.at(-1)!.prediction,
    observation: observations.at(-1)!,
    verdict,
    evidence,
    ...(names.length ? { names } : {}),
    notes: [...notesFor(env, plan), ...(names.length ? [describeNames(names)] : []), ...(upgrade && upgradeMs !== undefined ? [`cert-manager ${upgrade.from} -> ${upgrade.to} took ${(upgradeMs / 1000).toFixed(1)}s`] : [])],
    ...(upgrade ? { before: observations[0]!, upgradeMs: upgradeMs ?? 0 } : {}),
  };
}

/**
 * What one cert-manager version makes of the scenario's Issuer (and a Certificate when it is Ready). After an
 * upgrade (`previous` set) the same objects are read again: an Issuer the old CRD refused is created again (its
 * fields may be accepted now), the condition is awaited until it matches the prediction (the old one lingers
 * after the controller restart; bounded), and an earlier certificate must keep its serial.
 */
async function observe(s: ScenarioSession, timeout: number, expected: Prediction, previous: Observation | undefined, options: JudgeOptions): Promise<{ observation: Observation; during?: SideVerdict }> {
  const observation: Observation = { issuer: null, vaultLog: [], apiserverLog: [] };
  let during: SideVerdict | undefined;
  if (!previous || previous.rejection) {
    const rejection = await s.createIssuer();
    if (rejection) observation.rejection = rejection;
  }
  if (!observation.rejection) {
    const want = expected.issuer;
    const until = previous ? (x: { status: string; message?: string }) => !want || (x.status === want.status && x.message === want.message) : undefined;
    const c = (await s.waitIssuer(timeout, until)).condition;
    observation.issuer = issuerObservation(c);
    const earlier = previous?.certificate;
    if (earlier?.secretName && earlier.serial) {
      const serial = await s.serialOf(earlier.secretName);
      during = { side: 'certificate', stage: 'during', ok: serial === earlier.serial, expected: `serial ${earlier.serial} kept through the upgrade`, observed: `serial ${serial ?? '(secret gone)'}` };
    }
    if (c?.status === 'True') observation.certificate = await s.issueCertificate(timeout);
    // The lines the prediction names are written before the answer that settles the Issuer, but reach the logs
    // through pipes and files later, the later the busier the machine (scenarios side by side); and a message an
    // upgrade leaves as it was is there before the new controller has tried. Wait for them (bounded): a line
    // that never comes is still judged missing.
    await waitForLogSides(s, expected, observation, options, timeout);
  }
  Object.assign(observation, await s.logsSinceMark());
  return { observation, ...(during ? { during } : {}) };
}

const LOG_SIDES = new Set(['vault', 'apiserver', 'audit']);

async function waitForLogSides(s: ScenarioSession, expected: Prediction, observation: Observation, options: JudgeOptions, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + Math.min(timeoutMs, 60_000);
  while (Date.now() < deadline) {
    const seen = { ...observation, ...(await s.logsSinceMark()) };
    if (judge(expected, seen, options).every((v) => !LOG_SIDES.has(v.side) || v.ok)) return;
    await sleep(500);
  }
}

/** What the environment says it only emulates for this scenario's Vault placement (shown with the result). */
export function notesFor(env: ScenarioEnvironment, plan: Plan): string[] {
  const note = env.emulated?.[plan.vault.placement];
  return note ? [note] : [];
}

export function judgeOptions(env: ScenarioEnvironment): JudgeOptions {
  return { apiserverLogReadable: env.apiserverLogReadable !== false };
}
