// report.json: everything a later run (the gating diff) or a person needs, in a stable order:
// scenarios sorted by id, explicit key order for the report's own objects, sorted keys inside runner data.
import { z } from 'zod';
import { dimensionsOf, type DimensionKey } from './dimensions.ts';
import { environmentOf } from './environment-of.ts';
import { couldNotRunReason } from '../runner/could-not-run.ts';
import { durationMs, isSkipped, sideVerdictStatus, sortedResults, statusOf, summarize, type ReportedResult, type RunReport, type SideName, type Status } from './model.ts';

export const REPORT_SCHEMA_VERSION = 1;

export interface JsonSide {
  side: SideName;
  /** Upgrade scenarios: the stage the side was judged at. */
  stage?: 'before' | 'during' | 'after';
  status: 'pass' | 'fail' | 'not-judged';
  expected: string;
  observed: string;
}

export interface JsonScenario {
  id: string;
  status: Status;
  /** Why it was skipped, or why it could not run (then starting "could not run: "). */
  skipReason?: string;
  /** could-not-run: the pinned artifacts (`artifact@version`) the machine lacked, when that was why. */
  missing?: string[];
  description: string;
  environmentKey: string;
  dimensions: Record<DimensionKey, string>;
  tags: string[];
  source: { file: string; line: number };
  durationMs: number;
  sides: JsonSide[];
  /** Absent for skipped scenarios: nothing ran. */
  prediction?: unknown;
  facts?: unknown;
  observation?: unknown;
  notes: string[];
  /** Written and actual names, where the run renamed objects to run scenarios side by side (absent = as written). */
  names?: Array<{ what: string; written: string; actual: string }>;
  /** Evidence file names, under evidence/<id>/. */
  evidence: string[];
}

export interface JsonEnvironment {
  key: string;
  startupMs: number;
  notes: string[];
  error?: string;
  scenarios: string[];
}

export interface JsonReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: 'cm-vault-e2e';
  backend: RunReport['backend'];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /**
   * couldNotRun: scenarios that were to run and did not (counted in none of the others); notJudged: scenarios with
   * a side the backend could not observe. Both absent in older reports (which counted could-not-run as failed).
   */
  summary: { total: number; passed: number; failed: number; skipped: number; couldNotRun?: number; notJudged?: number };
  versions: Record<string, string>;
  environments: JsonEnvironment[];
  scenarios: JsonScenario[];
}

/** A copy with object keys sorted at every depth (arrays keep their order). */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeysDeep((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function sortedRecord(r: Record<string, string>): Record<string, string> {
  return sortKeysDeep(r) as Record<string, string>;
}

function scenario(r: ReportedResult): JsonScenario {
  const p = r.plan;
  const base = {
    id: p.id,
    status: statusOf(r),
    ...(isSkipped(r) ? { skipReason: r.broken ? couldNotRunReason(r.skipped) : r.skipped } : {}),
    ...(isSkipped(r) && r.missing?.length ? { missing: [...r.missing].sort() } : {}),
    description: p.description,
    environmentKey: p.environmentKey,
    dimensions: dimensionsOf(p),
    tags: [...p.tags],
    source: { file: p.source.file, line: p.source.line },
    durationMs: durationMs(r),
  };
  if (isSkipped(r)) return { ...base, sides: [], notes: [], evidence: [] };
  return {
    ...base,
    sides: r.verdict.sides.map((s) => ({ side: s.side, ...(s.stage ? { stage: s.stage } : {}), status: sideVerdictStatus(s), expected: s.expected, observed: s.observed })),
    prediction: sortKeysDeep(r.prediction),
    facts: sortKeysDeep(r.facts),
    observation: sortKeysDeep(r.observation),
    notes: [...r.notes],
    ...(r.names?.length ? { names: r.names.map((n) => ({ ...n })) } : {}),
    evidence: Object.keys(r.evidence).sort(),
  };
}

export function toJsonReport(run: RunReport): JsonReport {
  const results = sortedResults(run);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: 'cm-vault-e2e',
    backend: run.backend,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: Date.parse(run.finishedAt) - Date.parse(run.startedAt),
    summary: summarize(results),
    versions: sortedRecord(run.versions),
    environments: [...run.environments]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((e) => ({
        key: e.key,
        startupMs: e.startupMs,
        notes: [...e.notes],
        ...(e.error !== undefined ? { error: e.error } : {}),
        scenarios: results.filter((r) => environmentOf(run, r.plan)?.key === e.key).map((r) => r.plan.id),
      })),
    scenarios: results.map(scenario),
  };
}

export function renderJson(run: RunReport): string {
  return JSON.stringify(toJsonReport(run), null, 2) + '\n';
}

// What the diff relies on; everything else in a report may grow without a schema bump.
const SideSchema = z.object({ side: z.enum(['issuer', 'vault', 'apiserver', 'certificate', 'audit', 'exposure']), status: z.enum(['pass', 'fail', 'not-judged']), expected: z.string(), observed: z.string() });
// 'could-not-run' is new in schema 1: older reports counted those as 'fail' and still parse (a new value, not a new shape)
const ScenarioSchema = z.looseObject({ id: z.string(), status: z.enum(['pass', 'fail', 'skip', 'could-not-run']), skipReason: z.string().optional(), missing: z.array(z.string()).optional(), sides: z.array(SideSchema) });
const ReportSchema = z.looseObject({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  tool: z.literal('cm-vault-e2e'),
  scenarios: z.array(ScenarioSchema),
});

/** Parse a report.json, refusing other schema versions with a message that says so. */
export function parseJsonReport(text: string, where = 'report'): JsonReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`);
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== REPORT_SCHEMA_VERSION) throw new Error(`${where}: schemaVersion ${JSON.stringify(version)} is not ${REPORT_SCHEMA_VERSION}; regenerate it with this version of cm-vault-e2e`);
  const parsed = ReportSchema.safeParse(data);
  if (!parsed.success) throw new Error(`${where}: not a cm-vault-e2e report: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data as unknown as JsonReport;
}
