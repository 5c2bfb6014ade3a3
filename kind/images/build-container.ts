/**
 * The container an image is assembled in and committed from (the node image, a stocked node image): started with
 * `sleep` instead of the node's init, its own containerd started for `ctr import` and stopped before the commit.
 */
import { execa } from 'execa';
import { EnvironmentError } from '../../lib/errors.ts';
import { OWNER_LABEL_KEY, ownerLabels, RUN_LABEL_KEY } from '../../lib/ledger.ts';
import { selfIdentity } from '../../lib/run-identity.ts';
import { docker, dockerMaybe, PROJECT_LABEL, tailLines } from './common.ts';

/** The ctr import kind's node-image build runs for each image archive: pinned (the kubelet never collects them), not unpacked. */
export const CTR_IMPORT = ['ctr', '--namespace=k8s.io', 'images', 'import', '--label=io.cri-containerd.pinned=pinned', '--all-platforms', '--no-unpack', '--digests', '-'];

/**
 * How the build container becomes the image. Its run and owner labels are blanked: Docker copies a container's
 * labels into the committed image and an image's labels onto every container made from it, so each kind node would
 * otherwise claim this build's run and owner, and the reaper would take it for a dead build's container.
 */
export const COMMIT_CHANGES = ['ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]', `LABEL ${PROJECT_LABEL} ${RUN_LABEL_KEY}="" ${OWNER_LABEL_KEY}=""`];

let builds = 0;

export interface BuildContainer {
  name: string;
  exec(args: string[], what: string): Promise<string>;
  /** Images streamed into the container's containerd (its `startContainerd` first), by reference; throws what ctr said. */
  importImages(what: string, source: { file: string } | { dockerImages: string[] }): Promise<void>;
  /** The image names the container's containerd holds. */
  listImages(): Promise<string[]>;
  startContainerd(): Promise<void>;
  stopContainerd(): Promise<void>;
  /** `docker commit` with COMMIT_CHANGES and these extra labels. */
  commit(image: string, labels: Record<string, string>): Promise<void>;
}

/** Runs `fn` in a fresh privileged container of `image` (sleeping), removed afterwards whatever happens. */
export async function inBuildContainer<T>(image: string, fn: (c: BuildContainer) => Promise<T>): Promise<T> {
  const name = `cmve-imagebuild-${process.pid}-${++builds}`;
  await dockerMaybe(['rm', '-f', name]);
  // labelled like a run's containers, owned by this process: a build killed midway leaves a container the next run reaps
  const owned = ['--label', `${RUN_LABEL_KEY}=image-build`, ...Object.entries(ownerLabels(selfIdentity())).flatMap(([k, v]) => ['--label', `${k}=${v}`])];
  await docker(['run', '-d', '--name', name, '--privileged', '--label', PROJECT_LABEL, ...owned, '--entrypoint', 'sleep', image, 'infinity'], { what: `starting a build container from ${image}` });
  const exec = (args: string[], what: string) => docker(['exec', name, ...args], { what, timeout: 300_000 });
  const container: BuildContainer = {
    name,
    exec,
    async importImages(what, source) {
      const importing = 'file' in source
        ? execa('docker', ['exec', '-i', name, ...CTR_IMPORT], { inputFile: source.file, reject: false, all: true, timeout: 600_000 })
        : execa('docker', ['save', ...source.dockerImages], { reject: false, buffer: { stdout: false }, stdin: 'ignore', timeout: 1_800_000 }).pipe('docker', ['exec', '-i', name, ...CTR_IMPORT], { reject: false, all: true, timeout: 1_800_000 });
      const r = await importing;
      const saved = 'pipedFrom' in r ? r.pipedFrom[0] : undefined;
      if (r.exitCode !== 0 || (saved && saved.exitCode !== 0)) {
        throw new EnvironmentError('image build', `ctr import of ${what} failed`, 'read the lines below', [...tailLines(saved?.stderr), ...tailLines(r.all)]);
      }
    },
    async listImages() {
      return (await exec(['ctr', '--namespace=k8s.io', 'images', 'ls', '-q'], 'listing imported images')).split('\n');
    },
    async startContainerd() {
      await exec(['bash', '-c', 'nohup containerd > /tmp/containerd.log 2>&1 &'], 'starting containerd in the build container');
      await exec(
        ['bash', '-c', 'for i in $(seq 1 100); do [ -S /run/containerd/containerd.sock ] && ctr version >/dev/null 2>&1 && exit 0; sleep 0.2; done; cat /tmp/containerd.log; exit 1'],
        'waiting for containerd in the build container',
      );
    },
    async stopContainerd() {
      await exec(['bash', '-c', 'pkill containerd; for i in $(seq 1 50); do pgrep containerd >/dev/null || break; sleep 0.2; done; rm -rf /run/containerd /tmp/containerd.log'], 'stopping containerd');
    },
    async commit(image, labels) {
      const changes = [...COMMIT_CHANGES, ...Object.entries(labels).map(([k, v]) => `LABEL ${k}=${JSON.stringify(v)}`)];
      await docker(['commit', ...changes.flatMap((c) => ['--change', c]), name, image], { what: `docker commit ${image}`, timeout: 900_000 });
    },
  };
  try {
    return await fn(container);
  } finally {
    await dockerMaybe(['rm', '-f', name]);
  }
}

/** Whether containerd's listing holds `ref` (ctr lists Docker Hub images with their docker.io/ prefix). */
export const listedIn = (listed: readonly string[], ref: string) => listed.includes(ref) || listed.includes(`docker.io/${ref}`);
