/**
 * The official road for images: where an image the suite would build has an official counterpart, pull it and
 * use it under the name the suite uses; when the pull fails (no registry answers, as on the machine this suite was
 * written on), build it as before, with one log line saying why. Same switch as the binaries: CM_VAULT_E2E_SOURCE.
 *
 *  - kindest/node:<k8s> — only where kind's release at the pinned version published a node image for that
 *    Kubernetes version (by digest, from its release notes); the kubeadm images are preloaded in it, so they need
 *    no pull of their own. The suite's kind config disables kindnet (no CNI image here), so the conflist its own
 *    base image carries (ptp + host-local; the official node has those plugins) is added when the image is adopted;
 *  - quay.io/jetstack/cert-manager-{controller,webhook,cainjector}:<v> — the suite already uses these names;
 *  - cm-vault-e2e/vault:<v> and cm-vault-e2e/openbao:<v> — the official hashicorp/vault:<n> and openbao/openbao:<n>
 *    (both have /bin/sh and the program on PATH, which the suite's dev-server command needs).
 *
 * An adopted image is the official one plus labels (the project label, the source and the reference pulled), so the
 * next run finds it and neither pulls nor builds; an image the suite built carries its inputs label instead, and a
 * machine that built once keeps building (CM_VAULT_E2E_SOURCE=official asks for the pull again).
 */
import { execa } from 'execa';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { SOURCE_ENV, type SourcePolicy } from '../../provision/official/policy.ts';
import { cniConflist } from './base.ts';
import { docker, dockerMaybe, INPUTS_LABEL_KEY, keyOf, PROJECT_LABEL, tailLines, type Logger } from './common.ts';

/** official | build: which road an image in Docker came from. */
export const SOURCE_LABEL_KEY = 'io.cm-vault-e2e.source';
/** The reference an adopted image was pulled as. */
export const OFFICIAL_LABEL_KEY = 'io.cm-vault-e2e.official';

/**
 * kind's published node images, per kind release, by digest ("New Node images" in each release's notes; kind
 * supports a node image with the kind release it was published for). kind v0.30.0 has none for v1.34.4.
 */
export const KIND_NODE_IMAGES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'v0.30.0': {
    'v1.34.0': 'kindest/node:v1.34.0@sha256:7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a',
    'v1.33.4': 'kindest/node:v1.33.4@sha256:25a6018e48dfcaee478f4a59af81157a437f15e6e140bf103f85a2e7cd0cbbf2',
    'v1.32.8': 'kindest/node:v1.32.8@sha256:abd489f042d2b644e2d033f5c2d900bc707798d075e8186cb65e3f1367a9d5a1',
    'v1.31.12': 'kindest/node:v1.31.12@sha256:0f5cc49c5e73c0c2bb6e2df56e7df189240d83cf94edfa30946482eb08ec57d2',
  },
};

/**
 * The official image standing for a reference the suite uses, or undefined where there is none.
 *
 * Node images are pulled by digest (KIND_NODE_IMAGES, from kind's release notes). The cert-manager and Vault images
 * are pulled by their release tag: a digest per pinned version could not be read on the machine this suite is
 * maintained on (no container registry answers there, which is why every image can also be built), and a digest
 * written down unread would pin nothing checked. The pull happens only where a registry answers, once per machine
 * (the image is then committed under the suite's name with the reference it was pulled as, OFFICIAL_LABEL_KEY, and
 * reused), and what runs in it is a throwaway test cluster's component. Where a tag is not trust enough,
 * CM_VAULT_E2E_SOURCE=build builds every image from the binaries provision checked or built instead.
 */
export function officialImageFor(ref: string, opts: { kindVersion?: string } = {}): string | undefined {
  const node = /^kindest\/node:(v\d+\.\d+\.\d+)$/.exec(ref);
  if (node) return opts.kindVersion ? KIND_NODE_IMAGES[opts.kindVersion]?.[node[1]!] : undefined;
  if (/^quay\.io\/jetstack\/cert-manager-(controller|webhook|cainjector):v\d+\.\d+\.\d+$/.test(ref)) return ref;
  const vault = /^cm-vault-e2e\/(vault|openbao):v(\d+\.\d+\.\d+)$/.exec(ref);
  if (vault) return vault[1] === 'vault' ? `hashicorp/vault:${vault[2]}` : `openbao/openbao:${vault[2]}`;
  return undefined;
}

/** What Docker holds under a reference: an adopted official image, an image the suite built, or neither. */
export type LocalImage = { source: 'official'; official: string } | { source: 'build' } | undefined;

export type PullResult = { ok: true } | { ok: false; reason: string };
export type Puller = (ref: string) => Promise<PullResult>;

export interface ImageSourceDeps {
  policy: SourcePolicy;
  local(ref: string): Promise<LocalImage>;
  pull: Puller;
  /** Tags `official` (pulled) as `ref` with the labels above (and, for a node image, the CNI config). */
  adopt(official: string, ref: string): Promise<void>;
  log: Logger;
}

/**
 * The decision, with Docker injected: an adopted image of the same official reference is used as it is; under
 * `auto` an image the suite built is kept (a warm run asks no registry); otherwise the official image is pulled
 * and adopted, and a failed pull means the build (one log line) — or, under CM_VAULT_E2E_SOURCE=official, an error.
 */
