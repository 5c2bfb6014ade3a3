import type { Command } from 'commander';
import { execa } from 'execa';
import { cleanKind } from '../../kind/clean.ts';
import { cleanProcesses } from '../../lib/clean.ts';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_LABEL_KEY } from '../../kind/images/common.ts';
import { cacheLayout } from '../../provision/cache.ts';
import { footprint, formatBytes } from '../../provision/footprint.ts';
import { dropGoCaches, goCaches } from '../../provision/go.ts';

export function registerClean(program: Command): void {
  program
    .command('clean')
    .description('stop and remove everything a run left behind (kept environments, killed runs): processes, cmve-* kind clusters, labelled containers')
    .option('--cache', "also free the suite's disk: every provisioned artifact, Go cache and labelled Docker image (the next provision starts cold)")
    .action(async (opts: { cache?: boolean }) => {
      const layout = cacheLayout();
      const { runs } = layout;
      const procs = await cleanProcesses(runs);
      for (const p of procs) process.stdout.write(`${p.name} pid ${p.pid}: ${p.killed ? 'stopped' : 'already gone'}\n`);
      process.stdout.write(`clean: ${procs.length} processes handled\n`);
      if ((await execa('docker', ['version'], { reject: false })).exitCode === 0) {
        const kind = await cleanKind();
        process.stdout.write(`clean: kind clusters deleted: ${kind.clusters.join(', ') || 'none'}; containers removed: ${kind.containers.join(', ') || 'none'}\n`);
      }
      if (opts.cache) {
        const freed = await freeCache(layout);
        process.stdout.write(`clean: freed ${formatBytes(freed)} (artifacts, Go caches, kind images and tools; timings.json kept for the next estimates)\n`);
      }
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
