import { EnvironmentError } from '../lib/errors.ts';
import type { Plan } from '../scenarios/types.ts';
import type { Versions } from '../scenarios/versions.ts';
import { execa } from 'execa';
import { ensureDockerHost } from './docker/docker.ts';
import { cacheLayout } from './cache.ts';
import { duration } from './estimates.ts';
import { holdGoCaches } from './go.ts';
import { ensureHostPackages } from './host-packages.ts';
import { recipesForPlans } from './needs.ts';
import { pinsOf } from './pins.ts';
import { estimateSeconds, missingRecipes, provision, type ProvisionOptions } from './provision.ts';
import type { ArtifactSet } from './recipe.ts';
import { allRecipes } from './recipes/index.ts';

/**
 * Before a run: whatever its scenarios need and this machine lacks — host packages, the Docker host for kind, and
 * exactly the pinned artifacts they use (one Kubernetes, one cert-manager, one Vault for one scenario) — so a
 * newcomer's first `run ID` works on a new machine, saying what it gets and about how long that takes.
 */
export async function provisionFor(
  plans: Plan[],
  backend: ArtifactSet,
  versions: Versions,
  opts: { log: (line: string) => void; signal?: AbortSignal } & Pick<ProvisionOptions, 'source' | 'officialMirror'>,
): Promise<void> {
  await ensureHostPackages([backend], opts.log, { forTests: false });
  if (backend === 'kind' && !(await dockerAnswers())) await ensureDockerHost({ onLine: opts.log });
  const missing = await missingRecipes(recipesForPlans(allRecipes(pinsOf(versions)), plans, [backend]));
  if (!missing.length) return;
  const what = missing.map((r) => `${r.name} ${r.version}`).join(', ');
  opts.log(`run: this machine lacks what these scenarios need; provisioning ${what} first (about ${duration(await estimateSeconds(missing))})`);
  const layout = cacheLayout();
  const goUse = await holdGoCaches(layout);
  let outcomes;
  try {
    const { log, signal, source, officialMirror } = opts;
    outcomes = await provision(missing, { layout, log, ...(signal ? { signal } : {}), ...(source ? { source } : {}), ...(officialMirror ? { officialMirror } : {}) });
  } finally {
    // what only built the artifacts goes, as after `provision`
    await goUse.release({ drop: true });
  }
  const failed = outcomes.find((o) => o.state === 'failed' || o.state === 'unavailable');
  if (failed?.state === 'failed') throw failed.error;
  if (failed?.state === 'unavailable') throw new EnvironmentError(`${failed.recipe.name} ${failed.recipe.version}`, failed.reason, failed.advice);
}

async function dockerAnswers(): Promise<boolean> {
  return (await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { reject: false, timeout: 15_000, stdin: 'ignore' })).exitCode === 0;
}
