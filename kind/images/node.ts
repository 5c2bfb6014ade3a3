/**
 * The node image, assembled as `kind build node-image` does: run the base image, copy kubelet/kubeadm/kubectl/crictl to
 * /usr/bin, write /kind/version, import every kubeadm image into the node's containerd (pinned, not unpacked),
 * then `docker commit`. Tagged kindest/node:<version> so kind's defaults find it. Cached three ways: the image
 * itself (its inputs label), a `docker save` tarball in the cache (loaded when Docker lost the image), a build.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import type { BaseImageResult } from './base.ts';
import { OWNER_LABEL_KEY, RUN_LABEL_KEY } from '../../lib/ledger.ts';
import { ownerLabel, selfIdentity } from '../../lib/run-identity.ts';
import { docker, dockerMaybe, imageLabel, INPUTS_LABEL_KEY, keyOf, kindCache, PROJECT_LABEL, RECIPE_REVISION, stderrLogger, tailLines, type Logger } from './common.ts';
import { fileSha256, type BuiltComponent } from './components.ts';
import { secondsSince } from '../../lib/wait.ts';

// crictl: kind's images carry it, and `kind export logs` runs it on the node
export const NODE_BINARIES = ['kubelet', 'kubeadm', 'kubectl', 'crictl'] as const;
export type NodeBinaries = Record<(typeof NODE_BINARIES)[number], string>;

export function defaultNodeImage(kubernetesVersion: string): string {
  return `kindest/node:${kubernetesVersion}`;
}

export interface NodeImageResult {
  image: string;
  key: string;
  /** docker: already there; tarball: loaded from the cache; built: assembled now. */
  source: 'docker' | 'tarball' | 'built';
  seconds: number;
  tarball: string;
}

/** The ctr import kind's node-image build runs for each image archive. */
export const CTR_IMPORT = ['ctr', '--namespace=k8s.io', 'images', 'import', '--label=io.cri-containerd.pinned=pinned', '--all-platforms', '--no-unpack', '--digests', '-'];

/**
 * How the build container becomes the image. Its run and owner labels are blanked: Docker copies a container's
 * labels into the committed image and an image's labels onto every container made from it, so each kind node would
 * otherwise claim this build's run and owner, and the reaper would take it for a dead build's container.
 */
const COMMIT_CHANGES = ['ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]', `LABEL ${PROJECT_LABEL} ${RUN_LABEL_KEY}="" ${OWNER_LABEL_KEY}=""`];

export async function ensureNodeImage(opts: {
  image: string;
  kubernetesVersion: string;
  base: BaseImageResult;
  binaries: NodeBinaries;
  components: BuiltComponent[];
  log?: Logger;
}): Promise<NodeImageResult> {
  const started = Date.now();
  const log = opts.log ?? stderrLogger;
  const bins = Object.fromEntries(await Promise.all(NODE_BINARIES.map(async (b) => [b, await fileSha256(opts.binaries[b])])));
  const key = keyOf({
    version: opts.kubernetesVersion,
    base: opts.base.key,
    bins,
    images: opts.components.map((c) => ({ ref: c.ref, key: c.key })),
    import: CTR_IMPORT,
    commit: COMMIT_CHANGES,
    revision: RECIPE_REVISION,
  });
  const cache = kindCache();
  const tarball = join(cache.images, `node-${opts.kubernetesVersion}-${key}.tar`);
  const done = (source: NodeImageResult['source']): NodeImageResult => ({ image: opts.image, key, source, seconds: secondsSince(started), tarball });

  if ((await imageLabel(opts.image, INPUTS_LABEL_KEY)) === key) return done('docker');
  if (existsSync(tarball)) {
    log(`image: loading ${opts.image} from ${tarball}`);
    await docker(['load', '-i', tarball], { what: `docker load ${tarball}`, timeout: 900_000 });
    if ((await imageLabel(opts.image, INPUTS_LABEL_KEY)) === key) return done('tarball');
    log(`image: ${tarball} did not hold ${opts.image} with inputs ${key}; rebuilding`);
  }

  const container = `cmve-nodebuild-${process.pid}`;
  await dockerMaybe(['rm', '-f', container]);
  log(`image: assembling ${opts.image} from ${opts.base.image}`);
  // labelled like a run's containers, owned by this process: a build killed midway leaves a container the next run reaps
  const owned = ['--label', `${RUN_LABEL_KEY}=image-build`, '--label', `${OWNER_LABEL_KEY}=${ownerLabel(selfIdentity())}`];
  await docker(['run', '-d', '--name', container, '--privileged', '--label', PROJECT_LABEL, ...owned, '--entrypoint', 'sleep', opts.base.image, 'infinity'], { what: 'starting the node build container' });
  const exec = (args: string[], what: string) => docker(['exec', container, ...args], { what, timeout: 300_000 });
  try {
    for (const b of NODE_BINARIES) {
      await docker(['cp', opts.binaries[b], `${container}:/usr/bin/${b}`], { what: `copying ${b} into the node` });
      await exec(['sh', '-c', `chown root:root /usr/bin/${b} && chmod 0755 /usr/bin/${b}`], `chmod ${b}`);
    }
    await exec(['sh', '-c', `printf %s ${opts.kubernetesVersion} > /kind/version`], 'writing /kind/version');
    await exec(['bash', '-c', 'nohup containerd > /tmp/containerd.log 2>&1 &'], 'starting containerd in the build container');
    await exec(
      ['bash', '-c', 'for i in $(seq 1 100); do [ -S /run/containerd/containerd.sock ] && ctr version >/dev/null 2>&1 && exit 0; sleep 0.2; done; cat /tmp/containerd.log; exit 1'],
      'waiting for containerd in the build container',
    );
    for (const c of opts.components) {
      const r = await execa('docker', ['exec', '-i', container, ...CTR_IMPORT], { inputFile: c.tarball, reject: false, all: true, timeout: 600_000 });
      if (r.exitCode !== 0) throw new EnvironmentError('node image', `ctr import of ${c.ref} failed`, 'read the lines below', tailLines(r.all));
    }
    const listed = (await exec(['ctr', '--namespace=k8s.io', 'images', 'ls', '-q'], 'listing imported images')).split('\n');
    const missing = opts.components.filter((c) => !listed.includes(c.ref) && !listed.includes(`docker.io/${c.ref}`));
    if (missing.length) throw new EnvironmentError('node image', `containerd lacks ${missing.map((m) => m.ref).join(', ')} after import`, 'read the listing below', listed);
    await exec(['bash', '-c', 'pkill containerd; for i in $(seq 1 50); do pgrep containerd >/dev/null || break; sleep 0.2; done; rm -rf /run/containerd /tmp/containerd.log'], 'stopping containerd');
    await docker(
      ['commit', ...COMMIT_CHANGES.flatMap((c) => ['--change', c]), '--change', `LABEL ${INPUTS_LABEL_KEY}=${key}`, container, opts.image],
      { what: `docker commit ${opts.image}`, timeout: 900_000 },
    );
  } finally {
    await dockerMaybe(['rm', '-f', container]);
  }
  await mkdir(cache.images, { recursive: true });
  const partial = `${tarball}.${process.pid}.partial`;
  await docker(['save', '-o', partial, opts.image], { what: `docker save ${opts.image}`, timeout: 900_000 });
  await rename(partial, tarball);
  log(`image: ${opts.image} (${((await stat(tarball)).size / 1e6).toFixed(0)} MB saved) in ${secondsSince(started)}s`);
  return done('built');
}
