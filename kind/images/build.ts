/**
 * Builds everything a kind cluster needs here, without a container registry (`provision --for kind` runs it;
 * bench/kind-images.ts prints what each step took):
 *
 * rootfs (debootstrap) -> kind base image -> kubeadm's images (from the binaries `provision` built) ->
 * kindest/node:<version>; plus cm-vault-e2e/busybox:local for test pods. Warm (all cached): a few seconds.
 * Needs root, Docker (bash provision/docker/docker-host.sh), debootstrap, gcc + libc6-dev, and
 * `npx cm-vault-e2e provision --only kube-node,kube-control-plane,etcd,coredns,kind`.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import pLimit from 'p-limit';
import { EnvironmentError } from '../../lib/errors.ts';
import { binaryPath } from '../../provision/artifacts.ts';
import { kindCache } from '../../provision/cache.ts';
import { loadVersions, type Versions } from '../../scenarios/versions.ts';
import { ensureBaseImage } from './base.ts';
import { docker, dockerMaybe, imageLabel, imageSize, INPUTS_LABEL_KEY, PROJECT_LABEL, stderrLogger, type Logger } from './common.ts';
import { busyboxSpec, componentSpecs, ensureComponent, parseKubeadmImages, tagOf, type BuiltComponent, type ComponentSpec, type KubeadmImages } from './components.ts';
import { defaultNodeImage, ensureNodeImage, type NodeImageResult } from './node.ts';
import { ensurePause } from './pause.ts';
import { chooseImageSource, defaultImageDeps, officialImageFor, type ImageSourceDeps } from './pull.ts';
import { defaultRootfsSpec, ensureRootfs, unpackRootfs, type RootfsResult, type RootfsSpec } from './rootfs.ts';
import { secondsSince } from '../../lib/wait.ts';

export const TEST_POD_IMAGE = 'cm-vault-e2e/busybox:local';

/** The node image when it is kind's official one (pulled and adopted, or adopted earlier). */
export interface OfficialNodeImage {
  image: string;
  source: 'official';
  official: string;
  seconds: number;
}

export interface KindImagesResult {
  nodeImage: string;
  kubernetesVersion: string;
  rootfs: RootfsResult;
  /** Absent when the node image is kind's official one (nothing of it is built here). */
  base?: { image: string; built: boolean; seconds: number };
  components: BuiltComponent[];
  busybox: BuiltComponent;
  node: NodeImageResult | OfficialNodeImage;
  refs?: KubeadmImages;
  seconds: number;
  /** Image sizes as Docker reports them, bytes. */
  sizes: Record<string, number>;
}

export interface BuildOptions {
  kubernetesVersion?: string;
  image?: string;
  log?: Logger;
  /** Docker, the registry and the source policy (default auto), for the official road (tests inject them). */
  sources?: Partial<ImageSourceDeps>;
  /** The Debian mirror the rootfs is debootstrapped from (default deb.debian.org). */
  debianMirror?: string;
  /** The versions file the node image must agree with (default: the shipped versions.yaml). */
  versions?: Versions;
}

/** Pinned versions the node image must agree with (versions.yaml, or the file `--versions` names). */
export function pinnedVersions(v: Versions = loadVersions()) {
  const pin = (n: string) => {
    const p = v.pinned[n];
    if (!p) throw new EnvironmentError('versions.yaml', `no ${n} pin`, `add ${n} to versions.yaml`);
    return p.version;
  };
  return { kubernetes: v.kubernetes.default, etcd: pin('etcd'), coredns: pin('coredns'), pause: pin('pause'), kind: pin('kind'), crictl: pin('crictl') };
}

/** kubeadm's image names for one Kubernetes as versions.yaml records them (`kubernetes.versions.<v>.kubeadm`). */
export type KubeadmRecord = { etcd: string; coredns: string; pause: string };

export function kubeadmRecordOf(v: Versions, kubernetesVersion: string): KubeadmRecord | undefined {
  const r = v.kubernetes.entries[kubernetesVersion]?.kubeadm as Partial<KubeadmRecord> | undefined;
  return r && typeof r.etcd === 'string' && typeof r.coredns === 'string' && typeof r.pause === 'string' ? { etcd: r.etcd, coredns: r.coredns, pause: String(r.pause) } : undefined;
}

