import type { Command } from 'commander';
import { InputError } from '../../lib/errors.ts';
import { kindCannotCreate } from '../../kind/profiles.ts';
import { provisionFor } from '../../provision/ensure.ts';
import type { ExistingFlags } from '../../existing/backend.ts';
import { runPlans, type Outcome, type RunResult } from '../../runner/run.ts';
import { heldObjects } from '../../runner/repro.ts';
import { filterPlans, groupByEnvironment, loadPlans } from '../../scenarios/plan.ts';
import { formatOutcome } from '../format-outcome.ts';
import { writeReports } from '../../reports/index.ts';
import { summarize as totals, totalsText, type RunReport } from '../../reports/model.ts';
import type { ScenarioEnvironment } from '../../runner/environment.ts';
import type { Plan, Verdict } from '../../scenarios/types.ts';
import type { Versions } from '../../scenarios/versions.ts';
import { backendFor, BACKENDS, type Backend } from '../backends.ts';
import { candidateOf, runSettings } from '../run-settings.ts';
import { defaultConcurrency, defaultParallel, PARALLEL_PER_CORE } from '../../runner/schedule.ts';
import { describeResource, RunLedger } from '../../lib/ledger.ts';
import { cacheLayout } from '../../provision/cache.ts';
import { reapBeforeRun } from '../reaping.ts';
import { stopOnSignals } from '../interrupt.ts';
import { checkSelection, runExit } from '../run-exit.ts';

