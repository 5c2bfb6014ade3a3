import type { Command } from 'commander';
import { execa } from 'execa';
import { cleanKind } from '../../kind/clean.ts';
import { cleanProcesses } from '../../lib/clean.ts';
import { cacheLayout } from '../../provision/cache.ts';
import { cleanLocalVaults } from '../../vault/placements/local-state.ts';

export function registerClean(program: Command): void {
  program
    .command('clean')
    .description('stop and remove everything a run left behind (kept environments, killed runs): processes, cmve-* kind clusters, labelled containers')
    .action(async () => {
      const { runs } = cacheLayout();
      const vaults = await cleanLocalVaults(runs);
      const procs = await cleanProcesses(runs);
      for (const v of vaults) process.stdout.write(`vault pid ${v.pid}: ${v.killed ? 'stopped' : 'already gone'}\n`);
      for (const p of procs) process.stdout.write(`${p.name} pid ${p.pid}: ${p.killed ? 'stopped' : 'already gone'}\n`);
      process.stdout.write(`clean: ${vaults.length + procs.length} processes handled\n`);
      if ((await execa('docker', ['version'], { reject: false })).exitCode === 0) {
        const kind = await cleanKind();
        process.stdout.write(`clean: kind clusters deleted: ${kind.clusters.join(', ') || 'none'}; containers removed: ${kind.containers.join(', ') || 'none'}\n`);
      }
    });
}
