import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { EnvironmentError, InputError } from '../../lib/errors.ts';
import { buildKindImages } from '../../kind/images/build.ts';
import { ensureDockerHost } from '../../provision/docker/docker.ts';
import { loadPins } from '../../provision/pins.ts';
import { provision, selectRecipes } from '../../provision/provision.ts';
import type { ArtifactSet } from '../../provision/recipe.ts';
import { allRecipes } from '../../provision/recipes/index.ts';

export function registerProvision(program: Command): void {
  program
    .command('provision')
    .description('get every pinned component into the cache: its official release where one answers, else a build from the Go module proxy (CM_VAULT_E2E_SOURCE=official|build); a warm cache does nothing')
    .option('--only <names>', 'comma list of artifact names or name@version (see `doctor`)')
    .option('--for <sets>', 'only what these backends need: local, kind (comma list)')
    .option('--jobs <n>', 'builds at once', String(availableParallelism()))
    .option('--verify', 're-hash cached binaries')
    .option('--docker', 'also install and start the Docker host (implied by --for kind)')
    .action(async (opts: { only?: string; for?: string; jobs: string; verify?: boolean; docker?: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as { versions?: string };
      const recipes = allRecipes(await loadPins(globals.versions));
      const only = opts.only?.split(',').map((s) => s.trim()).filter(Boolean);
      const sets = opts.for?.split(',').map((s) => s.trim()) as ArtifactSet[] | undefined;
      for (const s of sets ?? []) {
        if (s !== 'local' && s !== 'kind') throw new InputError({ file: 'command line', field: '--for' }, `unknown backend "${s}"`, 'use local, kind or local,kind');
      }
      const chosen = selectRecipes(recipes, only, sets);
      const unknown = (only ?? []).filter((o) => !recipes.some((r) => r.name === o || `${r.name}@${r.version}` === o));
      if (unknown.length) {
        throw new InputError({ file: 'command line', field: '--only' }, `unknown artifact ${unknown.join(', ')}`, `choose from: ${[...new Set(recipes.map((r) => r.name))].join(', ')}`);
      }
      const started = Date.now();
      const forKind = !!sets?.includes('kind');
      if (opts.docker || forKind) await ensureDockerHost({ onLine: (l) => process.stderr.write(`${l}\n`) });
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const outcomes = await provision(chosen, { jobs: Number(opts.jobs), verify: !!opts.verify, signal: controller.signal });
        const failed = outcomes.filter((o) => o.state === 'failed');
        const counts = ['built', 'cached', 'unavailable', 'failed'].map((s) => `${outcomes.filter((o) => o.state === s).length} ${s}`).join(', ');
        process.stderr.write(`provision: ${counts} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
        for (const o of outcomes) if (o.state === 'unavailable') process.stderr.write(`  ${o.recipe.name} ${o.recipe.version}: ${o.advice}\n`);
        if (failed.length) {
          const first = failed[0]!;
          throw first.state === 'failed' ? first.error : new EnvironmentError('provision', 'failed', 'see above');
        }
        if (forKind) {
          // The node image and kubeadm's images, from the binaries above (a warm cache only checks labels).
          const images = await buildKindImages({ log: (l) => process.stderr.write(`${l}\n`) });
          process.stderr.write(`provision: kind node image ${images.nodeImage} ready\n`);
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
