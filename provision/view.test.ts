import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../lib/test-temp.ts';
import { binaryPath } from './artifacts.ts';
import { cacheLayout } from './cache.ts';
import { ManifestWriter, readManifest, type ManifestEntry } from './manifest.ts';
import { makeCacheView, newViewDir } from './view.ts';

/** A cache holding two cert-manager releases and one kind image tarball, as a warm machine's would. */
async function warmCache() {
  const layout = cacheLayout(testTempDir('cmve-view-from-'));
  const entry = (version: string): ManifestEntry => {
    const dir = layout.artifact('cert-manager-controller', version);
    mkdirSync(join(dir, 'chart'), { recursive: true });
    writeFileSync(join(dir, 'cert-manager-controller'), `binary ${version}`);
    writeFileSync(join(dir, 'chart', 'Chart.yaml'), `version: ${version}`);
    const binaries = [{ name: 'cert-manager-controller', path: join(dir, 'cert-manager-controller'), sha256: 'x', size: `binary ${version}`.length, versionOutput: version }];
    return { name: 'cert-manager-controller', version, modules: [], goVersion: 'go1.26', builtAt: '', buildSeconds: 1, binaries, extras: [] };
  };
  const [ci, other] = [entry('v1.16.5'), entry('v1.14.7')];
  const writer = new ManifestWriter(layout.manifest);
  await writer.record(ci);
  await writer.record(other);
  mkdirSync(join(layout.root, 'kind', 'images'), { recursive: true });
  writeFileSync(join(layout.root, 'kind', 'images', 'base-abc.tar'), 'tar');
  writeFileSync(layout.timings, '{}');
  return { layout, ci, other };
}

describe('a cache view', () => {
  it('holds the chosen artifacts, hard-linked, and nothing else: another release is not provisioned there', async () => {
    const { layout, ci } = await warmCache();
    const view = cacheLayout(await newViewDir(layout));
    expect(await makeCacheView([ci], layout, view)).toEqual({ artifacts: 1, files: 3 });

    const found = await binaryPath('cert-manager-controller', 'v1.16.5', 'cert-manager-controller', view);
    expect(found).toBe(join(view.artifact('cert-manager-controller', 'v1.16.5'), 'cert-manager-controller'));
    expect(statSync(found).ino).toBe(statSync(ci.binaries[0]!.path).ino);
    expect(statSync(join(view.artifact('cert-manager-controller', 'v1.16.5'), 'chart', 'Chart.yaml')).isFile()).toBe(true);
    await expect(binaryPath('cert-manager-controller', 'v1.14.7', 'cert-manager-controller', view)).rejects.toThrow(/v1\.14\.7: not provisioned on this machine/);
    expect(Object.keys((await readManifest(view.manifest)).artifacts)).toEqual(['cert-manager-controller@v1.16.5']);
    // the kind image builds' caches and the timings come along; the warm cache still holds both releases
    expect(statSync(join(view.root, 'kind', 'images', 'base-abc.tar')).isFile()).toBe(true);
    expect(statSync(view.timings).isFile()).toBe(true);
    await expect(binaryPath('cert-manager-controller', 'v1.14.7', 'cert-manager-controller', layout)).resolves.toContain('v1.14.7');
  });

  it('refuses a directory that is not empty (the cache itself among them), naming the flag; makes one that is not there yet', async () => {
    const { layout, ci } = await warmCache();
    await expect(makeCacheView([ci], layout, layout)).rejects.toThrow(/^command line \(--view\): \S+ is not empty$/);
    const fresh = cacheLayout(join(testTempDir('cmve-view-to-'), 'not-there-yet'));
    expect((await makeCacheView([ci], layout, fresh)).artifacts).toBe(1);
  });

  it('refuses an entry whose binary lies outside its artifact directory rather than reach into the old cache', async () => {
    const { layout, ci } = await warmCache();
    const stray = { ...ci, binaries: [{ ...ci.binaries[0]!, path: join(layout.root, 'elsewhere', 'cert-manager-controller') }] };
    await expect(makeCacheView([stray], layout, cacheLayout(await newViewDir(layout)))).rejects.toMatchObject({
      problem: expect.stringMatching(/^binary \S+elsewhere\S+ lies outside \S+v1\.16\.5$/),
      fix: 'run `npx cm-vault-e2e provision --only cert-manager-controller@v1.16.5` to rebuild it into place',
    });
  });
});
