import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cacheLayout } from '../cache.ts';
import { readManifest, sourceOf, type ManifestEntry } from '../manifest.ts';
import { pinsOf } from '../pins.ts';
import { provision } from '../provision.ts';
import type { GoRecipe } from '../recipe.ts';
import { allRecipes } from '../recipes/index.ts';
import { loadVersions } from '../../scenarios/versions.ts';
import { extractZip } from './archive.ts';
import { zipOf } from './testing.ts';
import { expectedSha256 } from './checksum.ts';
import { forgetUnreachable } from './fetch.ts';
import { installOfficial } from './install.ts';
import { SOURCE_ENV, sourcePolicy } from './policy.ts';
import { mirrored, MIRROR_ENV, releaseArch, type OfficialSource } from './sources.ts';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('official sources of the pinned recipes', () => {
  const recipes = allRecipes(pinsOf(loadVersions()));
  const go = (name: string) => recipes.find((r): r is GoRecipe => r.kind === 'go' && r.name === name)!;
  const arch = releaseArch();

  it('names each upstream file, its checksum file and format, and what to take out of it', () => {
    if (arch !== 'amd64') return; // the layouts below are written out for amd64; the arch is a parameter
    expect(go('kube-control-plane').official!.files.map((f) => [f.url, f.checksumUrl, f.checksumFormat])).toEqual(
      ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((b) => [
        `https://dl.k8s.io/release/v1.34.4/bin/linux/amd64/${b}`,
        `https://dl.k8s.io/release/v1.34.4/bin/linux/amd64/${b}.sha256`,
        'bare',
      ]),
    );
    expect(go('kube-node').official!.files.map((f) => f.unpack)).toEqual(['kubelet', 'kubeadm', 'kube-proxy', 'kubectl'].map((binary) => ({ kind: 'file', binary })));
    expect(go('etcd').official!.files).toEqual([
      {
        url: 'https://github.com/etcd-io/etcd/releases/download/v3.6.17/etcd-v3.6.17-linux-amd64.tar.gz',
        checksumUrl: 'https://github.com/etcd-io/etcd/releases/download/v3.6.17/SHA256SUMS',
        checksumFormat: 'sums',
        unpack: { kind: 'tar.gz', members: { etcd: 'etcd-v3.6.17-linux-amd64/etcd' } },
      },
    ]);
    expect(go('helm').official!.files).toEqual([
      {
        url: 'https://get.helm.sh/helm-v3.19.5-linux-amd64.tar.gz',
        checksumUrl: 'https://get.helm.sh/helm-v3.19.5-linux-amd64.tar.gz.sha256sum',
        checksumFormat: 'sums',
        unpack: { kind: 'tar.gz', members: { helm: 'linux-amd64/helm' } },
      },
    ]);
    expect(go('kind').official!.files).toEqual([
      {
        url: 'https://github.com/kubernetes-sigs/kind/releases/download/v0.33.0/kind-linux-amd64',
        checksumUrl: 'https://github.com/kubernetes-sigs/kind/releases/download/v0.33.0/kind-linux-amd64.sha256sum',
        checksumFormat: 'sums',
        unpack: { kind: 'file', binary: 'kind' },
      },
    ]);
    expect(go('coredns').official!.files).toEqual([
      {
        url: 'https://github.com/coredns/coredns/releases/download/v1.14.7/coredns_1.14.7_linux_amd64.tgz',
        checksumUrl: 'https://github.com/coredns/coredns/releases/download/v1.14.7/coredns_1.14.7_linux_amd64.tgz.sha256',
        checksumFormat: 'sums',
        unpack: { kind: 'tar.gz', members: { coredns: 'coredns' } },
      },
    ]);
    const vault = recipes.filter((r): r is GoRecipe => r.kind === 'go' && r.name === 'vault');
    expect(vault.map((v) => v.official!.files[0]!.url)).toContain('https://releases.hashicorp.com/vault/1.21.0/vault_1.21.0_linux_amd64.zip');
    const v121 = vault.find((v) => v.version === 'v1.21.0')!.official!.files[0]!;
    expect(v121).toMatchObject({ checksumUrl: 'https://releases.hashicorp.com/vault/1.21.0/vault_1.21.0_SHA256SUMS', checksumFormat: 'sums', unpack: { kind: 'zip', members: { vault: 'vault' } } });
  });

  it('every binary of a recipe with an official source comes from one of its files; cert-manager has none', () => {
    for (const r of recipes) {
      if (r.kind !== 'go') continue;
      if (r.name === 'cert-manager-controller') {
        expect(r.official).toBeUndefined();
        continue;
      }
      if (!arch) continue;
      const named = r.official!.files.flatMap((f) => (f.unpack.kind === 'file' ? [f.unpack.binary] : Object.keys(f.unpack.members)));
      expect(named.sort()).toEqual(r.binaries.map((b) => b.name).sort());
    }
  });

  it('arm64 gets the arm64 files; other platforms have no official source', () => {
    expect(releaseArch('linux', 'arm64')).toBe('arm64');
    expect(releaseArch('darwin', 'x64')).toBeUndefined();
    expect(releaseArch('linux', 'riscv64')).toBeUndefined();
  });
});

