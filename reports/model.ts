// What a finished run hands to the report writers. Everything here is data the runner already produced:
// the writers format it, they never judge it again.
import { COULD_NOT_RUN } from '../runner/could-not-run.ts';
import type { EnvironmentRecord, SkippedScenario } from '../runner/run.ts';
import type { ScenarioResult } from '../runner/run-scenario.ts';
import type { SideVerdict } from '../scenarios/types.ts';

export type { ScenarioResult, SkippedScenario, EnvironmentRecord };

/** A scenario that ran (and has a verdict) or one the runner skipped with a reason (the runner's `Outcome`). */
export type ReportedResult = ScenarioResult | SkippedScenario;

export type Backend = 'local' | 'kind' | 'existing';

export interface RunReport {
  /** ISO 8601. */
  startedAt: string;
  finishedAt: string;
  backend: Backend;
  /** Component -> version actually run, e.g. { kubernetes: 'v1.34.4', vault: 'v1.21.0' }. */
  versions: Record<string, string>;
  environments: EnvironmentRecord[];
  results: ReportedResult[];
}

/**
 * `could-not-run`: a scenario that was to run and did not (its environment did not start, a pin was not
 * provisioned, the run threw): no verdict, so not a failure of the oracle, and not a skip either (nobody chose it).
 */
export type Status = 'pass' | 'fail' | 'skip' | 'could-not-run';

export type SideName = SideVerdict['side'];
/** A side can also be absent (the certificate is only judged for scenarios predicted Ready) or not judged (not observable). */
export type SideStatus = Status | 'n/a' | 'not-judged';

export const SIDES: readonly SideName[] = ['issuer', 'vault', 'apiserver', 'certificate', 'audit', 'exposure'];

export const SIDE_LABELS: Record<SideName, string> = {
  issuer: 'Issuer',
  vault: 'Vault',
  apiserver: 'API server',
  certificate: 'Certificate',
  audit: 'Vault audit log',
  exposure: 'Token as a Kubernetes credential, and who may mint it',
};

export const isSkipped = (r: ReportedResult): r is SkippedScenario => 'skipped' in r;

export function statusOf(r: ReportedResult): Status {
  if (isSkipped(r)) return r.broken ? 'could-not-run' : 'skip';
  return r.verdict.pass ? 'pass' : 'fail';
}

export function sideOf(r: ReportedResult, side: SideName): SideVerdict | undefined {
  return isSkipped(r) ? undefined : r.verdict.sides.find((s) => s.side === side);
}

export function sideStatus(r: ReportedResult, side: SideName): SideStatus {
  if (isSkipped(r)) return 'skip';
  const s = sideOf(r, side);
  if (!s) return 'n/a';
  return sideVerdictStatus(s);
}

export function sideVerdictStatus(s: SideVerdict): 'pass' | 'fail' | 'not-judged' {
  return s.unobserved ? 'not-judged' : s.ok ? 'pass' : 'fail';
}

/** Scenarios that ran with at least one side the backend could not observe. */
export function notJudged(r: ReportedResult): SideVerdict[] {
  return isSkipped(r) ? [] : r.verdict.sides.filter((s) => s.unobserved);
}

export function durationMs(r: ReportedResult): number {
  return isSkipped(r) ? 0 : r.verdict.durationMs;
}

/** Results in a stable order (by id), whatever order the environments finished in. */
export function sortedResults(run: RunReport): ReportedResult[] {
  return [...run.results].sort((a, b) => (a.plan.id < b.plan.id ? -1 : a.plan.id > b.plan.id ? 1 : 0));
}

export interface Totals {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  couldNotRun: number;
  notJudged: number;
}

/**
 * `couldNotRun` apart from `failed` and `skipped`; `notJudged`: scenarios with a side not judged, counted apart
 * (they are also in passed or failed, on the sides judged).
 */
export function summarize(results: readonly ReportedResult[]): Totals {
  const count = (s: Status) => results.filter((r) => statusOf(r) === s).length;
  return { total: results.length, passed: count('pass'), failed: count('fail'), skipped: count('skip'), couldNotRun: count('could-not-run'), notJudged: results.filter((r) => notJudged(r).length > 0).length };
}

/** "3 passed, 1 failed, 15 could not run, 2 skipped": the CLI's totals line, in every format ("could not run" only when some). */
export function totalsText(t: Pick<Totals, 'passed' | 'failed' | 'skipped'> & { couldNotRun?: number }): string {
  return `${t.passed} passed, ${t.failed} failed, ${t.couldNotRun ? `${t.couldNotRun} ${COULD_NOT_RUN}, ` : ''}${t.skipped} skipped`;
}
