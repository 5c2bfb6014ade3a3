import { afterEach, describe, expect, it } from 'vitest';
import { ensureExtraImage } from './build.ts';
import { vaultImageSpec } from './vault-image.ts';
import {
  adoptedFiles,
  adoptedLabels,
  chooseImageSource,
  KIND_NODE_IMAGES,
  officialImageFor,
  registryOf,
  rememberingPuller,
  type ImageSourceDeps,
  type LocalImage,
  type PullResult,
} from './pull.ts';

describe('official images', () => {
  it('names the official image for each image the suite would build, and none for the rest', () => {
    expect(officialImageFor('quay.io/jetstack/cert-manager-controller:v1.21.1')).toBe('quay.io/jetstack/cert-manager-controller:v1.21.1');
    expect(officialImageFor('quay.io/jetstack/cert-manager-cainjector:v1.14.7')).toBe('quay.io/jetstack/cert-manager-cainjector:v1.14.7');
    expect(officialImageFor('cm-vault-e2e/vault:v1.21.0')).toBe('hashicorp/vault:1.21.0');
    expect(officialImageFor('cm-vault-e2e/openbao:v2.6.2')).toBe('openbao/openbao:2.6.2');
    for (const ref of ['cm-vault-e2e/busybox:local', 'registry.k8s.io/kube-apiserver:v1.34.4', 'registry.k8s.io/pause:3.10.1', 'example.com/candidate:dev']) {
      expect(officialImageFor(ref)).toBeUndefined();
    }
  });

  it('kind node images only where the pinned kind release published one, by digest', () => {
    expect(officialImageFor('kindest/node:v1.33.4', { kindVersion: 'v0.30.0' })).toBe('kindest/node:v1.33.4@sha256:25a6018e48dfcaee478f4a59af81157a437f15e6e140bf103f85a2e7cd0cbbf2');
    expect(officialImageFor('kindest/node:v1.34.4', { kindVersion: 'v0.30.0' })).toBeUndefined();
    expect(officialImageFor('kindest/node:v1.33.4', { kindVersion: 'v0.99.0' })).toBeUndefined();
    expect(officialImageFor('kindest/node:v1.33.4')).toBeUndefined();
    for (const [k8s, ref] of Object.entries(KIND_NODE_IMAGES['v0.30.0']!)) expect(ref).toMatch(new RegExp(`^kindest/node:${k8s.replace(/\./g, '\\.')}@sha256:[0-9a-f]{64}$`));
  });

  it('an adopted image carries the project, source and official labels; a node image also gets the CNI config', () => {
    const labels = adoptedLabels('hashicorp/vault:1.21.0');
    expect(labels).toContain('io.cm-vault-e2e=true');
    expect(labels).toContain('io.cm-vault-e2e.source=official');
    expect(labels).toContain('io.cm-vault-e2e.official=hashicorp/vault:1.21.0');
    expect(labels.find((l) => l.startsWith('io.cm-vault-e2e.inputs='))).toMatch(/=[0-9a-f]{16}$/);
    expect(adoptedFiles('cm-vault-e2e/vault:v1.21.0')).toEqual([]);
    const [cni] = adoptedFiles('kindest/node:v1.33.4');
    expect(cni!.dest).toBe('etc/cni/net.d/10-cm-vault-e2e-ptp.conflist');
    expect(JSON.parse(cni!.content).plugins.map((p: { type: string }) => p.type)).toEqual(['ptp', 'portmap']);
  });

  it('registry of a reference', () => {
    expect(registryOf('quay.io/jetstack/cert-manager-webhook:v1.21.1')).toBe('quay.io');
    expect(registryOf('hashicorp/vault:1.21.0')).toBe('docker.io');
    expect(registryOf('kindest/node:v1.33.4@sha256:ab')).toBe('docker.io');
    expect(registryOf('localhost:5000/x:1')).toBe('localhost:5000');
  });
});

/** Docker and the registry, faked: what is local, what pulls succeed, what was adopted and logged. */
function fake(opts: { policy?: ImageSourceDeps['policy']; local?: LocalImage; pull?: (ref: string) => PullResult }) {
  const pulls: string[] = [];
  const adopted: Array<[string, string]> = [];
  const lines: string[] = [];
  const deps: ImageSourceDeps = {
    policy: opts.policy ?? 'auto',
    local: async () => opts.local,
    pull: async (ref) => {
      pulls.push(ref);
      return opts.pull ? opts.pull(ref) : { ok: true };
    },
    adopt: async (official, ref) => {
      adopted.push([official, ref]);
    },
    log: (l) => lines.push(l),
  };
  return { deps, pulls, adopted, lines };
}

const NO_REGISTRY = (ref: string): PullResult => ({ ok: false, reason: `Get "https://${registryOf(ref)}/v2/": dial tcp: lookup ${registryOf(ref)}: no such host` });

