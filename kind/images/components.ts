/**
 * The images kubeadm runs (control plane, kube-proxy, etcd, CoreDNS, pause), each a minimal rootfs plus a
 * binary the suite built, tagged with exactly the names `kubeadm config images list` prints, so kubeadm and the
 * kubelet find them preloaded and never pull. Each is imported into Docker (`docker import`) and saved as a
 * tarball in the cache, keyed by its inputs.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { rememberedSha256 } from '../../lib/file-sha256.ts';
import { kindCache } from '../../provision/cache.ts';
import { canonicalDir, closure, copyPaths } from './closure.ts';
import { docker, INPUTS_LABEL_KEY, keyOf, PROJECT_LABEL, RECIPE_REVISION, stderrLogger, type Logger } from './common.ts';
import { secondsSince } from '../../lib/wait.ts';

export const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** One image: files to place, how it starts. */
export interface ComponentSpec {
  /** Short name: kube-apiserver, etcd, coredns, pause, kube-proxy, busybox. */
  name: string;
  /** The full reference it is tagged with, e.g. registry.k8s.io/kube-apiserver:v1.34.4. */
  ref: string;
  /** Host files copied in (binaries the suite built). */
  files: Array<{ src: string; dest: string; mode?: number }>;
  /** Absolute paths taken from the rootfs with their library closures. */
  fromRootfs?: string[];
  /** Directories of the rootfs whose every entry is taken (with closures), e.g. iptables' extension modules. */
  fromRootfsDirs?: string[];
  /** Extra files written as given. */
  write?: Array<{ dest: string; content: string; mode?: number }>;
  /** Symlinks: dest -> target. */
  links?: Array<{ dest: string; target: string }>;
  entrypoint: string[];
  cmd?: string[];
  env?: string[];
  /** USER of the image (numeric, so runAsNonRoot can check it). */
  user?: string;
}

export interface BuiltComponent {
  name: string;
  ref: string;
  key: string;
  tarball: string;
  built: boolean;
  seconds: number;
  bytes: number;
}

