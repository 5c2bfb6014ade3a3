// Scenarios side by side, measured: the catalogue on each backend before (`--parallel 1`: one scenario at a time
// under the written names, the path every run took before) and after (`--parallel` at its default), paired in one
// run and alternating (before-after, then after-before, …) so drift hits both alike. Prints, per run and as medians:
// wall time, environment start-up summed, scenario time summed, peak memory (this process tree, which holds the
// process cluster's programs; on kind plus the suite's containers), and the after/before ratios pair by pair. Asserts
// nothing. kind runs create clusters: run them under the machine's kind lock.
// Before also means the environments at once of then (the process cluster one at a time) and a cluster for every
// environment; after, today's defaults. `--before cluster-per-environment` makes before today's defaults with a
// cluster for every environment (`run --cluster-per-environment`), to weigh the cluster handoff alone; `--before go-defaults`
// today's defaults with the process cluster's Go programs on Go's own garbage collector settings (lib/go-runtime.ts), to
// weigh those alone; `--before plain-nodes` today's defaults with every kind cluster made from the plain node image,
// each environment loading its images (kind/images/stocked.ts), to weigh the stocked node images alone.
// `--before-concurrency N` sets the environments at once of before only (`--concurrency`: of both).
//   npx tsx bench/parallel.ts [--backend local|kind|local,kind] [--scope shipped|grown] [--filter EXPR] [--pairs N]
//                             [--parallel N] [--concurrency N] [--first before|after] [--report-dir DIR]
//                             [--before old|cluster-per-environment|go-defaults|plain-nodes] [--before-concurrency N]
// The first run of a machine builds what the caches lack (kind images of a cert-manager release): warm them first,
// or start with the other side (`--first after`) and say so.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ownClusterBackends } from '../cli/backends.ts';
import { runSettings } from '../cli/run-settings.ts';
import { kindCannotCreate } from '../kind/profiles.ts';
import { isSkipped, runPlans, type Outcome } from '../runner/run.ts';
import { defaultConcurrency, defaultParallel } from '../runner/schedule.ts';
import type { RunSettings } from '../runner/environment-spec.ts';
import { GO_RUNTIME_DEFAULTS } from '../lib/go-runtime.ts';
import { filterPlans, loadPlans } from '../scenarios/plan.ts';
import { writeReports } from '../reports/index.ts';
import { peakMemory } from './containers.ts';
import { peakRss } from './rss.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};

/** The catalogue the issue's goals were set on: everything but the files the growth added (Kubernetes 1.35+, more engine versions, Helm 4). */
const SHIPPED = 'file!=*11-kubernetes-versions*,file!=*12-engine-versions*,file!=*13-helm3*';

const settings = runSettings({});
const backends = (arg('--backend') ?? 'local').split(',') as Array<'local' | 'kind'>;
const pairs = Number(arg('--pairs') ?? 1);
const after = Number(arg('--parallel') ?? defaultParallel());
const scope = arg('--scope') ?? 'shipped';
const reportDir = arg('--report-dir');
let plans = loadPlans();
if (scope === 'shipped') plans = filterPlans(plans, SHIPPED);
const extra = arg('--filter');
if (extra) plans = filterPlans(plans, extra);

