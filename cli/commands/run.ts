import type { Command } from 'commander';
import { InputError } from '../../lib/errors.ts';
import { localBackend } from '../../local/backend.ts';
import { isSkipped, runPlans, type Outcome } from '../../runner/run.ts';
import { filterPlans, loadPlans } from '../../scenarios/plan.ts';
import { loadVersions } from '../../scenarios/versions.ts';
import { formatOutcome } from '../format-outcome.ts';

export function registerRun(program: Command): void {
  program
    .command('run [ids...]')
    .description('run scenarios on real components and judge them against the oracle')
    .option('--backend <name>', 'local (process cluster)', 'local')
    .option('--filter <expr>', 'select scenarios (see `list --help`)')
    .option('--concurrency <n>', 'environments up at once', '1')
    .option('--keep', 'leave the environment running afterwards (prints how to look inside)')
    .action(async (ids: string[], opts: { backend: string; filter?: string; concurrency: string; keep?: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as { scenarios?: string[]; versions?: string };
      if (opts.backend !== 'local') throw new InputError({ file: 'command line', field: '--backend' }, `unknown backend "${opts.backend}"`, 'use --backend local');
      const versions = loadVersions(globals.versions);
      let plans = loadPlans({ dirs: globals.scenarios ?? [], ...(globals.versions ? { versionsFile: globals.versions } : {}) });
      if (ids.length) {
        const unknown = ids.filter((id) => !plans.some((p) => p.id === id));
        if (unknown.length) throw new InputError({ file: 'command line', field: 'ids' }, `no scenario ${unknown.join(', ')}`, 'see `cm-vault-e2e list` for ids');
        plans = plans.filter((p) => ids.includes(p.id));
      }
      if (opts.filter) plans = filterPlans(plans, opts.filter);
      const controller = new AbortController();
      const onSignal = () => {
        process.stderr.write('\ninterrupted: stopping environments…\n');
        controller.abort();
      };
      process.once('SIGINT', onSignal);
      const started = Date.now();
      try {
        const result = await runPlans(plans, {
          ...localBackend(versions),
          concurrency: Number(opts.concurrency),
          keep: !!opts.keep,
          signal: controller.signal,
          onEnvironment: (e) => process.stderr.write(e.error ? `environment ${e.key}: FAILED\n${e.error}\n` : `environment ${e.key}: up in ${(e.startupMs / 1000).toFixed(1)}s\n`),
          onResult: (o) => process.stdout.write(formatOutcome(o) + '\n'),
        });
        summarize(result.outcomes, Date.now() - started);
        process.exitCode = result.outcomes.some((o) => !isSkipped(o) && !o.verdict.pass) ? 1 : 0;
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}

function summarize(outcomes: Outcome[], ms: number) {
  const passed = outcomes.filter((o) => !isSkipped(o) && o.verdict.pass).length;
  const failed = outcomes.filter((o) => !isSkipped(o) && !o.verdict.pass).length;
  const skipped = outcomes.filter(isSkipped).length;
  process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped (${(ms / 1000).toFixed(1)}s)\n`);
}
