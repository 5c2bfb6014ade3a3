import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cacheLayout, cacheRoot } from './cache.ts';
import { readManifest } from './manifest.ts';
import { dropGoCaches } from './go.ts';
import { provision as provisionAll, selectRecipes } from './provision.ts';
import type { GoRecipe, Recipe } from './recipe.ts';

// A tiny real Go program, built by the real `go build`, exercises the whole path without the network.
const hello = (version: string, main: string): GoRecipe => ({
  kind: 'go',
  name: 'hello',
  version,
  sets: ['local'],
  ldflags: [`-X main.version=${version}`],
  binaries: [{ name: 'hello', pkg: 'cmvaulte2e.local/hello', versionArgs: ['--version'], versionContains: version }],
  async wrapper() {
    return { goMod: 'module cmvaulte2e.local/hello\n\ngo 1.22\n', modules: [{ path: 'cmvaulte2e.local/hello', version }], files: { 'main.go': main } };
  },
});
const GOOD = 'package main\n\nimport "fmt"\n\nvar version = "dev"\n\nfunc main() { fmt.Println("hello", version) }\n';

// One Go build cache for the file: the standard library compiles once, not once per test.
const goRoot = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-provision-go-'));
const shared = { GOMODCACHE: join(goRoot, 'mod'), GOCACHE: join(goRoot, 'build') };
afterAll(() => dropGoCaches(shared).then(() => rm(goRoot, { recursive: true, force: true })));
const provision = (recipes: Recipe[], opts: Parameters<typeof provisionAll>[1]) => provisionAll(recipes, { goCaches: shared, ...opts });

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  dirs = [];
});
async function tempLayout() {
  const root = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-provision-test-'));
  dirs.push(root);
  return cacheLayout(root);
}
const quiet = () => undefined;

describe('provision', () => {
  it('builds, checksums and records an artifact; a warm run builds nothing', async () => {
    const layout = await tempLayout();
    const [first] = await provision([hello('v1.2.3', GOOD)], { layout, log: quiet, jobs: 1 });
    expect(first!.state).toBe('built');
    const entry = (await readManifest(layout.manifest)).artifacts['hello@v1.2.3']!;
    expect(entry.binaries[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.binaries[0]!.versionOutput).toBe('hello v1.2.3');
    const [second] = await provision([hello('v1.2.3', GOOD)], { layout, log: quiet, verify: true });
    expect(second!.state).toBe('cached');
  }, 120_000);

  it("an artifact built from other suite sources (a changed launcher) is rebuilt; the same sources stay cached", async () => {
    const layout = await tempLayout();
    const withSources = (sources: string): GoRecipe => ({ ...hello('v1.2.5', GOOD), sources });
    expect((await provision([withSources('a')], { layout, log: quiet, jobs: 1 }))[0]!.state).toBe('built');
    expect((await readManifest(layout.manifest)).artifacts['hello@v1.2.5']!.sources).toBe('a');
    expect((await provision([withSources('a')], { layout, log: quiet }))[0]!.state).toBe('cached');
    expect((await provision([withSources('b')], { layout, log: quiet, jobs: 1 }))[0]!.state).toBe('built');
  }, 120_000);

  it('an entry lacking a binary the recipe now names is rebuilt, not taken as cached', async () => {
    const layout = await tempLayout();
    await provision([hello('v1.2.4', GOOD)], { layout, log: quiet, jobs: 1 });
    const grown: GoRecipe = { ...hello('v1.2.4', GOOD), binaries: [...hello('v1.2.4', GOOD).binaries, { name: 'hello2', pkg: 'cmvaulte2e.local/hello/hello2', versionArgs: ['--version'], versionContains: 'v1.2.4' }] };
    const withTwo: GoRecipe = {
      ...grown,
      ldflags: ['-X main.version=v1.2.4'],
      async wrapper() {
        return { goMod: 'module cmvaulte2e.local/hello\n\ngo 1.22\n', modules: [{ path: 'cmvaulte2e.local/hello', version: 'v1.2.4' }], files: { 'main.go': GOOD, 'hello2/main.go': GOOD } };
      },
    };
    const [out] = await provision([withTwo], { layout, log: quiet, jobs: 1 });
    expect(out!.state).toBe('built');
    expect((await readManifest(layout.manifest)).artifacts['hello@v1.2.4']!.binaries.map((b) => b.name)).toEqual(['hello', 'hello2']);
  }, 120_000);

  it('a failing build names the component and leaves no half-written artifact', async () => {
    const layout = await tempLayout();
    const [out] = await provision([hello('v9.9.9', 'package main\n\nfunc main() { undefined() }\n')], { layout, log: quiet });
    expect(out!.state).toBe('failed');
    if (out!.state !== 'failed') return;
    expect(out!.error.format()).toMatch(/hello: go build of hello v9.9.9 failed[\s\S]*undefined/);
    expect(existsSync(layout.artifact('hello', 'v9.9.9'))).toBe(false);
    expect((await readdir(layout.root)).includes('staging') ? await readdir(join(layout.root, 'staging')) : []).toEqual([]);
    expect((await readManifest(layout.manifest)).artifacts).toEqual({});
  }, 120_000);

  it('a binary whose version disagrees with the pin is refused', async () => {
    const layout = await tempLayout();
    const lying = { ...hello('v1.0.0', GOOD), ldflags: ['-X main.version=v0.0.1'] };
    const [out] = await provision([lying], { layout, log: quiet });
    expect(out!.state).toBe('failed');
    if (out!.state === 'failed') expect(out!.error.message).toMatch(/printed "hello v0.0.1", not v1.0.0/);
  }, 120_000);

  it('an unavailable component is reported with what to do, not failed', async () => {
    const layout = await tempLayout();
    const missing: Recipe = { kind: 'unavailable', name: 'x', version: 'v1', sets: ['local'], binaries: [], reason: 'not served', advice: 'put x on PATH' };
    const [out] = await provision([missing], { layout, log: quiet });
    expect(out).toMatchObject({ state: 'unavailable', advice: 'put x on PATH' });
  });

  it('selects by name, name@version and backend', () => {
    const rs = [hello('v1', GOOD), { ...hello('v2', GOOD), sets: ['kind' as const] }];
    expect(selectRecipes(rs, ['hello@v2']).map((r) => r.version)).toEqual(['v2']);
    expect(selectRecipes(rs, ['hello']).length).toBe(2);
    expect(selectRecipes(rs, undefined, ['local']).map((r) => r.version)).toEqual(['v1']);
  });

  it('the cache lives outside the repo: CM_VAULT_E2E_CACHE, else XDG', () => {
    expect(cacheRoot({ CM_VAULT_E2E_CACHE: '/c' })).toBe('/c');
    expect(cacheRoot({ XDG_CACHE_HOME: '/x' })).toBe('/x/cm-vault-e2e');
  });
});