export function registerRun(program: Command): void {
  program
    .command('run [ids...]')
    .description('run scenarios on real components and judge them against the oracle')
    .option('--backend <name>', 'local (process cluster), kind (kind clusters, cert-manager by Helm) or existing (your cluster: --kubeconfig)', 'local')
    .option('--kubeconfig <file>', 'existing: the cluster to run on (its current context)')
    .option('--install-cert-manager', 'existing: install the pinned cert-manager chart where none is installed (removed afterwards)')
    .option('--cert-manager-namespace <ns>', "existing: where the cluster's cert-manager runs (default cert-manager)")
    .option('--vault-image <ref>', 'existing: the Vault/OpenBao image, or a template REGISTRY/{engine}:{version} (default: the official images)')
    .option('--filter <expr>', 'select scenarios (see `list --help`)')
    .option('--concurrency <n>', `environments up at once (default: ${defaultConcurrency('kind')} on kind, ${defaultConcurrency('local')} on the process cluster here, 1 on an existing cluster)`)
    .option('--parallel <n>', `scenarios at once inside one environment, under isolated names (default ${defaultParallel()} here: ${PARALLEL_PER_CORE} per core; 1 = one after another, as written)`)
    .option('--keep', 'leave the environment running afterwards (prints how to look inside)')
    .option('--cluster-per-environment', 'start a new cluster for every environment (by default a cluster whose environment ended is handed, cert-manager removed and proven clean, to the next environment of the same profile and Kubernetes)')
    .option('--reuse', 'keep each environment after the run, keyed by its spec, and adopt a kept healthy one with the same spec (reset to a clean state); `clean` removes them')
    .option('--cert-manager-controller <path>', 'release gating: run this candidate controller binary in place of the pinned one of the scenarios\' version (an upgrade moves from the pinned from-version to it)')
    .option('--cert-manager-image <component=image>', 'release gating (kind): a candidate image (reference or `docker save` archive) for controller, webhook or cainjector; repeatable', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--cert-manager-chart <chart>', 'release gating (kind): a candidate chart (directory, .tgz or oci://…:version) with its CRDs')
    .option('--pause-on-failure', 'after a failing scenario, print how to look inside and wait for Enter')
    .option('--shard <i/n>', 'run only the i-th of n shards (whole environments, so clusters stay shared)')
    .option('--report <dir>', 'write junit.xml, report.json, report.html and evidence there')
    .option('--png', 'with --report: also render report.png (needs Chromium)')
    .option('--no-provision', 'fail instead of first provisioning what the chosen scenarios need and this machine lacks')
    .action(async (ids: string[], opts: ExistingFlags & { provision: boolean; backend: string; certManagerImage: string[]; certManagerChart?: string; filter?: string; concurrency?: string; parallel?: string; keep?: boolean; reuse?: boolean; clusterPerEnvironment?: boolean; pauseOnFailure?: boolean; certManagerController?: string; shard?: string; report?: string; png?: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as { scenarios?: string[]; versions?: string };
      const existingOnly = (['kubeconfig', 'installCertManager', 'certManagerNamespace', 'vaultImage'] as const).find((k) => opts[k] !== undefined);
      if (existingOnly && opts.backend !== 'existing') throw new InputError({ file: 'command line', field: `--${existingOnly.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` }, 'is an option of --backend existing', 'add --backend existing --kubeconfig FILE');
      if (!(BACKENDS as readonly string[]).includes(opts.backend)) throw new InputError({ file: 'command line', field: '--backend' }, `unknown backend "${opts.backend}"`, `use --backend ${BACKENDS.join(' or ')}`);
      if (opts.reuse && opts.keep) throw new InputError({ file: 'command line', field: '--reuse' }, '--reuse and --keep both keep environments, for different ends', 'use --reuse to adopt them in the next run, --keep to look inside now');
      const candidate = candidateOf(opts);
      const ledger = new RunLedger(cacheLayout().runs, undefined, undefined, `run ${process.argv.slice(2).join(' ')}`);
      const settings = { ...runSettings({ ...(globals.versions ? { versionsFile: globals.versions } : {}), ...(candidate ? { candidate } : {}) }), run: ledger };
      if (opts.reuse) settings.reuse = true;
      if (opts.clusterPerEnvironment) settings.shareClusters = false;
      const versions = settings.versions;
      let plans = loadPlans({ dirs: globals.scenarios ?? [], ...(globals.versions ? { versionsFile: globals.versions } : {}) });
      if (ids.length) {
        const unknown = ids.filter((id) => !plans.some((p) => p.id === id));
        if (unknown.length) throw new InputError({ file: 'command line', field: 'ids' }, `no scenario ${unknown.join(', ')}`, 'see `cm-vault-e2e list` for ids');
        plans = plans.filter((p) => ids.includes(p.id));
      }
      if (opts.filter) plans = filterPlans(plans, opts.filter);
      // what the run was asked to select, as its exit names it
      const selection = { ids, ...(opts.filter !== undefined ? { filter: opts.filter } : {}) };
      checkSelection(plans.length, selection);
      if (opts.shard) plans = shardOf(plans, opts.shard);
      const log = (l: string) => process.stderr.write(`${l}\n`);
      // SIGINT, SIGTERM and SIGHUP unwind alike (cli/interrupt.ts)
      const stopping = stopOnSignals({ log });
      let backend: Backend | undefined;
      const started = Date.now();
      await ledger.open();
      try {
        process.stderr.write(`run ${ledger.id} (pid ${process.pid})\n`);
        await reapBeforeRun({ runsDir: ledger.runsDir, self: ledger.id, log });
        const chosen = (backend = await backendFor(opts.backend, opts, { ledger, stop: (why) => stopping.stop(why, 3), log }));
        const skipReason = (p: Plan) => chosen.skipReason?.(p) ?? (opts.backend === 'kind' ? kindCannotCreate(versions.pinned.kind?.version, p.cluster.kubernetes) : undefined);
        if (opts.provision && (opts.backend === 'local' || opts.backend === 'kind')) {
          const { source, officialMirror } = settings;
          await provisionFor(plans.filter((p) => !skipReason(p)), opts.backend, versions, { log, signal: stopping.signal, source, ...(officialMirror ? { officialMirror } : {}) });
        }
        const result = await runPlans(plans, {
          startEnvironment: chosen.startEnvironment,
          skipReason,
          settings,
          concurrency: concurrencyOf(opts.backend, opts.concurrency),
          parallel: parallelOf(opts.parallel),
          keep: !!opts.keep,
          ...(opts.pauseOnFailure ? { beforeCleanup: pauseOnFailure } : {}),
          signal: stopping.signal,
          onEnvironment: (e) => process.stderr.write(e.error ? `environment ${e.key}: FAILED\n${e.error}\n` : `environment ${e.key}: up in ${(e.startupMs / 1000).toFixed(1)}s\n`),
          onResult: (o) => process.stdout.write(formatOutcome(o) + '\n'),
        });
        summarize(result.outcomes, Date.now() - started);
        if (opts.report) {
          const run: RunReport = {
            startedAt: new Date(started).toISOString(),
            finishedAt: new Date().toISOString(),
            backend: opts.backend as RunReport['backend'],
            versions: runVersions(versions),
            environments: result.environments,
            results: result.outcomes,
          };
          const { files } = await writeReports(run, opts.report, { png: !!opts.png, secrets: result.secrets });
          process.stdout.write(`reports: ${files.filter((f) => !f.includes('/evidence/')).join(', ')} (+ evidence)\n`);
        }
        // an environment that never came up is a failure, not a skip; a run where nothing ran is not a pass
        const exit = runExit(result.outcomes, { ...selection, ...(opts.shard ? { shard: opts.shard } : {}) });
        if (exit.message) process.stderr.write(`${exit.message}\n`);
        process.exitCode = exit.code;
        // stopped early (a signal, a lost Lease): the run unwound, and says why in its exit code; a stop while
        // kept environments are held (--keep) is how that hold ends
        const stoppedEarly = stopping.exitCode;
        if (result.kept.length) await holdKept(result.kept, ledger, stopping.signal);
        if (stoppedEarly !== undefined) process.exitCode = stoppedEarly;
      } catch (err) {
        // what a stop cut short (a provisioning aborted) is not a crash: said in a line, the exit code the stop's
        if (stopping.exitCode === undefined) throw err;
        log(`stopped: ${(err as Error).message.split('\n')[0]}`);
        process.exitCode = stopping.exitCode;
      } finally {
        await backend?.close?.();
        stopping.dispose();
        for (const r of await ledger.close()) log(`left for the next run (or \`npx cm-vault-e2e clean\`): ${describeResource(r)}`);
      }
    });
}

function concurrencyOf(backend: string, flag: string | undefined): number {
  return flag === undefined ? defaultConcurrency(backend) : positiveWhole('--concurrency', flag);
}

function parallelOf(flag: string | undefined): number {
  return flag === undefined ? defaultParallel() : positiveWhole('--parallel', flag);
}

function positiveWhole(field: string, flag: string): number {
  const n = Number(flag);
  if (!Number.isInteger(n) || n < 1) throw new InputError({ file: 'command line', field }, `"${flag}" is not a positive whole number`, `write e.g. ${field} 2`);
  return n;
}

/**
 * `--keep`: process-cluster environments are local processes whose logs this process writes, so it stays in the
 * foreground holding them (like `kubectl port-forward`) until Ctrl-C; they die with a killed holder (and the next
 * run reaps what is left). kind clusters live in Docker and outlive this process: they are kept for `clean`.
 */
async function holdKept(kept: RunResult['kept'], ledger: RunLedger, stopped: AbortSignal): Promise<void> {
  for (const k of kept) process.stdout.write(`\n${(await k.env.reproInstructions(k.held ? heldObjects(k.held) : undefined)).join('\n')}\n`);
  const envs = kept.map((k) => k.env);
  // an existing cluster's environment is held like the process cluster: its port-forward lives in this process,
  // and Ctrl-C removes what it made from someone else's cluster
  const held = envs.filter((e) => e.backend === 'local' || e.backend === 'existing');
  const kind = envs.filter((e) => e.backend === 'kind');
  if (kind.length) {
    // owned by no process from here on: the next runs' reaping spares them, `clean` removes them
    await ledger.keep({ name: `keep-${ledger.id}`, backend: 'kind', summary: `run --keep: ${kind.map((e) => e.key).join(', ')}`, resources: ledger.resources.filter((r) => r.kind !== 'process' && r.kind !== 'dir') });
    process.stdout.write('\nkind clusters kept: `npx cm-vault-e2e clean` removes them\n');
  }
  if (!held.length) return;
  process.stdout.write(`\n${held.some((e) => e.backend === 'existing') ? 'environment kept on the existing cluster' : 'process-cluster environment kept'}: press Ctrl-C to stop it\n`);
  // the run's own stop (cli/interrupt.ts): Ctrl-C, SIGTERM or SIGHUP
  await new Promise<void>((resolve) => (stopped.aborted ? resolve() : stopped.addEventListener('abort', () => resolve(), { once: true })));
  for (const env of held) await env.stop();
}

async function pauseOnFailure(plan: Plan, verdict: Verdict, env: ScenarioEnvironment): Promise<void> {
  if (verdict.pass) return;
  process.stdout.write(`\n${plan.id} failed; paused with its objects in place:\n${(await env.reproInstructions(heldObjects(plan))).join('\n')}\npress Enter to go on\n`);
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
}

/** Shard by environment groups, so scenarios that share a cluster stay together. */
function shardOf(plans: Plan[], spec: string): Plan[] {
  const m = /^(\d+)\/(\d+)$/.exec(spec);
  const [i, n] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || i < 1 || n < 1 || i > n) throw new InputError({ file: 'command line', field: '--shard' }, `"${spec}" is not i/n with 1 ≤ i ≤ n`, 'write e.g. --shard 2/4');
  const keep = new Set(groupByEnvironment(plans).filter((_, k) => k % n === i - 1).flatMap((g) => g.plans.map((p) => p.id)));
  return plans.filter((p) => keep.has(p.id));
}

function runVersions(v: Versions): Record<string, string> {
  return { kubernetes: v.kubernetes.default, certManager: v.certManager.versions.join(' '), vault: v.vault.versions.join(' '), etcd: v.pinned.etcd?.version ?? '' };
}

function summarize(outcomes: Outcome[], ms: number) {
  process.stdout.write(`\n${totalsText(totals(outcomes))} (${(ms / 1000).toFixed(1)}s)\n`);
}