interface Figures {
  label: string;
  wallMs: number;
  startupMs: number;
  scenarioMs: number;
  peakBytes: number;
  passed: number;
  failed: number;
  broken: number;
  skipped: number;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
// of an even count, the mean of the middle two (with two runs a side, not the lower one)
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Environments up at once before `--parallel` existed: the process cluster one, kind two. */
const CONCURRENCY_BEFORE = { local: 1, kind: 2 } as const;

const BEFORE_MODES = ['old', 'cluster-per-environment', 'go-defaults', 'plain-nodes'];
const beforeMode = arg('--before') ?? 'old';
if (!BEFORE_MODES.includes(beforeMode)) throw new Error(`--before ${beforeMode}: use ${BEFORE_MODES.join(', ')}`);
const oldBefore = beforeMode === 'old';
if (beforeMode === 'go-defaults' && backends.includes('kind')) {
  throw new Error("--before go-defaults --backend kind: kind's control plane runs on Go's defaults either way (lib/go-runtime.ts), so both sides would be the same; use --backend local");
}
const BEFORE_SETTINGS: Record<string, { settings: RunSettings; how: string }> = {
  old: { settings: { ...settings, shareClusters: false }, how: '--cluster-per-environment' },
  'cluster-per-environment': { settings: { ...settings, shareClusters: false }, how: '--cluster-per-environment' },
  'go-defaults': { settings: { ...settings, goRuntime: GO_RUNTIME_DEFAULTS }, how: "Go's own garbage collector settings" },
  'plain-nodes': { settings: { ...settings, kind: { ...settings.kind, stockNodes: false } }, how: 'kind nodes from the plain node image' },
};
const { settings: beforeSettings, how: beforeHow } = BEFORE_SETTINGS[beforeMode]!;

/** The environments at once of a side: the flags, else the defaults of then (before, `old`) or of today. */
function concurrencyOf(backend: 'local' | 'kind', which: 'before' | 'after'): number {
  const flag = (which === 'before' ? arg('--before-concurrency') : undefined) ?? arg('--concurrency');
  if (flag) return Number(flag);
  return which === 'before' && oldBefore ? CONCURRENCY_BEFORE[backend] : defaultConcurrency(backend);
}

async function measure(backend: 'local' | 'kind', which: 'before' | 'after', label: string): Promise<Figures> {
  const skipReason = (p: (typeof plans)[number]) => (backend === 'kind' ? kindCannotCreate(settings.versions.pinned.kind?.version, p.cluster.kubernetes) : undefined);
  const concurrency = concurrencyOf(backend, which);
  const parallel = which === 'before' && oldBefore ? 1 : after;
  const runSettings = which === 'before' ? beforeSettings : settings;
  // The process cluster's programs are this process's children; kind's are the suite's containers (every labelled
  // one on the machine, so another run's clusters count too: run kind benches alone).
  const mem = backend === 'local' ? peakRss(process.pid, 1000) : peakMemory(1000);
  const started = Date.now();
  const result = await runPlans(plans, { ...ownClusterBackends[backend], settings: runSettings, skipReason, concurrency, parallel });
  const wallMs = Date.now() - started;
  const peakBytes = mem.stop();
  const ran = result.outcomes.filter((o): o is Exclude<Outcome, { skipped: string }> => !isSkipped(o));
  const failedIds = ran.filter((o) => !o.verdict.pass).map((o) => o.plan.id);
  const brokenIds = result.outcomes.filter((o) => isSkipped(o) && o.broken).map((o) => o.plan.id);
  if (failedIds.length || brokenIds.length) console.log(`  ${label}: failed ${failedIds.join(', ') || '-'}; could not run ${brokenIds.join(', ') || '-'}`);
  if (reportDir) {
    const secrets = result.secrets;
    await writeReports({ startedAt: new Date(started).toISOString(), finishedAt: new Date().toISOString(), backend, versions: {}, environments: result.environments, results: result.outcomes }, join(reportDir, label.replaceAll(' ', '-')), { secrets });
  }
  return {
    label,
    wallMs,
    startupMs: result.environments.reduce((n, e) => n + e.startupMs, 0),
    scenarioMs: ran.reduce((n, o) => n + o.verdict.durationMs, 0),
    peakBytes,
    passed: ran.length - failedIds.length,
    failed: failedIds.length,
    broken: brokenIds.length,
    skipped: result.outcomes.length - ran.length - brokenIds.length,
  };
}

const row = (f: Figures) =>
  `${f.label.padEnd(22)} wall ${s(f.wallMs).padStart(8)}  start-up Σ ${s(f.startupMs).padStart(8)}  scenarios Σ ${s(f.scenarioMs).padStart(8)}  peak ${(f.peakBytes / 1e6).toFixed(0).padStart(5)} MB  ${f.passed} passed, ${f.failed} failed, ${f.broken} could not run, ${f.skipped} skipped`;

console.log(`${plans.length} scenarios (${scope}${extra ? `, ${extra}` : ''}); ${availableParallelism()} cores; ${pairs} pair(s) per backend`);
for (const b of backends) {
  console.log(`  ${b}: before --parallel ${oldBefore ? 1 : after} --concurrency ${concurrencyOf(b, 'before')}, ${beforeHow}; after --parallel ${after} --concurrency ${concurrencyOf(b, 'after')}`);
}
for (const backend of backends) {
  const before: Figures[] = [];
  const afterRuns: Figures[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate which goes first, so a machine that slows down (or warms up) during the bench weighs on both.
    const afterFirst = (i % 2 === 1) !== (arg('--first') === 'after');
    const order = afterFirst ? (['after', 'before'] as const) : (['before', 'after'] as const);
    for (const which of order) {
      const f = await measure(backend, which, `${backend} ${which} #${i + 1}`);
      console.log(row(f));
      (which === 'before' ? before : afterRuns).push(f);
    }
  }
  const ratio = (key: 'wallMs' | 'startupMs' | 'scenarioMs' | 'peakBytes') => before.map((b, i) => afterRuns[i]![key] / Math.max(1, b[key]));
  const fmt = (xs: number[]) => (xs.length > 1 ? `${median(xs).toFixed(2)} (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})` : xs[0]!.toFixed(2));
  console.log(`${backend}: median wall before ${s(median(before.map((f) => f.wallMs)))}, after ${s(median(afterRuns.map((f) => f.wallMs)))}`);
  console.log(`${backend}: after/before ratios, pair by pair: wall ${fmt(ratio('wallMs'))}, start-up Σ ${fmt(ratio('startupMs'))}, scenarios Σ ${fmt(ratio('scenarioMs'))}, peak memory ${fmt(ratio('peakBytes'))}`);
}
