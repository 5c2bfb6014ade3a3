// A sharded nightly writes one report.json per shard; the summary job merges them into one run.
import type { JsonReport } from './json.ts';
import type { Status } from './model.ts';

export function mergeJsonReports(reports: readonly JsonReport[]): JsonReport {
  const first = reports[0];
  if (!first) throw new Error('no reports to merge');
  const scenarios = new Map<string, JsonReport['scenarios'][number]>();
  for (const r of reports) {
    for (const s of r.scenarios) {
      if (scenarios.has(s.id)) throw new Error(`scenario ${s.id} appears in two shards; shards must not overlap`);
      scenarios.set(s.id, s);
    }
  }
  const sorted = [...scenarios.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const startedAt = reports.map((r) => r.startedAt).sort()[0]!;
  const finishedAt = reports.map((r) => r.finishedAt).sort().at(-1)!;
  const versions: Record<string, string> = {};
  for (const r of reports) {
    for (const [k, v] of Object.entries(r.versions)) {
      versions[k] = versions[k] && versions[k] !== v ? [...new Set([...versions[k].split(', '), v])].sort().join(', ') : v;
    }
  }
  const count = (s: Status) => sorted.filter((x) => x.status === s).length;
  return {
    ...first,
    startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
    summary: { total: sorted.length, passed: count('pass'), failed: count('fail'), skipped: count('skip'), couldNotRun: count('could-not-run'), notJudged: sorted.filter((s) => s.sides.some((x) => x.status === 'not-judged')).length },
    versions: Object.fromEntries(Object.keys(versions).sort().map((k) => [k, versions[k]!])),
    environments: mergeEnvironments(reports.flatMap((r) => r.environments)),
    scenarios: sorted,
  };
}

/** The same environment started by two shards: one entry, its scenarios together, the slower start-up. */
function mergeEnvironments(envs: JsonReport['environments']): JsonReport['environments'] {
  const byKey = new Map<string, JsonReport['environments'][number]>();
  for (const e of envs) {
    const seen = byKey.get(e.key);
    if (!seen) {
      byKey.set(e.key, { ...e, notes: [...e.notes], scenarios: [...e.scenarios] });
      continue;
    }
    seen.startupMs = Math.max(seen.startupMs, e.startupMs);
    seen.notes = [...new Set([...seen.notes, ...e.notes])];
    seen.scenarios = [...seen.scenarios, ...e.scenarios].sort();
    if (e.error !== undefined) seen.error = seen.error ? `${seen.error}\n${e.error}` : e.error;
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