describe('checksum files', () => {
  const h = 'a'.repeat(40) + 'B'.repeat(24);
  it('bare: the first token is the digest', () => {
    expect(expectedSha256(`${h}\n`, 'bare', 'kubectl')).toBe(h.toLowerCase());
    expect(() => expectedSha256('<html>not found</html>', 'bare', 'kubectl')).toThrow(/does not start with a SHA-256/);
  });
  it('sums: the line naming the file (sha256sum two spaces, shasum binary marker, a directory prefix)', () => {
    const other = 'c'.repeat(64);
    const text = `${other}  etcd-v3.6.5-darwin-amd64.zip\n${h}  etcd-v3.6.5-linux-amd64.tar.gz\n`;
    expect(expectedSha256(text, 'sums', 'etcd-v3.6.5-linux-amd64.tar.gz')).toBe(h.toLowerCase());
    expect(expectedSha256(`${h} *kind-linux-amd64\n`, 'sums', 'kind-linux-amd64')).toBe(h.toLowerCase());
    expect(expectedSha256(`${h}  release/coredns_1.12.1_linux_amd64.tgz`, 'sums', 'coredns_1.12.1_linux_amd64.tgz')).toBe(h.toLowerCase());
    expect(() => expectedSha256(text, 'sums', 'etcd-v3.6.5-linux-arm64.tar.gz')).toThrow(/lists no etcd-v3.6.5-linux-arm64.tar.gz/);
  });
});

describe('switches', () => {
  it('CM_VAULT_E2E_SOURCE: auto by default, official or build, anything else refused', () => {
    expect(sourcePolicy({})).toBe('auto');
    expect(sourcePolicy({ CM_VAULT_E2E_SOURCE: 'Official' })).toBe('official');
    expect(sourcePolicy({ CM_VAULT_E2E_SOURCE: 'build' })).toBe('build');
    expect(() => sourcePolicy({ CM_VAULT_E2E_SOURCE: 'registry' })).toThrow(/unknown source/);
  });
  it('CM_VAULT_E2E_OFFICIAL_MIRROR stands in for every upstream host', () => {
    expect(mirrored('https://dl.k8s.io/release/v1.34.4/bin/linux/amd64/kubectl', 'http://127.0.0.1:8080/m/')).toBe('http://127.0.0.1:8080/m/dl.k8s.io/release/v1.34.4/bin/linux/amd64/kubectl');
    expect(mirrored('https://get.helm.sh/x.tar.gz', undefined)).toBe('https://get.helm.sh/x.tar.gz');
  });
});