/** Minimal /etc for images without a distribution: root, nobody and distroless's nonroot (65532). */
export const MINIMAL_ETC: ComponentSpec['write'] = [
  { dest: '/etc/passwd', content: 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' },
  { dest: '/etc/group', content: 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' },
  { dest: '/etc/nsswitch.conf', content: 'hosts: files dns\n' },
];

/**
 * kube-proxy calls iptables, iptables-save and iptables-restore; which backend (legacy or nft) must match the
 * node's. Like kubernetes-sigs/iptables-wrappers and kind's entrypoint: the first call counts the rules each
 * backend already holds, points the names at the busier one's xtables-*-multi and runs the command again.
 */
export const IPTABLES_WRAPPER = `#!/bin/busybox sh
# cm-vault-e2e: choose iptables-legacy or iptables-nft on first use (kubernetes-sigs/iptables-wrappers logic).
legacy=$( (xtables-legacy-multi iptables-save || true; xtables-legacy-multi ip6tables-save || true) 2>/dev/null | busybox grep -c '^-' || true)
nft=$( (busybox timeout 5 busybox sh -c "xtables-nft-multi iptables-save; xtables-nft-multi ip6tables-save" || true) 2>/dev/null | busybox grep -c '^-' || true)
if [ "\${legacy:-0}" -ge "\${nft:-0}" ]; then mode=legacy; else mode=nft; fi
for t in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  busybox ln -sf "xtables-\${mode}-multi" "/usr/sbin/\${t}.new" && busybox mv -f "/usr/sbin/\${t}.new" "/usr/sbin/\${t}"
done
exec "/usr/sbin/$(busybox basename "$0")" "$@"
`;

const IPTABLES_NAMES = ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore'];

/** The files kube-proxy's image takes from the node rootfs (iptables both ways, nft, conntrack, a shell). */
export const KUBE_PROXY_ROOTFS_FILES = [
  '/usr/sbin/xtables-legacy-multi', '/usr/sbin/xtables-nft-multi', '/usr/sbin/nft', '/usr/sbin/conntrack', '/bin/busybox',
  '/etc/ssl/certs/ca-certificates.crt', '/etc/ethertypes', '/etc/protocols', '/etc/services',
];

/** A file's SHA-256, remembered in the kind cache across runs (every run's start computes the image keys). */
export function fileSha256(path: string): Promise<string> {
  return rememberedSha256(path, kindCache().fileSha256);
}

/** The inputs that decide an image's content: its spec, the hashes of the files it copies, the rootfs key. */
export async function componentKey(spec: ComponentSpec, rootfsKey: string): Promise<string> {
  const files = await Promise.all(spec.files.map(async (f) => ({ dest: f.dest, mode: f.mode, sha256: await fileSha256(f.src) })));
  return keyOf({ ...spec, files, rootfs: rootfsKey, revision: RECIPE_REVISION });
}

/** <name>-<tag>-<key>.tar: the key last, so a rebuild of the same name and tag replaces (prunes) the old one. */
export function tarballName(spec: { name: string; ref: string }, key: string): string {
  return `${spec.name}-${tagOf(spec.ref)}-${key}.tar`;
}

/**
 * Builds one image unless its tarball is cached. `rootfs` is an unpacked node rootfs (for closures and the CA
 * bundle); it is only needed on a cold build, so it is passed lazily.
 */
export async function ensureComponent(
  spec: ComponentSpec,
  rootfsKey: string,
  rootfs: () => Promise<string>,
  log: Logger = stderrLogger,
): Promise<BuiltComponent> {
  const started = Date.now();
  const cache = kindCache();
  const key = await componentKey(spec, rootfsKey);
  const tarball = join(cache.images, tarballName(spec, key));
  if (existsSync(tarball)) return { name: spec.name, ref: spec.ref, key, tarball, built: false, seconds: secondsSince(started), bytes: (await stat(tarball)).size };
  // two scenarios of one environment may want the same image at once (one Vault release, two placements): one
  // build, in one work directory, for both
  const running = building.get(tarball);
  if (running) return running;
  const build = buildComponent(spec, key, tarball, rootfs, log, started).finally(() => building.delete(tarball));
  building.set(tarball, build);
  return build;
}

/** Builds in progress in this process, by the tarball they write. */
const building = new Map<string, Promise<BuiltComponent>>();

async function buildComponent(spec: ComponentSpec, key: string, tarball: string, rootfs: () => Promise<string>, log: Logger, started: number): Promise<BuiltComponent> {
  const cache = kindCache();
  await mkdir(cache.images, { recursive: true });
  const dir = join(cache.work, `image-${spec.name}-${key}-${process.pid}`);
  const root = join(dir, 'rootfs');
  await rm(dir, { recursive: true, force: true });
  try {
    await mkdir(root, { recursive: true });
    // merged /usr, as Debian has it, so closures copied from the rootfs resolve the same way
    await mkdir(join(root, 'usr', 'lib'), { recursive: true });
    for (const d of ['bin', 'sbin', 'lib', 'lib64']) {
      await mkdir(join(root, 'usr', d), { recursive: true });
      await symlink(`usr/${d}`, join(root, d));
    }
    await mkdir(join(root, 'tmp'), { mode: 0o1777 });
    await chmod(join(root, 'tmp'), 0o1777);
    await mkdir(join(root, 'etc', 'ssl', 'certs'), { recursive: true });
    const from = await rootfs();
    const wanted = ['/etc/ssl/certs/ca-certificates.crt', ...(spec.fromRootfs ?? [])];
    for (const d of spec.fromRootfsDirs ?? []) {
      const canonical = await canonicalDir(from, d);
      wanted.push(...(await readdir(from + canonical)).map((n) => posix.join(canonical, n)));
    }
    await copyPaths(from, root, await closure(from, wanted));
    for (const f of spec.files) {
      const dest = join(root, f.dest);
      await mkdir(join(dest, '..'), { recursive: true });
      await copyFile(f.src, dest);
      await chmod(dest, f.mode ?? 0o755);
    }
    for (const w of [...(MINIMAL_ETC ?? []), ...(spec.write ?? [])]) {
      const dest = join(root, w.dest);
      await mkdir(join(dest, '..'), { recursive: true });
      await writeFile(dest, w.content, { mode: w.mode ?? 0o644 });
    }
    for (const l of spec.links ?? []) {
      const dest = join(root, l.dest);
      await mkdir(join(dest, '..'), { recursive: true });
      await rm(dest, { force: true });
      await symlink(l.target, dest);
    }
    const layer = join(dir, 'layer.tar');
    await execa('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-cf', layer, '.']);
    const changes = [
      `ENTRYPOINT ${JSON.stringify(spec.entrypoint)}`,
      ...(spec.cmd ? [`CMD ${JSON.stringify(spec.cmd)}`] : []),
      `ENV ${PATH_ENV}`,
      ...(spec.env ?? []).map((e) => `ENV ${e}`),
      ...(spec.user ? [`USER ${spec.user}`] : []),
      `LABEL ${PROJECT_LABEL}`,
      `LABEL ${INPUTS_LABEL_KEY}=${key}`,
    ];
    await docker(['import', ...changes.flatMap((c) => ['--change', c]), layer, spec.ref], { what: `docker import ${spec.ref}`, timeout: 300_000 });
    const partial = `${tarball}.${process.pid}.partial`;
    await docker(['save', '-o', partial, spec.ref], { what: `docker save ${spec.ref}`, timeout: 300_000 });
    await rename(partial, tarball);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const bytes = (await stat(tarball)).size;
  log(`image: ${spec.ref} (${(bytes / 1e6).toFixed(1)} MB) in ${secondsSince(started)}s`);
  return { name: spec.name, ref: spec.ref, key, tarball, built: true, seconds: secondsSince(started), bytes };
}

/** What each kubeadm image is made of, given the binaries the suite built and kubeadm's list of references. */
export function componentSpecs(refs: KubeadmImages, bins: ComponentBinaries): ComponentSpec[] {
  const bin = (name: string, src: string) => ({ src, dest: `/usr/local/bin/${name}` });
  const control = (name: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler'): ComponentSpec => ({
    name,
    ref: refs[name],
    files: [bin(name, bins[name])],
    entrypoint: [`/usr/local/bin/${name}`],
  });
  return [
    control('kube-apiserver'),
    control('kube-controller-manager'),
    control('kube-scheduler'),
    {
      name: 'kube-proxy',
      ref: refs['kube-proxy'],
      files: [bin('kube-proxy', bins['kube-proxy'])],
      fromRootfs: KUBE_PROXY_ROOTFS_FILES,
      fromRootfsDirs: ['/usr/lib/x86_64-linux-gnu/xtables'],
      write: [{ dest: '/usr/sbin/iptables-wrapper', content: IPTABLES_WRAPPER, mode: 0o755 }],
      links: [
        ...IPTABLES_NAMES.map((n) => ({ dest: `/usr/sbin/${n}`, target: 'iptables-wrapper' })),
        ...IPTABLES_NAMES.flatMap((n) => ['legacy', 'nft'].map((m) => ({ dest: `/usr/sbin/${n.replace(/^(ip6?tables)/, `$1-${m}`)}`, target: `xtables-${m}-multi` }))),
        { dest: '/bin/sh', target: 'busybox' },
      ],
      entrypoint: ['/usr/local/bin/kube-proxy'],
    },
    { name: 'etcd', ref: refs.etcd, files: [bin('etcd', bins.etcd)], entrypoint: ['/usr/local/bin/etcd'] },
    { name: 'coredns', ref: refs.coredns, files: [{ src: bins.coredns, dest: '/coredns' }], entrypoint: ['/coredns'] },
    { name: 'pause', ref: refs.pause, files: [{ src: bins.pause, dest: '/pause' }], entrypoint: ['/pause'] },
  ];
}

/** Applets linked in the test image (the rest work as `busybox <applet>`). */
export const BUSYBOX_APPLETS = ['sh', 'sleep', 'cat', 'ls', 'echo', 'env', 'id', 'grep', 'sed', 'wget', 'nslookup', 'nc', 'ip', 'ps', 'true', 'false', 'test', '['];

/** A busybox image for test pods (not preloaded: tests `kind load` it). */
export function busyboxSpec(ref = 'cm-vault-e2e/busybox:local'): ComponentSpec {
  return {
    name: 'busybox',
    ref,
    files: [],
    fromRootfs: ['/bin/busybox'],
    links: BUSYBOX_APPLETS.map((a) => ({ dest: `/bin/${a}`, target: 'busybox' })),
    entrypoint: ['/bin/sh'],
  };
}

export type KubeadmImageName = 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kube-proxy' | 'etcd' | 'coredns' | 'pause';
export type KubeadmImages = Record<KubeadmImageName, string>;
export type ComponentBinaries = Record<KubeadmImageName, string>;

/** Parses `kubeadm config images list` output into references by short name. */
export function parseKubeadmImages(output: string): KubeadmImages {
  const out: Partial<KubeadmImages> = {};
  for (const line of output.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const repo = line.replace(/:[^/:]+$/, '');
    const name = posix.basename(repo) as KubeadmImageName;
    out[name] = line;
  }
  for (const n of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'etcd', 'coredns', 'pause'] as const) {
    if (!out[n]) throw new EnvironmentError('kubeadm', `\`kubeadm config images list\` names no ${n} image`, 'check the kubeadm binary', output.split('\n'));
  }
  return out as KubeadmImages;
}

/** The version part of a reference: registry.k8s.io/etcd:3.6.5-0 -> 3.6.5-0. */
export function tagOf(ref: string): string {
  return ref.slice(ref.lastIndexOf(':') + 1);
}