/**
 * kubeadm's image names must be what the node image carries, or kubeadm would want to pull. The images are built
 * from the single etcd and CoreDNS pins and tagged with kubeadm's names, so a Kubernetes whose kubeadm names newer
 * ones (versions.yaml records them per version) runs them under those names; pause is built from that
 * Kubernetes' own source. Without a record the names must be the pins themselves.
 */
export function checkRefsAgainstPins(refs: KubeadmImages, pins: { etcd: string; coredns: string; pause: string }, recorded?: KubeadmRecord): void {
  const problems: string[] = [];
  if (recorded) {
    const want: Array<[keyof KubeadmImages & keyof KubeadmRecord, string]> = [['etcd', recorded.etcd], ['coredns', recorded.coredns], ['pause', recorded.pause]];
    for (const [name, tag] of want) if (tagOf(refs[name]) !== tag) problems.push(`kubeadm wants ${refs[name]}, versions.yaml records ${name} ${tag} for this Kubernetes`);
    if (problems.length) throw new EnvironmentError('versions.yaml', "the kubeadm record disagrees with kubeadm", "write the tags `kubeadm config images list` prints into this Kubernetes' `kubeadm:` entry", problems);
    return;
  }
  if (!tagOf(refs.etcd).startsWith(`${pins.etcd.replace(/^v/, '')}-`)) problems.push(`kubeadm wants ${refs.etcd}, versions.yaml pins etcd ${pins.etcd}`);
  if (tagOf(refs.coredns) !== pins.coredns) problems.push(`kubeadm wants ${refs.coredns}, versions.yaml pins coredns ${pins.coredns}`);
  if (tagOf(refs.pause) !== pins.pause) problems.push(`kubeadm wants ${refs.pause}, versions.yaml pins pause ${pins.pause}`);
  if (problems.length) throw new EnvironmentError('versions.yaml', 'pins disagree with kubeadm', 'pin the versions kubeadm names (`kubeadm config images list`), or record them under this Kubernetes as `kubeadm:`', problems);
}

/**
 * One image build at a time in this process: environments of one run start side by side, and the rootfs, base and
 * node builds work in directories and a build container named after the process, so two at once would remove each
 * other's files. A warm check is quick, so waiting costs little.
 */
const oneBuildAtATime = pLimit(1);

export function buildKindImages(opts: BuildOptions = {}): Promise<KindImagesResult> {
  return oneBuildAtATime(() => buildImages(opts));
}

