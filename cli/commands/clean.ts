import type { Command } from 'commander';
import { execa } from 'execa';
import { cleanKind, unrecordedKind } from '../../kind/clean.ts';
import { discardKeptEnvironments, dockerAnswers, reapLeftovers } from '../reaping.ts';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_LABEL_KEY } from '../../kind/images/common.ts';
import { cacheLayout } from '../../provision/cache.ts';
import { footprint, formatBytes } from '../../provision/footprint.ts';
import { dropGoCaches, goCaches } from '../../provision/go.ts';

export function registerClean(program: Command): void {
  program
    .command('clean')
    .description('remove kept environments (run --reuse, --keep) and what killed runs left; runs still in progress are spared')
    .option('--all', 'also stop runs still in progress (their runner is alive) and remove cmve-* kind clusters and labelled containers no run recorded')
    .option('--cache', "also free the suite's disk: every provisioned artifact, Go cache and labelled Docker image (the next provision starts cold)")
    .action(async (opts: { all?: boolean; cache?: boolean }) => {
      const layout = cacheLayout();
      const log = (l: string) => process.stdout.write(`${l}\n`);
      const reaped = await reapLeftovers({ runsDir: layout.runs, includeLive: !!opts.all, log });
      const kept = await discardKeptEnvironments({ runsDir: layout.runs, log });
      const failures = [...reaped.failures, ...kept.failures];
      for (const f of failures) process.stderr.write(`clean: could not remove ${f}\n`);
      process.stdout.write(`clean: ${reaped.runs.length} run(s) reaped, ${kept.discarded.length} kept environment(s) removed, ${reaped.removed + kept.removed} thing(s) removed\n`);
      for (const r of reaped.spared) process.stdout.write(`clean: spared run ${r.id} in progress (pid ${r.owner.pid}); \`clean --all\` stops it too\n`);
      if (await dockerAnswers()) {
        if (opts.all) {
          const kind = await cleanKind();
          process.stdout.write(`clean: unrecorded kind clusters deleted: ${kind.clusters.join(', ') || 'none'}; containers removed: ${kind.containers.join(', ') || 'none'}\n`);
        } else {
          const left = await unrecordedKind();
          if (left.length) process.stdout.write(`clean: left alone, recorded by no run here (another checkout's, or older): ${left.join(', ')}; \`clean --all\` removes them\n`);
        }
      }
      if (opts.cache) {
        const freed = await freeCache(layout);
        process.stdout.write(`clean: freed ${formatBytes(freed)} (artifacts, Go caches, kind images and tools; timings.json kept for the next estimates)\n`);
      }
      if (failures.length) process.exitCode = 1;
    });
}

/** Removes everything the suite stored but its timings, and its labelled Docker images; returns the bytes freed. */
async function freeCache(layout: ReturnType<typeof cacheLayout>): Promise<number> {
  const before = (await footprint(layout)).total;
  const images = await execa('docker', ['image', 'ls', '-q', '--filter', `label=${PROJECT_LABEL_KEY}`], { reject: false, stdin: 'ignore' });
  const ids = [...new Set(images.stdout.split('\n').filter(Boolean))];
  if (ids.length) await execa('docker', ['image', 'rm', '--force', ...ids], { reject: false, stdin: 'ignore' });
  await dropGoCaches(goCaches(layout));
  for (const name of await readdir(layout.root).catch(() => [] as string[])) {
    if (join(layout.root, name) === layout.timings) continue;
    await execa('chmod', ['-R', 'u+w', join(layout.root, name)], { reject: false });
    await rm(join(layout.root, name), { recursive: true, force: true });
  }
  return Math.max(0, before - (await footprint(layout)).total);
}
