import type { Command } from 'commander';
import { kindSupport } from '../../kind/host.ts';
import { doctor, formatDoctor } from '../../provision/doctor.ts';
import { loadPins } from '../../provision/pins.ts';
import { allRecipes } from '../../provision/recipes/index.ts';
import { dockerHost } from '../run-settings.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('what is on this machine (components, Docker) and exactly how to get what is missing')
    .option('--json', 'machine-readable')
    .option('--no-docker', 'skip the Docker checks')
    .action(async (opts: { json?: boolean; docker: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as { versions?: string };
      const pins = await loadPins(globals.versions);
      const host = dockerHost();
      const report = await doctor(allRecipes(pins), { docker: opts.docker, ...(host ? { dockerHost: host } : {}), kind: { version: pins.kind, support: (cgroup) => kindSupport(pins.kubernetes, pins.kind, cgroup) } });
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : formatDoctor(report) + '\n');
    });
}