async function buildImages(opts: BuildOptions): Promise<KindImagesResult> {
  const started = Date.now();
  const log = opts.log ?? stderrLogger;
  const versions = opts.versions ?? loadVersions();
  const pins = pinnedVersions(versions);
  const k8s = opts.kubernetesVersion ?? pins.kubernetes;
  const image = opts.image ?? defaultNodeImage(k8s);
  const sources = { ...defaultImageDeps(opts.sources?.policy ?? 'auto', log), ...opts.sources };
  const rootfsSpec = defaultRootfsSpec(opts.debianMirror);

  // kind's own node image for this Kubernetes, where its release published one: then nothing below is built but
  // the test pods' busybox
  const officialNode = await chooseImageSource(image, officialImageFor(image, { kindVersion: pins.kind }), sources);
  if (officialNode.source === 'official') {
    const rootfs = await ensureRootfs(rootfsSpec, log);
    const busybox = await ensureTestPodImage(rootfs, log);
    const node: OfficialNodeImage = { image, source: 'official', official: officialNode.official!, seconds: secondsSince(started) };
    const sizes: Record<string, number> = {};
    for (const ref of [image, TEST_POD_IMAGE]) {
      const s = await imageSize(ref);
      if (s !== undefined) sizes[ref] = s;
    }
    return { nodeImage: image, kubernetesVersion: k8s, rootfs, components: [], busybox, node, seconds: secondsSince(started), sizes };
  }

  const [kubelet, kubeadm, kubectl, kubeProxy, apiserver, controllerManager, scheduler, etcd, coredns, crictl] = await Promise.all([
    binaryPath('kube-node', k8s, 'kubelet'),
    binaryPath('kube-node', k8s, 'kubeadm'),
    binaryPath('kube-node', k8s, 'kubectl'),
    binaryPath('kube-node', k8s, 'kube-proxy'),
    binaryPath('kube-control-plane', k8s, 'kube-apiserver'),
    binaryPath('kube-control-plane', k8s, 'kube-controller-manager'),
    binaryPath('kube-control-plane', k8s, 'kube-scheduler'),
    binaryPath('etcd', pins.etcd, 'etcd'),
    binaryPath('coredns', pins.coredns, 'coredns'),
    binaryPath('crictl', pins.crictl, 'crictl'),
  ]);
  const listed = await execa(kubeadm, ['config', 'images', 'list', '--kubernetes-version', k8s], { reject: false, all: true });
  if (listed.exitCode !== 0) throw new EnvironmentError('kubeadm', '`kubeadm config images list` failed', 'check the kube-node artifact', (listed.all ?? '').split('\n'));
  const refs = parseKubeadmImages(listed.stdout);
  checkRefsAgainstPins(refs, pins, kubeadmRecordOf(versions, k8s));

  const rootfs = await ensureRootfs(rootfsSpec, log);
  // unpacked only when some image has to be built
  const unpacked = join(kindCache().work, `rootfs-unpacked-${rootfs.key}-${process.pid}`);
  let unpacking: Promise<string> | undefined;
  const rootfsDir = () => (unpacking ??= unpackRootfs(rootfs.tarball, unpacked).then(() => unpacked));
  try {
    const pause = await ensurePause(k8s, tagOf(refs.pause));
    const specs = componentSpecs(refs, {
      'kube-apiserver': apiserver,
      'kube-controller-manager': controllerManager,
      'kube-scheduler': scheduler,
      'kube-proxy': kubeProxy,
      etcd,
      coredns,
      pause: pause.path,
    });
    const components: BuiltComponent[] = [];
    for (const spec of specs) components.push(await ensureComponent(spec, rootfs.key, rootfsDir, log));
    const busybox = await ensureTestPodImage(rootfs, log, rootfsDir);

    const base = await ensureBaseImage({ rootfsTarball: rootfs.tarball, rootfsKey: rootfs.key, kindVersion: pins.kind, pauseRef: refs.pause, log });
    const node = await ensureNodeImage({ image, kubernetesVersion: k8s, base, binaries: { kubelet, kubeadm, kubectl, crictl }, components, log });

    await pruneStale({ keepTarballs: [rootfs.tarball, busybox.tarball, node.tarball, ...components.map((c) => c.tarball)], keepImages: [base.image, `cm-vault-e2e/kind-rootfs:${rootfs.key}`] }, log);

    const sizes: Record<string, number> = {};
    for (const ref of [image, base.image, TEST_POD_IMAGE, ...components.map((c) => c.ref)]) {
      const s = await imageSize(ref);
      if (s !== undefined) sizes[ref] = s;
    }
    return { nodeImage: image, kubernetesVersion: k8s, rootfs, base, components, busybox, node, refs, seconds: secondsSince(started), sizes };
  } finally {
    if (unpacking) await rm(unpacked, { recursive: true, force: true });
  }
}

/** The test pods' busybox, built from the rootfs and loaded into Docker. */
async function ensureTestPodImage(rootfs: RootfsResult, log: Logger, rootfsDir?: () => Promise<string>): Promise<BuiltComponent> {
  const unpacked = join(kindCache().work, `rootfs-unpacked-${rootfs.key}-${process.pid}-busybox`);
  let unpacking: Promise<string> | undefined;
  try {
    const dir = rootfsDir ?? (() => (unpacking ??= unpackRootfs(rootfs.tarball, unpacked).then(() => unpacked)));
    const busybox = await ensureComponent(busyboxSpec(TEST_POD_IMAGE), rootfs.key, dir, log);
    if ((await imageLabel(TEST_POD_IMAGE, INPUTS_LABEL_KEY)) !== busybox.key) await docker(['load', '-i', busybox.tarball], { what: 'docker load busybox' });
    return busybox;
  } finally {
    if (unpacking) await rm(unpacked, { recursive: true, force: true });
  }
}

/** Where an extra image comes from: the official road's deps and policy (default auto), and the rootfs's Debian mirror. */
export type ExtraImageOptions = Partial<ImageSourceDeps> & { debianMirror?: string };

/** The Debian mirror option of a run's kind settings, when it names one. */
export const debianMirrorOf = (kind: { debianMirror?: string }) => (kind.debianMirror ? { debianMirror: kind.debianMirror } : {});

/** An extra image: built here (a tarball in the cache) or the official one, adopted under the same name. */
export type ExtraImage = Omit<BuiltComponent, 'tarball'> & { tarball?: string; source: 'official' | 'build'; official?: string };

/**
 * One more image from the same parts (the cert-manager controller, Vault): the official image where one exists and
 * the pull works (kind/images/pull.ts), else built unless cached; present in Docker afterwards (for
 * `kind load docker-image` or `docker run`) under `spec.ref` either way.
 */
