/**
 * The node image, assembled as `kind build node-image` does: run the base image, copy kubelet/kubeadm/kubectl/crictl to
 * /usr/bin, write /kind/version, import every kubeadm image into the node's containerd (pinned, not unpacked),
 * then `docker commit`. Tagged kindest/node:<version> so kind's defaults find it. Cached three ways: the image
 * itself (its inputs label), a `docker save` tarball in the cache (loaded when Docker lost the image), a build.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { kindCache } from '../../provision/cache.ts';
import type { BaseImageResult } from './base.ts';
import { COMMIT_CHANGES, CTR_IMPORT, inBuildContainer, listedIn } from './build-container.ts';
import { docker, imageLabel, INPUTS_LABEL_KEY, keyOf, RECIPE_REVISION, stderrLogger, type Logger } from './common.ts';
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

  log(`image: assembling ${opts.image} from ${opts.base.image}`);
  await inBuildContainer(opts.base.image, async (c) => {
    for (const b of NODE_BINARIES) {
      await docker(['cp', opts.binaries[b], `${c.name}:/usr/bin/${b}`], { what: `copying ${b} into the node` });
      await c.exec(['sh', '-c', `chown root:root /usr/bin/${b} && chmod 0755 /usr/bin/${b}`], `chmod ${b}`);
    }
    await c.exec(['sh', '-c', `printf %s ${opts.kubernetesVersion} > /kind/version`], 'writing /kind/version');
    await c.startContainerd();
    for (const component of opts.components) await c.importImages(component.ref, { file: component.tarball });
    const listed = await c.listImages();
    const missing = opts.components.filter((m) => !listedIn(listed, m.ref));
    if (missing.length) throw new EnvironmentError('node image', `containerd lacks ${missing.map((m) => m.ref).join(', ')} after import`, 'read the listing below', listed);
    await c.stopContainerd();
    await c.commit(opts.image, { [INPUTS_LABEL_KEY]: key });
  });
  await mkdir(cache.images, { recursive: true });
  const partial = `${tarball}.${process.pid}.partial`;
  await docker(['save', '-o', partial, opts.image], { what: `docker save ${opts.image}`, timeout: 900_000 });
  await rename(partial, tarball);
  log(`image: ${opts.image} (${((await stat(tarball)).size / 1e6).toFixed(0)} MB saved) in ${secondsSince(started)}s`);
  return done('built');
}
