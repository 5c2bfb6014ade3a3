import type { Command } from 'commander';
import { unrecordedKind } from '../../kind/clean.ts';
import { readLedgers } from '../../lib/ledger.ts';
import { discardKeptEnvironments, dockerAnswers, reapLeftovers } from '../reaping.ts';
import { cacheLayout } from '../../provision/cache.ts';
import { footprint, formatBytes } from '../../provision/footprint.ts';
import { freeCache } from '../../provision/free-cache.ts';

export function registerClean(program: Command): void {
  program
    .command('clean')
    .description('remove kept environments (run --reuse, --keep) and what killed runs left; runs still in progress are spared')
    .option('--all', "also stop runs still in progress that this cache recorded (their runner is alive); another checkout's or another host's runs are left, and said")
    .option('--cache', "also free the suite's disk: every provisioned artifact, Go cache and labelled Docker image (the next provision starts cold); what a run or provision in progress uses is spared, and said")
    .action(async (opts: { all?: boolean; cache?: boolean }) => {
      const layout = cacheLayout();
      const log = (l: string) => process.stdout.write(`${l}\n`);
      const reaped = await reapLeftovers({ runsDir: layout.runs, includeLive: !!opts.all, log });
      const kept = await discardKeptEnvironments({ runsDir: layout.runs, log });
      const failures = [...reaped.failures, ...kept.failures];
      for (const f of failures) process.stderr.write(`clean: could not remove ${f}\n`);
      process.stdout.write(`clean: ${reaped.runs.length} run(s) reaped, ${kept.discarded.length} kept environment(s) removed, ${reaped.removed + kept.removed} thing(s) removed\n`);
      for (const r of reaped.spared) process.stdout.write(`clean: spared run ${r.id} in progress (pid ${r.owner.pid}); \`clean --all\` stops it too\n`);
      const left = reaped.left.length + kept.left.length;
      if (left) process.stdout.write(`clean: ${left} thing(s) left alone (the \`left:\` lines above say why)\n`);
      if (await dockerAnswers()) {
        // clean acts on what this cache's runs recorded, never by name: these may be another checkout's runs
        const unrecorded = await unrecordedKind(new Set((await readLedgers(layout.runs)).map((l) => l.id)));
        if (unrecorded.length) {
          process.stdout.write(`clean: left alone, recorded by no run in this cache: ${unrecorded.map((u) => u.what).join(', ')}\n`);
          process.stdout.write(`  if they are yours and nothing uses them: ${unrecorded.map((u) => u.byHand).join('; ')}\n`);
        }
      }
      if (opts.cache) {
        const before = (await footprint(layout)).total;
        const spared = await freeCache(layout);
        const freed = Math.max(0, before - (await footprint(layout)).total);
        process.stdout.write(`clean: freed ${formatBytes(freed)} (artifacts, Go caches, kind images and tools; timings.json kept for the next estimates)\n`);
        for (const s of spared) process.stdout.write(`clean: spared ${s.name}: ${s.why}\n`);
      }
      if (failures.length) process.exitCode = 1;
    });
}
