import { predict } from '../scenarios/oracle/index.ts';
import type { EnvironmentFacts, Observation, Plan, Prediction, Verdict } from '../scenarios/types.ts';
import type { ScenarioEnvironment } from './environment.ts';
import { issuerObservation } from './observe.ts';
import { ScenarioSession } from './session.ts';
import { judge, type JudgeOptions } from './verdict.ts';

export { factsOf } from './session.ts';

export interface ScenarioResult {
  plan: Plan;
  facts: EnvironmentFacts;
  prediction: Prediction;
  observation: Observation;
  verdict: Verdict;
  /** Redacted evidence: objects and log excerpts, collected before cleanup. */
  evidence: Record<string, string>;
  notes: string[];
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * One scenario, in order: environment facts -> prediction -> actions -> observations -> verdict.
 * Scenarios of one environment run one at a time (they reuse namespaces, issuer names and auth mounts),
 * and each removes what it created, in reverse order, after its evidence is taken.
 */
export interface RunScenarioOptions {
  timeoutMs?: number;
  /** Leave the scenario's objects in place (the last scenario of a kept environment). */
  keepObjects?: boolean;
  /** Called with the verdict while the scenario's objects still exist (`--pause-on-failure`). */
  beforeCleanup?: (verdict: Verdict) => Promise<void>;
}

export async function runScenario(env: ScenarioEnvironment, plan: Plan, opts: RunScenarioOptions = {}): Promise<ScenarioResult> {
  const started = Date.now();
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const s = await ScenarioSession.open(env, plan);
  const prediction = predict(plan, s.facts);
  const observation: Observation = { issuer: null, vaultLog: [], apiserverLog: [] };
  let evidence: Record<string, string> = {};
  try {
    await s.markLogs();
    await s.setUp();
    const rejection = await s.createIssuer();
    if (rejection) observation.rejection = rejection;
    else {
      const c = (await s.waitIssuer(timeout)).condition;
      observation.issuer = issuerObservation(c);
      if (c?.status === 'True') observation.certificate = await s.issueCertificate(timeout);
    }
    Object.assign(observation, await s.logsSinceMark());
    evidence = await s.evidence(observation);
    const verdict = verdictOf(env, plan, prediction, observation, started);
    if (!verdict.pass) Object.assign(evidence, await s.clusterLogBundle());
    await opts.beforeCleanup?.(verdict);
  } finally {
    if (!opts.keepObjects) await s.cleanUp();
  }
  return {
    plan,
    facts: s.facts,
    prediction,
    observation,
    verdict: verdictOf(env, plan, prediction, observation, started),
    evidence,
    notes: notesFor(env, plan),
  };
}

export function notesFor(env: ScenarioEnvironment, plan: Plan): string[] {
  return plan.vault.placement === 'in-cluster' && env.backend === 'local' ? [env.notes[1]!] : [];
}

function verdictOf(env: ScenarioEnvironment, plan: Plan, prediction: Prediction, observation: Observation, started: number): Verdict {
  const sides = judge(prediction, observation, judgeOptions(env));
  return { id: plan.id, pass: sides.every((x) => x.ok), sides, durationMs: Date.now() - started };
}

export function judgeOptions(env: ScenarioEnvironment): JudgeOptions {
  return { apiserverLogReadable: env.apiserverLogReadable !== false };
}
