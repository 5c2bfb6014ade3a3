/**
 * The node's root filesystem: Debian bookworm made with debootstrap from Debian's own packages (no container
 * registry), trimmed, and cached as a tarball keyed by its inputs (suite, mirror, package list, recipe revision).
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { kindCache } from '../../provision/cache.ts';
import { keyOf, RECIPE_REVISION, requireRoot, stderrLogger, tailLines, type Logger } from './common.ts';
import { secondsSince } from '../../lib/wait.ts';

/**
 * What kind's base image installs (images/base/Dockerfile of kind v0.30.0), from Debian instead of upstream
 * release tarballs: containerd 1.6 and runc 1.1 are Debian's, the CNI plugins are Debian's
 * containernetworking-plugins (in /usr/lib/cni). Left out: nfs-common, open-iscsi and fuse-overlayfs (network
 * storage and rootless, which this suite does not use). busybox-static gives the kube-proxy image its shell.
 */
export const NODE_PACKAGES = [
  'systemd',
  'conntrack', 'iptables', 'nftables', 'iproute2', 'ethtool', 'ebtables', 'socat', 'util-linux', 'mount', 'kmod',
  'libseccomp2', 'pigz',
  'bash', 'ca-certificates', 'curl', 'jq', 'procps', 'less',
  'containerd', 'runc', 'containernetworking-plugins',
  'busybox-static',
] as const;

export interface RootfsSpec {
  suite: string;
  mirror: string;
  variant: 'minbase';
  packages: readonly string[];
}

export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
/** The variable naming another mirror (cli/run-settings.ts reads it). */
export const DEBIAN_MIRROR_ENV = 'CM_VAULT_E2E_DEBIAN_MIRROR';

export function defaultRootfsSpec(mirror: string = DEFAULT_MIRROR): RootfsSpec {
  return { suite: 'bookworm', mirror, variant: 'minbase', packages: [...NODE_PACKAGES] };
}

export function rootfsKey(spec: RootfsSpec): string {
  return keyOf({ ...spec, packages: [...spec.packages].sort(), revision: RECIPE_REVISION });
}

export interface RootfsResult {
  tarball: string;
  key: string;
  /** True when this call ran debootstrap; false when the cache had it. */
  built: boolean;
  seconds: number;
  bytes: number;
}

/** Paths removed after debootstrap: documentation, manuals, locales, apt's lists and caches, logs. */
const TRIM = [
  'var/lib/apt/lists', 'var/cache/apt', 'var/cache/debconf/*-old', 'var/log/*', 'usr/share/doc', 'usr/share/man',
  'usr/share/info', 'usr/share/locale', 'usr/share/lintian', 'var/cache/man',
];

/** Makes (or finds) the rootfs tarball. Cold: debootstrap (about a minute with a nearby mirror). */
export async function ensureRootfs(spec: RootfsSpec = defaultRootfsSpec(), log: Logger = stderrLogger): Promise<RootfsResult> {
  const started = Date.now();
  const cache = kindCache();
  const key = rootfsKey(spec);
  const tarball = join(cache.rootfs, `${spec.suite}-${key}.tar`);
  if (existsSync(tarball)) {
    return { tarball, key, built: false, seconds: secondsSince(started), bytes: (await stat(tarball)).size };
  }
  requireRoot('debootstrap');
  const which = await execa('debootstrap', ['--version'], { reject: false });
  if (which.exitCode !== 0) {
    throw new EnvironmentError('debootstrap', 'is not installed', 'apt-get install -y --no-install-recommends debootstrap');
  }
  await mkdir(cache.rootfs, { recursive: true });
  await mkdir(cache.work, { recursive: true });
  const dir = join(cache.work, `rootfs-${key}-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  log(`rootfs: debootstrap ${spec.variant} ${spec.suite} from ${spec.mirror} (${spec.packages.length} extra packages)`);
  try {
    const r = await execa(
      'debootstrap',
      [`--variant=${spec.variant}`, `--include=${spec.packages.join(',')}`, '--components=main', '--merged-usr', spec.suite, dir, spec.mirror],
      { reject: false, all: true, stdin: 'ignore', env: { DEBIAN_FRONTEND: 'noninteractive' } },
    );
    if (r.exitCode !== 0) {
      const logTail = await execa('tail', ['-n', '20', join(dir, 'debootstrap', 'debootstrap.log')], { reject: false });
      throw new EnvironmentError(
        'debootstrap',
        `debootstrap ${spec.suite} failed (exit ${r.exitCode})`,
        `check that ${spec.mirror} is reachable (set ${DEBIAN_MIRROR_ENV} for another mirror) and that the packages exist in ${spec.suite}`,
        [...tailLines(r.all, 10), ...tailLines(logTail.stdout, 10)],
      );
    }
    log(`rootfs: debootstrap done in ${secondsSince(started)}s; trimming and packing`);
    await execa('sh', ['-c', `cd ${JSON.stringify(dir)} && rm -rf ${TRIM.join(' ')}`]);
    const partial = `${tarball}.${process.pid}.partial`;
    await execa('tar', ['--numeric-owner', '--xattrs', '-C', dir, '-cf', partial, '.']);
    await rename(partial, tarball);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const bytes = (await stat(tarball)).size;
  log(`rootfs: ${tarball} (${(bytes / 1e6).toFixed(0)} MB) in ${secondsSince(started)}s`);
  return { tarball, key, built: true, seconds: secondsSince(started), bytes };
}

/** Unpacks a rootfs tarball into a fresh directory (for copying files and library closures out of it). */
export async function unpackRootfs(tarball: string, dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await execa('tar', ['--numeric-owner', '-C', dir, '-xf', tarball]);
}
