// Known-good vs candidate: which scenarios changed verdict, on which side, and which came or went.
// The gate fails on regressions (a scenario now failing that did not fail before), on new failing scenarios, and on
// scenarios that could not run (no verdict is no evidence).
import type { JsonReport, JsonScenario } from './json.ts';
import { SIDES, type SideName, type Status } from './model.ts';

export type SideState = 'pass' | 'fail' | 'not-judged' | 'absent';

export interface SideChange {
  side: SideName;
  from: SideState;
  to: SideState;
}

export type ChangeKind = 'regression' | 'fix' | 'could-not-run' | 'newly-skipped' | 'no-longer-skipped' | 'sides-changed' | 'no-longer-judged';

export interface ScenarioChange {
  id: string;
  kind: ChangeKind;
  from: Status;
  to: Status;
  /** Every side, with its state before and after (unchanged ones too, for a full row). */
  sides: SideChange[];
  /** The candidate's sides that differ from the oracle, or its skip reason. */
  candidate: JsonScenario;
}

export interface ReportDiff {
  changes: ScenarioChange[];
  added: JsonScenario[];
  removed: JsonScenario[];
  unchanged: number;
  gate: { ok: boolean; reasons: string[] };
}

function sideState(s: JsonScenario, side: SideName): SideState {
  return s.sides.find((x) => x.side === side)?.status ?? 'absent';
}

function classify(from: Status, to: Status): ChangeKind {
  if (to === 'fail' && from !== 'fail') return 'regression';
  // no verdict now: not a regression of the oracle, but no evidence either (the gate fails on it)
  if (to === 'could-not-run') return 'could-not-run';
  if (from === 'fail' && to === 'pass') return 'fix';
  if (to === 'skip') return 'newly-skipped';
  if (from === 'skip') return 'no-longer-skipped';
  return 'sides-changed';
}

export function diffReports(baseline: JsonReport, candidate: JsonReport): ReportDiff {
  const before = new Map(baseline.scenarios.map((s) => [s.id, s]));
  const after = new Map(candidate.scenarios.map((s) => [s.id, s]));
  const changes: ScenarioChange[] = [];
  let unchanged = 0;
  for (const [id, now] of after) {
    const was = before.get(id);
    if (!was) continue;
    const sides = SIDES.map((side) => ({ side, from: sideState(was, side), to: sideState(now, side) }));
    // A side the baseline did not judge yet (a newer suite judges more) that passes is not a change.
    const ran = (x: JsonScenario) => x.status !== 'skip' && x.status !== 'could-not-run';
    const sidesMoved = ran(now) && ran(was) && sides.some((s) => s.from !== s.to && !(s.from === 'absent' && s.to === 'pass'));
    if (was.status === now.status && !sidesMoved) {
      unchanged++;
      continue;
    }
    // A side judged before and not observable now is lost evidence, not a pass: listed apart.
    const lost = was.status === now.status && sides.some((s) => s.to === 'not-judged' && s.from !== 'not-judged');
    changes.push({ id, kind: lost ? 'no-longer-judged' : classify(was.status, now.status), from: was.status, to: now.status, sides, candidate: now });
  }
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  changes.sort(byId);
  const added = candidate.scenarios.filter((s) => !before.has(s.id)).sort(byId);
  const removed = baseline.scenarios.filter((s) => !after.has(s.id)).sort(byId);
  const regressions = changes.filter((c) => c.kind === 'regression');
  const newFailures = added.filter((s) => s.status === 'fail');
  const couldNot = [...changes.filter((c) => c.kind === 'could-not-run').map((c) => c.candidate), ...added.filter((s) => s.status === 'could-not-run')];
  const pins = [...new Set(couldNot.flatMap((s) => s.missing ?? []))].sort();
  const reasons = [
    ...(regressions.length ? [`${regressions.length} regression${regressions.length > 1 ? 's' : ''}: ${regressions.map((c) => c.id).join(', ')}`] : []),
    ...(newFailures.length ? [`${newFailures.length} new scenario${newFailures.length > 1 ? 's' : ''} failing: ${newFailures.map((s) => s.id).join(', ')}`] : []),
    ...(couldNot.length ? [`${couldNot.length} could not run: ${couldNot.map((s) => s.id).join(', ')}${pins.length ? ` (pins not provisioned: ${pins.join(', ')})` : ''}`] : []),
  ];
  return { changes, added, removed, unchanged, gate: { ok: reasons.length === 0, reasons } };
}

export const KIND_TITLES: Record<ChangeKind, string> = {
  regression: 'Regressions',
  fix: 'Fixed',
  'could-not-run': 'Could not run (no verdict)',
  'newly-skipped': 'Newly skipped',
  'no-longer-skipped': 'Running again',
  'sides-changed': 'Still failing, on other sides',
  'no-longer-judged': 'No longer judged (a side not observable now)',
};
export const KIND_ORDER: readonly ChangeKind[] = ['regression', 'could-not-run', 'fix', 'sides-changed', 'no-longer-judged', 'newly-skipped', 'no-longer-skipped'];