describe('choosing official or build', () => {
  it('pulls the official image and adopts it under the suite’s name', async () => {
    const f = fake({});
    expect(await chooseImageSource('cm-vault-e2e/vault:v1.21.0', 'hashicorp/vault:1.21.0', f.deps)).toEqual({ source: 'official', official: 'hashicorp/vault:1.21.0' });
    expect(f.pulls).toEqual(['hashicorp/vault:1.21.0']);
    expect(f.adopted).toEqual([['hashicorp/vault:1.21.0', 'cm-vault-e2e/vault:v1.21.0']]);
  });

  it('a failed pull means the build, with one line saying why', async () => {
    const f = fake({ pull: NO_REGISTRY });
    expect(await chooseImageSource('quay.io/jetstack/cert-manager-controller:v1.21.1', 'quay.io/jetstack/cert-manager-controller:v1.21.1', f.deps)).toEqual({ source: 'build' });
    expect(f.adopted).toEqual([]);
    expect(f.lines).toEqual(['image: quay.io/jetstack/cert-manager-controller:v1.21.1: pulling the official quay.io/jetstack/cert-manager-controller:v1.21.1 failed (Get "https://quay.io/v2/": dial tcp: lookup quay.io: no such host); building it']);
  });

  it('an adopted image of the same official reference is used without a pull', async () => {
    const f = fake({ local: { source: 'official', official: 'hashicorp/vault:1.21.0' } });
    expect((await chooseImageSource('cm-vault-e2e/vault:v1.21.0', 'hashicorp/vault:1.21.0', f.deps)).source).toBe('official');
    expect(f.pulls).toEqual([]);
    expect(f.adopted).toEqual([]);
  });

  it('an adopted image of another reference (a re-pinned digest) is pulled again', async () => {
    const f = fake({ local: { source: 'official', official: 'kindest/node:v1.33.4@sha256:old' } });
    const official = officialImageFor('kindest/node:v1.33.4', { kindVersion: 'v0.30.0' })!;
    expect((await chooseImageSource('kindest/node:v1.33.4', official, f.deps)).source).toBe('official');
    expect(f.pulls).toEqual([official]);
  });

  it('a warm build stays the build under auto (no registry is asked); CM_VAULT_E2E_SOURCE=official asks again', async () => {
    const auto = fake({ local: { source: 'build' } });
    expect((await chooseImageSource('cm-vault-e2e/vault:v1.21.0', 'hashicorp/vault:1.21.0', auto.deps)).source).toBe('build');
    expect(auto.pulls).toEqual([]);
    const official = fake({ policy: 'official', local: { source: 'build' } });
    expect((await chooseImageSource('cm-vault-e2e/vault:v1.21.0', 'hashicorp/vault:1.21.0', official.deps)).source).toBe('official');
    expect(official.pulls).toEqual(['hashicorp/vault:1.21.0']);
  });

  it('CM_VAULT_E2E_SOURCE=build never pulls; =official makes a failed pull an error', async () => {
    const build = fake({ policy: 'build' });
    expect((await chooseImageSource('cm-vault-e2e/vault:v1.21.0', 'hashicorp/vault:1.21.0', build.deps)).source).toBe('build');
    expect(build.pulls).toEqual([]);
    const strict = fake({ policy: 'official', pull: NO_REGISTRY });
    await expect(chooseImageSource('cm-vault-e2e/openbao:v2.6.2', 'openbao/openbao:2.6.2', strict.deps)).rejects.toThrow(/pulling the official openbao\/openbao:2.6.2 failed: .*no such host/);
  });

  it('no official image (kubeadm’s images, busybox, a node version kind did not publish): built, nothing pulled', async () => {
    for (const policy of ['auto', 'official'] as const) {
      const f = fake({ policy });
      expect((await chooseImageSource('kindest/node:v1.34.4', officialImageFor('kindest/node:v1.34.4', { kindVersion: 'v0.30.0' }), f.deps)).source).toBe('build');
      expect(f.pulls).toEqual([]);
      expect(f.lines).toEqual([]);
    }
  });

  it('a registry that did not answer is not asked again in the same run; other failures do not count', async () => {
    const asked: string[] = [];
    const pull = rememberingPuller(async (ref) => {
      asked.push(ref);
      return ref.includes('missing') ? { ok: false, reason: 'manifest unknown' } : NO_REGISTRY(ref);
    });
    expect((await pull('quay.io/jetstack/cert-manager-controller:v1.21.1')).ok).toBe(false);
    const second = await pull('quay.io/jetstack/cert-manager-webhook:v1.21.1');
    expect(second).toEqual({ ok: false, reason: expect.stringMatching(/no such host \(earlier in this run\)$/) });
    await pull('hashicorp/missing:1');
    await pull('hashicorp/missing:2');
    expect(asked).toEqual(['quay.io/jetstack/cert-manager-controller:v1.21.1', 'hashicorp/missing:1', 'hashicorp/missing:2']);
  });
});

describe('ensureExtraImage', () => {
  const saved = process.env.CM_VAULT_E2E_SOURCE;
  afterEach(() => {
    if (saved === undefined) delete process.env.CM_VAULT_E2E_SOURCE;
    else process.env.CM_VAULT_E2E_SOURCE = saved;
  });

  it('the Vault image is the official one when the pull works: tagged as the suite names it, nothing built', async () => {
    // the policy travels as a value (default auto): a variable in the process environment changes nothing here
    process.env.CM_VAULT_E2E_SOURCE = 'build';
    const f = fake({});
    const image = await ensureExtraImage(vaultImageSpec('vault', 'v1.21.0', '/nonexistent/vault'), f.deps.log, { local: f.deps.local, pull: f.deps.pull, adopt: f.deps.adopt });
    expect(image).toMatchObject({ ref: 'cm-vault-e2e/vault:v1.21.0', source: 'official', official: 'hashicorp/vault:1.21.0', built: false });
    expect(image.tarball).toBeUndefined();
    expect(f.adopted).toEqual([['hashicorp/vault:1.21.0', 'cm-vault-e2e/vault:v1.21.0']]);
    expect(f.lines).toEqual(['image: cm-vault-e2e/vault:v1.21.0 is the official hashicorp/vault:1.21.0']);
  });
});
