/**
 * kind's base image, rebuilt from parts this machine can reach: the debootstrapped rootfs (imported into Docker)
 * plus kind's own images/base/files from the kind module at the pinned version, with the steps of kind's
 * images/base/Dockerfile, and three changes this host needs:
 *
 *  - containerd's sandbox image is kubeadm's pause (kind v0.30's base names pause:3.10; kubeadm v1.34 wants 3.10.1);
 *  - `restrict_oom_score_adj = true`: the node has no CAP_SYS_RESOURCE (the Docker host's runc wrapper drops it),
 *    so lowering a container's oom_score_adj below containerd's own is refused and would fail every pod;
 *  - a static CNI conflist (ptp + host-local for the first node's pod CIDR), since kindnet cannot be pulled.
 *
 * Not needed, though it looks like it: containerd.service's `LimitNOFILE=infinity` / `LimitNPROC=infinity` above
 * the node's hard limits (nofile 20000 here) — systemd 252 clamps a refused limit to the hard one and starts it.
 *
 * Built with Docker's legacy builder (this host has no BuildKit), so the Dockerfile avoids `COPY --chmod`.
 */
import { execa } from 'execa';
import { chmod, cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { kindCache } from '../../provision/cache.ts';
import { docker, imageLabel, INPUTS_LABEL_KEY, keyOf, PROJECT_LABEL, RECIPE_REVISION, stderrLogger, tailLines, type Logger } from './common.ts';
import { goModuleDir } from './pause.ts';
import { secondsSince } from '../../lib/wait.ts';

/** The pod CIDR the baked CNI config serves: the first /24 of kind's default pod subnet, which the node gets. */
export const POD_SUBNET = '10.244.0.0/16';
export const NODE_POD_CIDR = '10.244.0.0/24';

export function cniConflist(podCidr = NODE_POD_CIDR): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'cmve-ptp',
      plugins: [
        {
          type: 'ptp',
          ipMasq: true,
          ipam: { type: 'host-local', dataDir: '/run/cni-ipam-state', ranges: [[{ subnet: podCidr }]], routes: [{ dst: '0.0.0.0/0' }] },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

/**
 * What turns the Debian rootfs into a node systemd can boot inside a container — the same outcome kind's
 * images/base/Dockerfile (v0.30.0) reaches on Ubuntu, written here as data:
 *  - no unit that needs a real machine starts (tmpfiles setup, udev and initctl sockets, every default wants link);
 *  - journald does not read /dev/kmsg (a container has none);
 *  - /sbin/init is systemd;
 *  - Debian's containerd and CNI plugins are where kind's units and containerd's defaults look for them;
 *  - containerd's base OCI spec runs kind's mount hook and sets no rlimits;
 *  - kubelet, containerd and kind's mount fix-up start at boot; binfmt (needs the host's kernel) never does.
 * The text is part of the base image's input key: a change rebuilds the image.
 */
const NO_BOOT_UNITS = {
  removeNamed: [['/lib/systemd/system/sysinit.target.wants/', 'systemd-tmpfiles-setup.service']],
  removeGlobs: [
    '/lib/systemd/system/multi-user.target.wants/*',
    '/etc/systemd/system/*.wants/*',
    '/lib/systemd/system/local-fs.target.wants/*',
    '/lib/systemd/system/sockets.target.wants/*udev*',
    '/lib/systemd/system/sockets.target.wants/*initctl*',
    '/lib/systemd/system/basic.target.wants/*',
  ],
};
const DEBIAN_PATHS: Array<{ target: string; link: string; flags: string; parent?: string }> = [
  { target: '/usr/bin/containerd', link: '/usr/local/bin/containerd', flags: '-sf' },
  { target: '/usr/lib/cni', link: '/opt/cni/bin', flags: '-sfn', parent: '/opt/cni' },
];
const MOUNT_HOOK = '/kind/bin/mount-product-files.sh';
const AT_BOOT = ['kubelet.service', 'containerd.service', 'undo-mount-hacks.service'];
const NEVER = ['systemd-binfmt.service'];

export const BASE_SETUP = [
  'set -eux',
  'chmod 755 /kind /kind/bin',
  ...NO_BOOT_UNITS.removeNamed.map(([dir, name]) => `find ${dir} -name "${name}" -delete`),
  ...NO_BOOT_UNITS.removeGlobs.map((glob) => `rm -f ${glob}`),
  'echo "ReadKMsg=no" >> /etc/systemd/journald.conf',
  'ln -sf "$(command -v systemd || echo /lib/systemd/systemd)" /sbin/init',
  "# Debian's containerd and CNI plugins live elsewhere than kind's units and containerd's defaults expect",
  ...DEBIAN_PATHS.flatMap((p) => [...(p.parent ? [`mkdir -p ${p.parent}`] : []), `ln ${p.flags} ${p.target} ${p.link}`]),
  'ctr oci spec \\',
  `  | jq '.hooks.createContainer[.hooks.createContainer| length] |= . + {"path": "${MOUNT_HOOK}"}' \\`,
  "  | jq 'del(.process.rlimits)' > /etc/containerd/cri-base.json",
  'containerd --version',
  'runc --version',
  `systemctl enable ${AT_BOOT.join(' ')}`,
  `systemctl mask ${NEVER.join(' ')}`,
  'mkdir -p /etc/kubernetes/manifests',
  '',
].join('\n');

/** kind's containerd config with the two changes this suite needs; throws if the upstream text moved. */
export function patchContainerdConfig(text: string, pauseRef: string): string {
  const sandbox = /sandbox_image = "[^"]*"/;
  const oom = /restrict_oom_score_adj = false/;
  if (!sandbox.test(text) || !oom.test(text)) {
    throw new EnvironmentError('kind base files', 'etc/containerd/config.toml no longer has sandbox_image / restrict_oom_score_adj = false', 'update patchContainerdConfig in kind/images/base.ts for this kind version');
  }
  return text.replace(sandbox, `sandbox_image = "${pauseRef}"`).replace(oom, 'restrict_oom_score_adj = true');
}

const DOCKERFILE = (from: string, key: string) => `FROM ${from}
COPY files/ /
COPY setup.sh /tmp/setup.sh
RUN bash /tmp/setup.sh && rm /tmp/setup.sh
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]
LABEL ${PROJECT_LABEL} ${INPUTS_LABEL_KEY}=${key}
`;

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out.sort();
}

export interface BaseImageResult {
  image: string;
  key: string;
  built: boolean;
  seconds: number;
}

/** Imports the rootfs tarball as an image (once per rootfs key). */
export async function ensureRootfsImage(tarball: string, rootfsKey: string): Promise<string> {
  const image = `cm-vault-e2e/kind-rootfs:${rootfsKey}`;
  if ((await imageLabel(image, INPUTS_LABEL_KEY)) === rootfsKey) return image;
  await docker(['import', '--change', `LABEL ${PROJECT_LABEL}`, '--change', `LABEL ${INPUTS_LABEL_KEY}=${rootfsKey}`, tarball, image], { what: 'docker import of the rootfs', timeout: 600_000 });
  return image;
}

export async function ensureBaseImage(opts: { rootfsTarball: string; rootfsKey: string; kindVersion: string; pauseRef: string; log?: Logger }): Promise<BaseImageResult> {
  const started = Date.now();
  const log = opts.log ?? stderrLogger;
  // A module version's files never change (the checksum database pins them), so the key names kind's version and
  // not its files: a warm check downloads nothing.
  const key = keyOf({ rootfs: opts.rootfsKey, kind: opts.kindVersion, pauseRef: opts.pauseRef, cni: cniConflist(), setup: BASE_SETUP, dockerfile: DOCKERFILE('X', 'Y'), revision: RECIPE_REVISION });
  const image = `cm-vault-e2e/kind-base:${key}`;
  if ((await imageLabel(image, INPUTS_LABEL_KEY)) === key) return { image, key, built: false, seconds: secondsSince(started) };

  const kindDir = await goModuleDir('sigs.k8s.io/kind', opts.kindVersion);
  const filesDir = join(kindDir, 'images', 'base', 'files');
  const containerd = await readFile(join(filesDir, 'etc', 'containerd', 'config.toml'), 'utf8').catch(() => '');
  const ours = {
    'etc/containerd/config.toml': patchContainerdConfig(containerd, opts.pauseRef),
    'etc/cni/net.d/10-cm-vault-e2e-ptp.conflist': cniConflist(),
  };
  const from = await ensureRootfsImage(opts.rootfsTarball, opts.rootfsKey);
  const ctx = join(kindCache().work, `base-${key}-${process.pid}`);
  await rm(ctx, { recursive: true, force: true });
  try {
    const files = join(ctx, 'files');
    await mkdir(files, { recursive: true });
    await cp(filesDir, files, { recursive: true });
    for (const [rel, text] of Object.entries(ours)) {
      await mkdir(join(files, rel, '..'), { recursive: true });
      await writeFile(join(files, rel), text);
    }
    // modules in the Go module cache are read-only; set kind's modes: scripts and directories 0755, the rest 0644
    for (const f of await listFiles(files)) {
      const rel = relative(files, f);
      const exec = rel.startsWith('usr/local/bin/') || rel.startsWith('kind/bin/');
      await chmod(f, exec ? 0o755 : 0o644);
    }
    await execa('find', [files, '-type', 'd', '-exec', 'chmod', '0755', '{}', '+']);
    await writeFile(join(ctx, 'setup.sh'), BASE_SETUP);
    await writeFile(join(ctx, 'Dockerfile'), DOCKERFILE(from, key));
    log(`image: building ${image} from ${from} and kind ${opts.kindVersion}'s base files`);
    const r = await execa('docker', ['build', '--label', PROJECT_LABEL, '-t', image, ctx], { reject: false, all: true, env: { DOCKER_BUILDKIT: '0' }, timeout: 900_000 });
    if (r.exitCode !== 0) throw new EnvironmentError('kind base image', `docker build of ${image} failed`, `read the lines below; the build context is ${ctx}`, tailLines(r.all, 20));
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
  // intermediate containers of the legacy builder are removed by default; dangling layers stay tied to the image
  const size = Number(await docker(['image', 'inspect', '--format', '{{.Size}}', image]));
  log(`image: ${image} (${(size / 1e6).toFixed(0)} MB) in ${secondsSince(started)}s`);
  return { image, key, built: true, seconds: secondsSince(started) };
}
