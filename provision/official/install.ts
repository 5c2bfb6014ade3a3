/**
 * The official road for a binary artifact: download upstream's release of the pinned version, check it against
 * upstream's published SHA-256, take the binaries out, check each answers its version, and rename the staging
 * directory into place — the same staging and manifest as a build, so a refused or interrupted download leaves
 * nothing in the cache. `obtain` tries it first and falls back to the build with one log line.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { publish, stagedBinary } from '../build.ts';
import type { cacheLayout } from '../cache.ts';
import type { BuiltBinary, ManifestEntry } from '../manifest.ts';
import type { GoRecipe } from '../recipe.ts';
import { extractTarGz, extractZip } from './archive.ts';
import { expectedSha256 } from './checksum.ts';
import { download, fetchText, type FetchOptions } from './fetch.ts';
import { shortReason, SOURCE_ENV, type SourcePolicy } from './policy.ts';
import { mirrored, MIRROR_ENV, type OfficialSource } from './sources.ts';
import { secondsSince } from '../../lib/wait.ts';

export interface OfficialOptions extends FetchOptions {
  layout: ReturnType<typeof cacheLayout>;
  /** Base URL standing in for the upstream hosts (`run`/`provision` take it from CM_VAULT_E2E_OFFICIAL_MIRROR). */
  mirror?: string;
}

export async function installOfficial(recipe: GoRecipe, source: OfficialSource, opts: OfficialOptions): Promise<ManifestEntry> {
  const started = Date.now();
  const staging = opts.layout.staging(recipe.name, recipe.version);
  const final = opts.layout.artifact(recipe.name, recipe.version);
  const downloads = join(staging, '.download');
  const covered = new Set(source.files.flatMap((f) => (f.unpack.kind === 'file' ? [f.unpack.binary] : Object.keys(f.unpack.members))));
  const missing = recipe.binaries.filter((b) => !covered.has(b.name)).map((b) => b.name);
  if (missing.length) throw new Error(`the official release declares no ${missing.join(', ')}`);
  const mirror = opts.mirror;
  await rm(staging, { recursive: true, force: true });
  await mkdir(downloads, { recursive: true });
  try {
    const urls: string[] = [];
    for (const file of source.files) {
      const url = mirrored(file.url, mirror);
      const name = basename(new URL(file.url).pathname);
      const expected = expectedSha256(await fetchText(mirrored(file.checksumUrl, mirror), opts), file.checksumFormat, name);
      const local = join(downloads, name);
      const got = await download(url, local, opts);
      if (got.sha256 !== expected) throw new Error(`${name}: SHA-256 ${got.sha256} is not the published ${expected}`);
      if (file.unpack.kind === 'file') await rename(local, join(staging, file.unpack.binary));
      else {
        for (const [binary, member] of Object.entries(file.unpack.members)) {
          await (file.unpack.kind === 'zip' ? extractZip : extractTarGz)(local, member, join(staging, binary));
        }
      }
      urls.push(url);
    }
    await rm(downloads, { recursive: true, force: true });
    const binaries: BuiltBinary[] = [];
    for (const b of recipe.binaries) {
      const { binary, pinned } = await stagedBinary(b, staging, final);
      if (!pinned) throw new Error(`${b.name} ${b.versionArgs.join(' ')} printed "${binary.versionOutput.split('\n')[0]}", not ${b.versionContains}`);
      binaries.push(binary);
    }
    await publish(staging, final);
    return {
      name: recipe.name,
      version: recipe.version,
      modules: [],
      goVersion: '',
      builtAt: new Date().toISOString(),
      buildSeconds: secondsSince(started),
      binaries,
      extras: [],
      source: 'official',
      urls,
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export interface ObtainOptions extends OfficialOptions {
  policy: SourcePolicy;
  log: (line: string) => void;
  /** `name version`, as provision's log lines start. */
  label: string;
  build: () => Promise<ManifestEntry>;
}

/**
 * The official release first (unless the policy says build), then the build. Any failure of the official road
 * (unreachable host, HTTP error, checksum mismatch, wrong version) is one log line — or, under
 * CM_VAULT_E2E_SOURCE=official, the error.
 */
export async function obtain(recipe: GoRecipe, opts: ObtainOptions): Promise<ManifestEntry> {
  if (recipe.official && opts.policy !== 'build') {
    try {
      return await installOfficial(recipe, recipe.official, opts);
    } catch (err) {
      if (opts.signal?.aborted) throw new EnvironmentError(recipe.name, 'download interrupted', 'run `cm-vault-e2e provision` again');
      const why = shortReason(err);
      if (opts.policy === 'official') {
        throw new EnvironmentError(recipe.name, `the official release of ${recipe.version} could not be used: ${why}`, `check the network (or ${MIRROR_ENV}) and the reason above; unset ${SOURCE_ENV} to fall back to building it`);
      }
      opts.log(`      ${opts.label}: official release not used (${why}); building`);
    }
  } else if (!recipe.official && opts.policy === 'official') {
    opts.log(`      ${opts.label}: no official release to download; building`);
  }
  return { ...(await opts.build()), source: 'build' };
}