export async function ensureExtraImage(spec: ComponentSpec, log: Logger = stderrLogger, opts: ExtraImageOptions = {}): Promise<ExtraImage> {
  const started = Date.now();
  const { debianMirror, ...sources } = opts;
  const chosen = await chooseImageSource(spec.ref, officialImageFor(spec.ref), { ...defaultImageDeps(sources.policy ?? 'auto', log), ...sources });
  if (chosen.source === 'official') {
    return { name: spec.name, ref: spec.ref, key: chosen.official!, built: false, seconds: secondsSince(started), bytes: (await imageSize(spec.ref)) ?? 0, source: 'official', official: chosen.official! };
  }
  return { ...(await buildExtraImage(spec, defaultRootfsSpec(debianMirror), log)), source: 'build' };
}

let extraBuilds = 0;

async function buildExtraImage(spec: ComponentSpec, rootfsSpec: RootfsSpec, log: Logger): Promise<BuiltComponent> {
  const rootfs = await ensureRootfs(rootfsSpec, log);
  // One directory per build: two environments may build the same component for two releases at once.
  const unpacked = join(kindCache().work, `rootfs-unpacked-${rootfs.key}-${process.pid}-${spec.name}-${++extraBuilds}`);
  let unpacking: Promise<string> | undefined;
  try {
    const c = await ensureComponent(spec, rootfs.key, () => (unpacking ??= unpackRootfs(rootfs.tarball, unpacked).then(() => unpacked)), log);
    if ((await imageLabel(spec.ref, INPUTS_LABEL_KEY)) !== c.key) await docker(['load', '-i', c.tarball], { what: `docker load ${c.tarball}`, timeout: 600_000 });
    return c;
  } finally {
    if (unpacking) await rm(unpacked, { recursive: true, force: true });
  }
}

/**
 * Removes what earlier builds left: cached tarballs replaced by a current one (same name and tag, another
 * input key; other versions' tarballs stay), kind-base/kind-rootfs tags other than the current ones, and
 * dangling images carrying the project label.
 */
export async function pruneStale(keep: { keepTarballs: string[]; keepImages: string[] }, log: Logger = stderrLogger): Promise<void> {
  const cache = kindCache();
  const keepFiles = new Set(keep.keepTarballs);
  const prefix = (path: string) => path.replace(/-[0-9a-f]{16}\.tar$/, '');
  const replaced = new Set(keep.keepTarballs.map(prefix));
  for (const dir of [cache.images, cache.rootfs]) {
    for (const f of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, f);
      if (f.endsWith('.tar') && !keepFiles.has(path) && replaced.has(prefix(path))) {
        await rm(path, { force: true });
        log(`prune: ${path}`);
      }
    }
  }
  for (const repo of ['cm-vault-e2e/kind-base', 'cm-vault-e2e/kind-rootfs']) {
    const tags = ((await dockerMaybe(['images', '--format', '{{.Repository}}:{{.Tag}}', repo])) ?? '').split('\n').filter(Boolean);
    for (const t of tags) {
      if (!keep.keepImages.includes(t)) {
        await dockerMaybe(['rmi', t]);
        log(`prune: image ${t}`);
      }
    }
  }
  await dockerMaybe(['image', 'prune', '-f', '--filter', `label=${PROJECT_LABEL}`]);
}

export function summary(r: KindImagesResult): string[] {
  const mb = (n: number | undefined) => (n === undefined ? '?' : `${(n / 1e6).toFixed(0)} MB`);
  return [
    `rootfs     ${r.rootfs.built ? 'built' : 'cached'} ${r.rootfs.seconds}s  ${mb(r.rootfs.bytes)}  ${r.rootfs.tarball}`,
    ...(r.base ? [`base       ${r.base.built ? 'built' : 'cached'} ${r.base.seconds}s  ${mb(r.sizes[r.base.image])}  ${r.base.image}`] : []),
    ...[...r.components, r.busybox].map((c) => `${c.name.padEnd(10)} ${c.built ? 'built' : 'cached'} ${c.seconds}s  ${mb(r.sizes[c.ref])}  ${c.ref}`),
    `node       ${r.node.source} ${r.node.seconds}s  ${mb(r.sizes[r.nodeImage])}  ${r.nodeImage}${r.node.source === 'official' ? ` (${r.node.official})` : ''}`,
    `total      ${r.seconds}s`,
  ];
}