// The download path against a local HTTP server standing in for the upstream hosts (CM_VAULT_E2E_OFFICIAL_MIRROR).
describe('official download', () => {
  const VERSION = 'v1.2.3';
  const script = (printed: string) => Buffer.from(`#!/bin/sh\necho "fixture ${printed}"\n`);
  const files = new Map<string, Buffer>();
  const hits: string[] = [];
  let server: Server;
  let mirror: string;
  let work: string;
  const dirs: string[] = [];

  const serve = (path: string, body: Buffer | string) => files.set(path, Buffer.isBuffer(body) ? body : Buffer.from(body));
  const layout = async () => {
    const d = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-official-test-'));
    dirs.push(d);
    return cacheLayout(d);
  };
  const recipe = (official: OfficialSource, binaries = ['fix']): GoRecipe => ({
    kind: 'go',
    name: 'fixture',
    version: VERSION,
    sets: ['local'],
    ldflags: [],
    binaries: binaries.map((name) => ({ name, pkg: `example.invalid/${name}`, versionArgs: ['--version'], versionContains: VERSION })),
    async wrapper() {
      throw new Error('this test never builds');
    },
    official,
  });
  // two bare binaries with `.sha256` files, like the Kubernetes release
  const rawSource: OfficialSource = {
    files: ['fix', 'fix2'].map((b) => ({ url: `https://up.example/release/${VERSION}/${b}`, checksumUrl: `https://up.example/release/${VERSION}/${b}.sha256`, checksumFormat: 'bare' as const, unpack: { kind: 'file' as const, binary: b } })),
  };
  /** The build provision falls back to, stubbed: records its calls and writes a binary of its own. */
  const stubBuild = (calls: string[]) => async (r: GoRecipe, o: { layout: ReturnType<typeof cacheLayout> }): Promise<ManifestEntry> => {
    calls.push(r.name);
    const dir = o.layout.artifact(r.name, r.version);
    await mkdir(dir, { recursive: true });
    const binaries = [];
    for (const b of r.binaries) {
      await writeFile(join(dir, b.name), script(`${r.version} (built)`));
      await chmod(join(dir, b.name), 0o755);
      binaries.push({ name: b.name, path: join(dir, b.name), sha256: sha(script(`${r.version} (built)`)), size: script(`${r.version} (built)`).length, versionOutput: 'built' });
    }
    return { name: r.name, version: r.version, modules: [], goVersion: 'stub', builtAt: new Date().toISOString(), buildSeconds: 0, binaries, extras: [] };
  };
  const nothingLeft = async (l: ReturnType<typeof cacheLayout>) => {
    expect(existsSync(l.artifact('fixture', VERSION))).toBe(false);
    expect(existsSync(join(l.root, 'staging')) ? await readdir(join(l.root, 'staging')) : []).toEqual([]);
    expect((await readManifest(l.manifest)).artifacts).toEqual({});
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-official-fixtures-'));
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      const body = files.get(req.url ?? '');
      res.writeHead(body ? 200 : 404).end(body ?? 'not found');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    await rm(work, { recursive: true, force: true });
  });
  afterEach(async () => {
    files.clear();
    hits.length = 0;
    forgetUnreachable();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('downloads, verifies the published SHA-256, records source and URLs; the build is not called; warm = no request', async () => {
    for (const b of ['fix', 'fix2']) {
      serve(`/up.example/release/${VERSION}/${b}`, script(VERSION));
      serve(`/up.example/release/${VERSION}/${b}.sha256`, `${sha(script(VERSION))}\n`);
    }
    const l = await layout();
    const calls: string[] = [];
    const lines: string[] = [];
    const [out] = await provision([recipe(rawSource, ['fix', 'fix2'])], { layout: l, log: (x) => lines.push(x), build: stubBuild(calls), officialMirror: mirror });
    expect(out!.state).toBe('built');
    expect(calls).toEqual([]);
    const entry = (await readManifest(l.manifest)).artifacts[`fixture@${VERSION}`]!;
    expect(entry.source).toBe('official');
    expect(sourceOf(entry)).toBe('official');
    expect(entry.urls).toEqual([`${mirror}/up.example/release/${VERSION}/fix`, `${mirror}/up.example/release/${VERSION}/fix2`]);
    expect(entry.binaries.map((b) => [b.name, b.sha256, b.versionOutput])).toEqual([
      ['fix', sha(script(VERSION)), `fixture ${VERSION}`],
      ['fix2', sha(script(VERSION)), `fixture ${VERSION}`],
    ]);
    expect(await readFile(join(l.artifact('fixture', VERSION), 'fix'))).toEqual(script(VERSION));
    expect(lines.some((x) => /official release verified/.test(x))).toBe(true);
    hits.length = 0;
    const [warm] = await provision([recipe(rawSource, ['fix', 'fix2'])], { layout: l, log: () => undefined, build: stubBuild(calls), verify: true, officialMirror: mirror });
    expect(warm!.state).toBe('cached');
    expect(hits).toEqual([]);
  });

  it('takes binaries out of a tar.gz named in a SHA256SUMS', async () => {
    await mkdir(join(work, 'tar', `fixture-${VERSION}-linux`), { recursive: true });
    await writeFile(join(work, 'tar', `fixture-${VERSION}-linux`, 'fix'), script(VERSION));
    await execa('tar', ['-C', join(work, 'tar'), '-czf', join(work, 'f.tar.gz'), `fixture-${VERSION}-linux`]);
    const tgz = await readFile(join(work, 'f.tar.gz'));
    serve(`/up.example/d/${VERSION}/fixture-${VERSION}-linux.tar.gz`, tgz);
    serve(`/up.example/d/${VERSION}/SHA256SUMS`, `${'0'.repeat(64)}  fixture-${VERSION}-darwin.zip\n${sha(tgz)}  fixture-${VERSION}-linux.tar.gz\n`);
    const source: OfficialSource = {
      files: [{ url: `https://up.example/d/${VERSION}/fixture-${VERSION}-linux.tar.gz`, checksumUrl: `https://up.example/d/${VERSION}/SHA256SUMS`, checksumFormat: 'sums', unpack: { kind: 'tar.gz', members: { fix: `fixture-${VERSION}-linux/fix` } } }],
    };
    const l = await layout();
    const entry = await installOfficial(recipe(source), source, { layout: l, mirror });
    expect(entry.binaries[0]!.versionOutput).toBe(`fixture ${VERSION}`);
    expect(await readFile(join(l.artifact('fixture', VERSION), 'fix'))).toEqual(script(VERSION));
    expect(await readdir(l.artifact('fixture', VERSION))).toEqual(['fix']);
  });

  it('takes binaries out of a zip (deflated and stored members)', async () => {
    const zip = await zipOf([
      { name: 'LICENSE.txt', data: Buffer.from('license text\n'.repeat(50)), deflate: false },
      { name: 'fix', data: script(VERSION), deflate: true },
    ]);
    serve(`/up.example/z/fixture_1.2.3_linux.zip`, zip);
    serve(`/up.example/z/fixture_1.2.3_SHA256SUMS`, `${sha(zip)}  fixture_1.2.3_linux.zip\n`);
    const source: OfficialSource = {
      files: [{ url: 'https://up.example/z/fixture_1.2.3_linux.zip', checksumUrl: 'https://up.example/z/fixture_1.2.3_SHA256SUMS', checksumFormat: 'sums', unpack: { kind: 'zip', members: { fix: 'fix' } } }],
    };
    const l = await layout();
    const entry = await installOfficial(recipe(source), source, { layout: l, mirror });
    expect(entry.binaries[0]!.versionOutput).toBe(`fixture ${VERSION}`);
    await writeFile(join(work, 'z.zip'), zip);
    await extractZip(join(work, 'z.zip'), 'LICENSE.txt', join(work, 'LICENSE.txt'));
    expect(await readFile(join(work, 'LICENSE.txt'), 'utf8')).toBe('license text\n'.repeat(50));
    await expect(extractZip(join(work, 'z.zip'), 'vault', join(work, 'vault'))).rejects.toThrow(/not in the archive/);
  });

  it('a checksum mismatch is refused and leaves nothing in the cache', async () => {
    serve(`/up.example/release/${VERSION}/fix`, script(VERSION));
    serve(`/up.example/release/${VERSION}/fix.sha256`, `${sha('something else')}\n`);
    serve(`/up.example/release/${VERSION}/fix2`, script(VERSION));
    serve(`/up.example/release/${VERSION}/fix2.sha256`, `${sha(script(VERSION))}\n`);
    const l = await layout();
    await expect(installOfficial(recipe(rawSource, ['fix', 'fix2']), rawSource, { layout: l, mirror })).rejects.toThrow(/fix: SHA-256 [0-9a-f]{64} is not the published/);
    await nothingLeft(l);
    // and through provision with the fallback forbidden: failed, nothing cached, the build never called
    const calls: string[] = [];
    const [out] = await provision([recipe(rawSource, ['fix', 'fix2'])], { layout: l, log: () => undefined, build: stubBuild(calls), source: 'official', officialMirror: mirror });
    expect(out!.state).toBe('failed');
    if (out!.state === 'failed') expect(out!.error.message).toMatch(/official release of v1.2.3 could not be used: fix: SHA-256/);
    expect(calls).toEqual([]);
    await nothingLeft(l);
  });

  it('a binary that does not answer the pinned version is refused', async () => {
    serve(`/up.example/release/${VERSION}/fix`, script('v9.9.9'));
    serve(`/up.example/release/${VERSION}/fix.sha256`, sha(script('v9.9.9')));
    const source: OfficialSource = { files: [rawSource.files[0]!] };
    const l = await layout();
    await expect(installOfficial(recipe(source), source, { layout: l, mirror })).rejects.toThrow(/printed "fixture v9.9.9", not v1.2.3/);
    await nothingLeft(l);
  });

  it('an unreachable host falls back to the build quickly, with one line for the component (not per binary)', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((ok) => closed.close(ok));
    const l = await layout();
    const calls: string[] = [];
    const lines: string[] = [];
    const started = Date.now();
    const [out] = await provision([recipe(rawSource, ['fix', 'fix2'])], { layout: l, log: (x) => lines.push(x), build: stubBuild(calls), officialMirror: `http://127.0.0.1:${port}` });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(out!.state).toBe('built');
    expect(calls).toEqual(['fixture']);
    const fallback = lines.filter((x) => /official release not used/.test(x));
    expect(fallback).toEqual([`      fixture ${VERSION}: official release not used (127.0.0.1:${port}: ECONNREFUSED); building`]);
    const entry = (await readManifest(l.manifest)).artifacts[`fixture@${VERSION}`]!;
    expect(entry.source).toBe('build');
    expect(entry.urls).toBeUndefined();
  });

  it('source build never asks the network', async () => {
    serve(`/up.example/release/${VERSION}/fix`, script(VERSION));
    serve(`/up.example/release/${VERSION}/fix.sha256`, sha(script(VERSION)));
    const l = await layout();
    const calls: string[] = [];
    const [out] = await provision([recipe({ files: [rawSource.files[0]!] })], { layout: l, log: () => undefined, build: stubBuild(calls), source: 'build', officialMirror: mirror });
    expect(out!.state).toBe('built');
    expect(calls).toEqual(['fixture']);
    expect(hits).toEqual([]);
  });

  it('takes the source and the mirror from its options, not from the process environment', async () => {
    serve(`/up.example/release/${VERSION}/fix`, script(VERSION));
    serve(`/up.example/release/${VERSION}/fix.sha256`, sha(script(VERSION)));
    const saved = { source: process.env[SOURCE_ENV], mirror: process.env[MIRROR_ENV] };
    process.env[SOURCE_ENV] = 'build';
    process.env[MIRROR_ENV] = 'http://127.0.0.1:9/not-this-one';
    try {
      const calls: string[] = [];
      const [out] = await provision([recipe({ files: [rawSource.files[0]!] })], { layout: await layout(), log: () => undefined, build: stubBuild(calls), source: 'official', officialMirror: mirror });
      expect(out!.state).toBe('built');
      expect(calls).toEqual([]);
      expect(hits).toEqual([`/up.example/release/${VERSION}/fix.sha256`, `/up.example/release/${VERSION}/fix`]);
    } finally {
      for (const [k, v] of [[SOURCE_ENV, saved.source], [MIRROR_ENV, saved.mirror]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
