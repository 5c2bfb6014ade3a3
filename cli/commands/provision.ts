import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { EnvironmentError, InputError } from '../../lib/errors.ts';
import { buildKindImages } from '../../kind/images/build.ts';
import { cacheLayout } from '../../provision/cache.ts';
import { ensureDockerHost } from '../../provision/docker/docker.ts';
import { duration } from '../../provision/estimates.ts';
import { footprint, formatFootprint } from '../../provision/footprint.ts';
import { holdGoCaches } from '../../provision/go.ts';
import { ensureHostPackages } from '../../provision/host-packages.ts';
import { recipesForPlans } from '../../provision/needs.ts';
import { pinsOf } from '../../provision/pins.ts';
import { provision, selectRecipes } from '../../provision/provision.ts';
import { makeCacheView, newViewDir } from '../../provision/view.ts';
import type { ArtifactSet } from '../../provision/recipe.ts';
import { allRecipes } from '../../provision/recipes/index.ts';
import { filterPlans, loadPlansFor, type GlobalOptions } from '../../scenarios/plan.ts';
import { loadVersions } from '../../scenarios/versions.ts';
import { sourceSettings } from '../run-settings.ts';

const SETS: ArtifactSet[] = ['local', 'kind'];

export function registerProvision(program: Command): void {
  program
    .command('provision')
    .description('get every pinned component into the cache: its official release where one answers, else a build from the Go module proxy (CM_VAULT_E2E_SOURCE=official|build); a warm cache does nothing')
    .option('--only <names>', 'comma list of artifact names or name@version (see `doctor`)')
    .option('--for <sets>', 'only what these backends need: local, kind (comma list)')
    .option('--filter <expr>', 'only the versions the scenarios matching this filter use (e.g. ci=true, id=k8s-…); see `list --help`')
    .option('--jobs <n>', 'builds at once', String(availableParallelism()))
    .option('--verify', 're-hash cached binaries')
    .option('--docker', 'also install and start the Docker host (implied by --for kind)')
    .option('--view [dir]', "then make DIR (new or empty; default a new one under the cache's views/) a cache holding exactly what was chosen, hard-linked, and print its path: CM_VAULT_E2E_CACHE=DIR runs see nothing else")
    .option('--keep-go-caches', 'keep the Go module and build caches the builds used (faster rebuilds after a pin change, many GB)')
    .action(async (opts: { only?: string; for?: string; filter?: string; jobs: string; verify?: boolean; docker?: boolean; view?: string | true; keepGoCaches?: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const log = (l: string) => process.stderr.write(`${l}\n`);
      const versions = loadVersions(globals.versions);
      const recipes = allRecipes(pinsOf(versions));
      const only = opts.only?.split(',').map((s) => s.trim()).filter(Boolean);
      const sets = opts.for?.split(',').map((s) => s.trim()) as ArtifactSet[] | undefined;
      for (const s of sets ?? []) {
        if (!SETS.includes(s)) throw new InputError({ file: 'command line', field: '--for' }, `unknown backend "${s}"`, 'use local, kind or local,kind');
      }
      const unknown = (only ?? []).filter((o) => !recipes.some((r) => r.name === o || `${r.name}@${r.version}` === o));
      if (unknown.length) {
        throw new InputError({ file: 'command line', field: '--only' }, `unknown artifact ${unknown.join(', ')}`, `choose from: ${[...new Set(recipes.map((r) => r.name))].join(', ')}`);
      }
      const scoped = opts.filter ? recipesForPlans(recipes, filterPlans(loadPlansFor(globals), opts.filter), sets ?? SETS) : recipes;
      const chosen = selectRecipes(scoped, only, sets);
      const started = Date.now();
      const forKind = !!sets?.includes('kind');
      const layout = cacheLayout();
      const { source, officialMirror, debianMirror } = sourceSettings();
      await ensureHostPackages(sets ?? SETS, log);
      if (opts.docker || forKind) await ensureDockerHost({ onLine: log });
      const goUse = await holdGoCaches(layout);
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const outcomes = await provision(chosen, { layout, jobs: Number(opts.jobs), verify: !!opts.verify, signal: controller.signal, log, source, ...(officialMirror ? { officialMirror } : {}) });
        const failed = outcomes.filter((o) => o.state === 'failed');
        const counts = ['built', 'cached', 'unavailable', 'failed'].map((s) => `${outcomes.filter((o) => o.state === s).length} ${s}`).join(', ');
        log(`provision: ${counts} in ${duration((Date.now() - started) / 1000)}`);
        for (const o of outcomes) if (o.state === 'unavailable') log(`  ${o.recipe.name} ${o.recipe.version}: ${o.advice}`);
        if (failed.length) {
          const first = failed[0]!;
          throw first.state === 'failed' ? first.error : new EnvironmentError('provision', 'failed', 'see above');
        }
        if (forKind) {
          // The node images and kubeadm's images, for the Kubernetes versions chosen (a warm cache only checks labels).
          for (const kubernetesVersion of new Set(chosen.filter((r) => r.name === 'kube-node').map((r) => r.version))) {
            const images = await buildKindImages({ kubernetesVersion, sources: { policy: source }, ...(debianMirror ? { debianMirror } : {}), log });
            log(`provision: kind node image ${images.nodeImage} ready`);
          }
        }
        // Everything is built: what only built it goes (the Go caches, unless another provision still uses
        // them), what runs stays.
        const dropped = await goUse.release({ drop: !opts.keepGoCaches });
        if (!opts.keepGoCaches && !dropped) log('provision: the Go caches stay: another provision is using them');
        if (opts.view) {
          const dir = opts.view === true ? await newViewDir(layout) : resolve(opts.view);
          const view = await makeCacheView(outcomes.flatMap((o) => (o.state === 'failed' || o.state === 'unavailable' ? [] : [o.entry])), layout, cacheLayout(dir));
          log(`provision: view ${dir} holds the ${view.artifacts} artifact(s) chosen and nothing else (${view.files} files linked)`);
          process.stdout.write(`${dir}\n`);
        }
        const disk = await footprint(layout);
        log(`provision: done in ${duration((Date.now() - started) / 1000)}; the suite's cache holds ${formatFootprint(disk)}`);
      } finally {
        await goUse.release();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