export async function chooseImageSource(ref: string, official: string | undefined, deps: ImageSourceDeps): Promise<{ source: 'official' | 'build'; official?: string }> {
  if (!official || deps.policy === 'build') return { source: 'build' };
  const local = await deps.local(ref);
  if (local?.source === 'official' && local.official === official) return { source: 'official', official };
  if (local?.source === 'build' && deps.policy === 'auto') return { source: 'build' };
  const pulled = await deps.pull(official);
  if (pulled.ok) {
    await deps.adopt(official, ref);
    deps.log(`image: ${ref} is the official ${official}`);
    return { source: 'official', official };
  }
  if (deps.policy === 'official') {
    throw new EnvironmentError(`image ${ref}`, `pulling the official ${official} failed: ${pulled.reason}`, `check that Docker reaches the registry; unset ${SOURCE_ENV} to build the image here instead`);
  }
  deps.log(`image: ${ref}: pulling the official ${official} failed (${pulled.reason}); building it`);
  return { source: 'build' };
}

/** The registry host of a reference (docker.io when the first part is not a host). */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0]!;
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

const NETWORK = /dial tcp|no such host|i\/o timeout|connection refused|network is unreachable|TLS handshake timeout|Client\.Timeout|context deadline exceeded|timed out/i;

/**
 * A puller that stops asking a registry that did not answer earlier in this process, so a run without registries
 * pays for one failed pull per registry, not one per image.
 */
export function rememberingPuller(pull: Puller): Puller {
  const down = new Map<string, string>();
  return async (ref) => {
    const registry = registryOf(ref);
    const earlier = down.get(registry);
    if (earlier) return { ok: false, reason: `${earlier} (earlier in this run)` };
    const r = await pull(ref);
    if (!r.ok && NETWORK.test(r.reason)) down.set(registry, r.reason);
    return r;
  };
}

/** How long one `docker pull` may take (a node image is ~1 GB). */
export const PULL_TIMEOUT_MS = 15 * 60_000;

export const dockerPull: Puller = async (ref) => {
  const r = await execa('docker', ['pull', ref], { reject: false, all: true, stdin: 'ignore', timeout: PULL_TIMEOUT_MS });
  if (r.exitCode === 0) return { ok: true };
  const reason = r.timedOut ? `no pull within ${PULL_TIMEOUT_MS / 60_000} min` : (tailLines(r.all, 1)[0] ?? `docker pull exited ${r.exitCode}`).replace(/^Error response from daemon:\s*/, '');
  return { ok: false, reason: reason.length > 200 ? `${reason.slice(0, 199)}…` : reason };
};

/** The process-wide puller: `docker pull`, remembering registries that did not answer. */
export const defaultPuller = rememberingPuller(dockerPull);

export async function localImage(ref: string): Promise<LocalImage> {
  const out = await dockerMaybe(['image', 'inspect', '--format', '{{json .Config.Labels}}', ref]);
  if (!out) return undefined;
  const labels = (JSON.parse(out) ?? {}) as Record<string, string>;
  if (labels[SOURCE_LABEL_KEY] === 'official' && labels[OFFICIAL_LABEL_KEY]) return { source: 'official', official: labels[OFFICIAL_LABEL_KEY] };
  if (labels[INPUTS_LABEL_KEY]) return { source: 'build' };
  return undefined;
}

/** The labels of an adopted image; the inputs label keys the official reference (kind cluster names use it). */
export function adoptedLabels(official: string): string[] {
  return [PROJECT_LABEL, `${SOURCE_LABEL_KEY}=official`, `${OFFICIAL_LABEL_KEY}=${official}`, `${INPUTS_LABEL_KEY}=${keyOf({ official })}`];
}

/** Files an adopted image gains: the CNI config for a node image (the suite's kind config has no kindnet). */
export function adoptedFiles(ref: string): Array<{ dest: string; content: string }> {
  return ref.startsWith('kindest/node:') ? [{ dest: 'etc/cni/net.d/10-cm-vault-e2e-ptp.conflist', content: cniConflist() }] : [];
}

/** `docker create` of the pulled image, its extra files copied in, `docker commit` with the labels as `ref`. */
export async function adoptImage(official: string, ref: string): Promise<void> {
  const id = await docker(['create', official], { what: `docker create ${official}` });
  const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-adopt-'));
  try {
    const files = adoptedFiles(ref);
    if (files.length) {
      for (const f of files) {
        await mkdir(join(dir, f.dest, '..'), { recursive: true });
        await writeFile(join(dir, f.dest), f.content);
      }
      // a tar of the files only (no directory entries), so the image's own directories keep their modes
      const tar = join(dir, 'files.tar');
      await execa('tar', ['-C', dir, '--numeric-owner', '--owner=0', '--group=0', '-cf', tar, ...files.map((f) => f.dest)]);
      const r = await execa('docker', ['cp', '-', `${id}:/`], { inputFile: tar, reject: false, all: true });
      if (r.exitCode !== 0) throw new EnvironmentError('docker', `copying files into ${official} failed`, 'read the lines below', tailLines(r.all));
    }
    await docker(['commit', '--change', `LABEL ${adoptedLabels(official).join(' ')}`, id, ref], { what: `docker commit ${ref}`, timeout: 600_000 });
  } finally {
    await dockerMaybe(['rm', '-v', id]);
    await rm(dir, { recursive: true, force: true });
  }
}

export function defaultImageDeps(policy: SourcePolicy, log: Logger): ImageSourceDeps {
  return { policy, local: localImage, pull: defaultPuller, adopt: adoptImage, log };
}
