/**
 * kind clusters for one cluster profile, driven through the kind binary the provisioner built:
 * create (or reuse a healthy one), kubeconfig, `kind load docker-image`, logs, delete.
 *
 * Clusters are named `cmve-<profile>-<hash>-<run id>` and run on the Docker network `cmve-kind` (made here with the
 * project label; kind is pointed at it with KIND_EXPERIMENTAL_DOCKER_NETWORK), so they never mix with a
 * user's own kind clusters nor with another run's. Node containers carry the project label through the node
 * image's labels. A cluster is in the run's ledger before `kind create cluster` starts, and `kind` itself dies
 * with the runner, so a killed run's cluster is found and deleted by the next run.
 */
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { V1Lease } from '@kubernetes/client-node';
import { EnvironmentError } from '../lib/errors.ts';
import { processResource, type Resource, type RunLedger } from '../lib/ledger.ts';
import { dieWithParent } from '../lib/process.ts';
import { Kube, kubeConfigFor, type ClusterAccess } from '../lib/kube.ts';
import { poll, secondsSince, waiting } from '../lib/wait.ts';
import { binaryPath } from '../provision/artifacts.ts';
import { kindCache } from '../provision/cache.ts';
import type { ClusterProfile } from '../scenarios/types.ts';
import { docker, dockerMaybe, imageId, imageLabel, INPUTS_LABEL_KEY, PROJECT_LABEL, stderrLogger, tailLines, type Logger } from './images/common.ts';
import { pinnedVersions } from './images/build.ts';
import { defaultNodeImage } from './images/node.ts';
import type { Stock } from './images/stocked.ts';
import { NodePodLogs, criLogMessages } from './pod-logs.ts';
import { LEADER_LEASES, readinessOf } from './readiness.ts';
import { clusterNameFor, kindConfigYaml } from './profiles.ts';

export const KIND_NETWORK = 'cmve-kind';

export interface KindClusterSpec {
  profile: ClusterProfile;
  /** The run's ledger: the cluster (and the network, when made here) is recorded before it is made. */
  ledger: RunLedger;
  /** A kept cluster (`run --reuse`) to adopt by its name when it answers healthy; else one is made. */
  adopt?: string;
  kubernetesVersion?: string;
  /** Node image; default kindest/node:<kubernetesVersion>, which kind/images/build.ts makes. */
  image?: string;
  /** The images `image` was stocked with (kind/images/stocked.ts): on the node from the start, never loaded. */
  stock?: Stock;
  log?: Logger;
  /** Overall wait for the control plane and CoreDNS (default 4 minutes). */
  readyTimeoutMs?: number;
  /**
   * Return with CoreDNS not waited for (kind/readiness.ts): the caller installs what needs no DNS (cert-manager) while
   * CoreDNS's readiness probe comes round (every 10 s), then calls `waitReady()`.
   */
  dnsLater?: boolean;
  /** Separates clusters of the same profile that must not be shared (an environment key). */
  instance?: string;
  /** The pinned kind (default: versions.yaml's). */
  kindVersion?: string;
  /** Keep a node that failed to come up, to look inside. */
  keepFailed?: boolean;
}

export interface CreateTimings {
  /** `kind create cluster` wall time; 0 when reused. */
  createSeconds: number;
  /** From kind's return until control plane Running and CoreDNS Ready. */
  readySeconds: number;
  reused: boolean;
}

function kindBinary(version: string): Promise<string> {
  return binaryPath('kind', version, 'kind');
}

function kindEnv(): Record<string, string> {
  return { KIND_EXPERIMENTAL_DOCKER_NETWORK: KIND_NETWORK };
}

/** The labelled Docker network the suite's kind nodes join (kind would otherwise make an unlabelled `kind`). */
export async function ensureKindNetwork(ledger: RunLedger): Promise<void> {
  // shared by every run's clusters, and recorded by each run that uses it: the last one out removes it (reaping too
  // removes it only once no container uses it)
  await ledger.record({ kind: 'network', name: KIND_NETWORK });
  if ((await dockerMaybe(['network', 'inspect', '--format', '{{.Name}}', KIND_NETWORK])) === KIND_NETWORK) return;
  // kind's own network options: masquerade on, default MTU
  await docker(
    ['network', 'create', '--driver', 'bridge', '--label', PROJECT_LABEL, '-o', 'com.docker.network.bridge.enable_ip_masquerade=true', '-o', 'com.docker.network.driver.mtu=1500', KIND_NETWORK],
    { what: `docker network create ${KIND_NETWORK}` },
  ).catch(async (err: unknown) => {
    // Two environments starting at once both saw no network; the one that lost the race finds it made.
    if ((await dockerMaybe(['network', 'inspect', '--format', '{{.Name}}', KIND_NETWORK])) !== KIND_NETWORK) throw err;
  });
}

/** The one node container kind makes for a cluster of ours (one control-plane node, kind/profiles.ts). */
const nodeContainerOf = (cluster: string) => `${cluster}-control-plane`;

/** How often a create that lost its network to a concurrent removal is tried in all. */
const NETWORK_GONE_ATTEMPTS = 3;

/** Whether `kind create cluster` failed because the shared network was removed under it. */
const networkWentAway = (output: string | undefined) => new RegExp(`network ${KIND_NETWORK} not found`).test(output ?? '');

/**
 * Removes the network when no container uses it any more. With a run's `ledger`, the run's record of it goes too
 * once none of the run's own clusters or containers is on it (what is left on it is another run's, which recorded
 * it as well and removes it when it ends).
 */
export async function removeKindNetworkIfUnused(ledger?: RunLedger): Promise<boolean> {
  const users = await dockerMaybe(['network', 'inspect', '--format', '{{range .Containers}}{{.Name}} {{end}}', KIND_NETWORK]);
  const names = (users ?? '').split(' ').filter(Boolean);
  const removed = users !== undefined && !names.length && (await dockerMaybe(['network', 'rm', KIND_NETWORK])) !== undefined;
  const mine = new Set((ledger?.resources ?? []).flatMap((r) => (r.kind === 'kind-cluster' ? [nodeContainerOf(r.name)] : r.kind === 'container' ? [r.name] : [])));
  if (ledger && !names.some((n) => mine.has(n))) await ledger.drop({ kind: 'network', name: KIND_NETWORK });
  return removed;
}

export async function listKindClusters(kindVersion: string): Promise<string[]> {
  const r = await execa(await kindBinary(kindVersion), ['get', 'clusters'], { reject: false, all: true, env: kindEnv() });
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l && !/^No kind clusters/.test(l));
}

export async function deleteKindCluster(name: string, kindVersion: string, ledger?: RunLedger): Promise<void> {
  const r = await execa(await kindBinary(kindVersion), ['delete', 'cluster', '--name', name], { reject: false, all: true, env: kindEnv() });
  if (r.exitCode !== 0) throw new EnvironmentError(`kind cluster ${name}`, 'kind delete cluster failed', `docker rm -f ${nodeContainerOf(name)}`, tailLines(r.all));
  await rm(join(kindCache().clusters, name), { recursive: true, force: true });
  await ledger?.drop({ kind: 'kind-cluster', name, kindVersion });
}

export class KindCluster {
  readonly nodeContainer: string;
  private readonly podLogs: NodePodLogs;
  readonly dir: string;
  readonly kubeconfigPath: string;
  private cachedAccess?: ClusterAccess;
  private cachedKube?: Kube;

  private constructor(
    readonly name: string,
    readonly profile: ClusterProfile,
    readonly image: string,
    readonly timings: CreateTimings,
    private readonly kindVersion: string,
    private readonly ledger: RunLedger,
    private readonly stock: Stock = new Map(),
  ) {
    this.nodeContainer = nodeContainerOf(name);
    this.podLogs = new NodePodLogs(this.nodeContainer);
    this.dir = join(kindCache().clusters, name);
    this.kubeconfigPath = join(this.dir, 'kubeconfig');
  }

  /** The ledger entry of this cluster. */
  get resource(): Resource {
    return { kind: 'kind-cluster', name: this.name, kindVersion: this.kindVersion };
  }

  /** Creates the profile's cluster, or adopts the kept one `spec.adopt` names when it answers healthy. */
  static async ensure(spec: KindClusterSpec): Promise<KindCluster> {
    const log = spec.log ?? stderrLogger;
    const k8s = spec.kubernetesVersion ?? pinnedVersions().kubernetes;
    const kindVersion = spec.kindVersion ?? pinnedVersions().kind;
    const image = spec.image ?? defaultNodeImage(k8s);
    const inputs = await imageLabel(image, INPUTS_LABEL_KEY);
    if (inputs === undefined && !(await imageId(image))) {
      throw new EnvironmentError(`node image ${image}`, 'is not built on this machine', 'run `npx cm-vault-e2e provision --for kind` (needs root, Docker and the kube-node, kube-control-plane, etcd, coredns and kind artifacts)');
    }
    const name = clusterNameFor(spec.profile, image, inputs ?? '', spec.instance, spec.ledger.id);
    const kind = await kindBinary(kindVersion);
    if (spec.adopt) {
      const c = new KindCluster(spec.adopt, spec.profile, image, { createSeconds: 0, readySeconds: 0, reused: true }, kindVersion, spec.ledger, spec.stock);
      const healthy = await c.healthy();
      if (healthy === true) {
        await c.writeKubeconfig();
        const started = Date.now();
        await c.waitReady(30_000);
        c.timings.readySeconds = secondsSince(started);
        log(`kind: adopting kept ${c.name}`);
        return c;
      }
      log(`kind: kept ${c.name} is not healthy (${healthy}); deleting it and starting fresh`);
      await deleteKindCluster(c.name, kindVersion, spec.ledger);
    }

    const dir = join(kindCache().clusters, name);
    const configFile = join(dir, 'kind-config.yaml');
    const kubeconfigPath = join(dir, 'kubeconfig');
    log(`kind: creating ${name} (profile ${spec.profile.name}, ${image})`);
    const started = Date.now();
    const c = new KindCluster(name, spec.profile, image, { createSeconds: 0, readySeconds: 0, reused: false }, kindVersion, spec.ledger, spec.stock);
    await spec.ledger.record(c.resource);
    const create = async () => {
      await mkdir(dir, { recursive: true });
      await writeFile(configFile, kindConfigYaml(spec.profile, { name, image, kubernetesVersion: k8s, kindVersion: pinnedVersions().kind }));
      await ensureKindNetwork(spec.ledger);
      // `kind` dies with the runner: a killed run must not leave it creating a cluster on its own
      const [file, args] = dieWithParent(kind, ['create', 'cluster', '--name', name, '--config', configFile, '--kubeconfig', kubeconfigPath, '--retain', '--wait', '3m']);
      const creating = execa(file, args, { reject: false, all: true, env: kindEnv(), stdin: 'ignore', timeout: 10 * 60_000 });
      const creator = creating.pid !== undefined ? processResource('kind', creating.pid) : undefined;
      if (creator) await spec.ledger.record(creator);
      const done = await creating;
      if (creator) await spec.ledger.drop(creator);
      return done;
    };
    let r = await create();
    // The shared network goes when the last cluster on it is deleted (removeKindNetworkIfUnused), which another
    // environment, or another run, may do between this one making sure of it and `kind` starting the node on it.
    for (let attempt = 1; r.exitCode !== 0 && attempt < NETWORK_GONE_ATTEMPTS && networkWentAway(r.all); attempt++) {
      log(`kind: the network ${KIND_NETWORK} was removed while ${name} was being created (another cluster on it was deleted); creating it again`);
      await deleteKindCluster(name, kindVersion).catch(() => undefined);
      r = await create();
    }
    const createSeconds = (c.timings.createSeconds = secondsSince(started));
    if (r.exitCode !== 0) {
      const evidence = [...tailLines(r.all, 10), ...(await c.diagnostics())];
      if (!spec.keepFailed) await deleteKindCluster(name, kindVersion, spec.ledger).catch(() => undefined);
      throw new EnvironmentError(
        `kind cluster ${name}`,
        `did not come up (kind create cluster exited ${r.exitCode ?? r.signal} after ${createSeconds}s)`,
        `read the node's journal below; rerun with CM_VAULT_E2E_KIND_KEEP_FAILED=1 (the CLI and the e2e suites read it) to keep the node, then \`docker exec -it ${c.nodeContainer} bash\``,
        evidence,
      );
    }
    const readyStarted = Date.now();
    try {
      await c.waitReady(spec.readyTimeoutMs ?? 240_000, { dns: !spec.dnsLater });
    } catch (err) {
      if (err instanceof EnvironmentError) err.evidence.push(...(await c.diagnostics()));
      if (!spec.keepFailed) await deleteKindCluster(name, kindVersion, spec.ledger).catch(() => undefined);
      throw err;
    }
    c.timings.readySeconds = secondsSince(readyStarted);
    log(`kind: ${name} created in ${createSeconds}s, ready ${c.timings.readySeconds}s later${spec.dnsLater ? ' (CoreDNS not waited for)' : ''}`);
    return c;
  }

  /** true, or why not. */
  async healthy(): Promise<true | string> {
    const running = await dockerMaybe(['inspect', '--format', '{{.State.Running}}', this.nodeContainer]);
    if (running !== 'true') return `node container ${running === undefined ? 'missing' : 'stopped'}`;
    const r = await execa('docker', ['exec', this.nodeContainer, 'kubectl', '--kubeconfig=/etc/kubernetes/admin.conf', 'get', '--raw', '/readyz'], { reject: false, all: true, timeout: 30_000 });
    return r.exitCode === 0 && r.stdout.trim() === 'ok' ? true : `API server not ready: ${tailLines(r.all, 1).join('')}`;
  }

  async writeKubeconfig(): Promise<string> {
    const r = await execa(await kindBinary(this.kindVersion), ['get', 'kubeconfig', '--name', this.name], { reject: false, all: true, env: kindEnv() });
    if (r.exitCode !== 0) throw new EnvironmentError(`kind cluster ${this.name}`, 'kind get kubeconfig failed', 'is the cluster there? `kind get clusters`', tailLines(r.all));
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.kubeconfigPath, `${r.stdout}\n`, { mode: 0o600 });
    this.cachedAccess = undefined;
    this.cachedKube = undefined;
    return this.kubeconfigPath;
  }

  /** Admin access from this host (client certificate), parsed from the kubeconfig kind wrote. */
  get access(): ClusterAccess {
    if (this.cachedAccess) return this.cachedAccess;
    const kc = parse(readFileSync(this.kubeconfigPath, 'utf8')) as {
      clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
      users: Array<{ user: { 'client-certificate-data': string; 'client-key-data': string } }>;
    };
    const cluster = kc.clusters[0]!.cluster;
    const user = kc.users[0]!.user;
    const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
    this.cachedAccess = {
      server: cluster.server,
      caPem: b64(cluster['certificate-authority-data']),
      client: { certPem: b64(user['client-certificate-data']), keyPem: b64(user['client-key-data']) },
      user: 'kind-admin',
    };
    return this.cachedAccess;
  }

  get kube(): Kube {
    return (this.cachedKube ??= new Kube(kubeConfigFor(this.access)));
  }

  /** Waits until the cluster can take work (kind/readiness.ts); CoreDNS too unless `dns: false`. */
  async waitReady(timeoutMs = 240_000, o: { dns?: boolean } = {}): Promise<void> {
    const r = await poll(async () => {
      const state = await this.readiness(o);
      return state === 'ready' ? true : waiting(state);
    }, { timeoutMs, intervalMs: 1000, retryErrors: true });
    if (r.ok) return;
    throw new EnvironmentError(`kind cluster ${this.name}`, `not ready after ${Math.round(timeoutMs / 1000)}s: ${r.last}`, `kubectl --kubeconfig ${this.kubeconfigPath} get pods -A`);
  }

  /** 'ready' or what is still missing (kind/readiness.ts). */
  async readiness(o: { dns?: boolean } = {}): Promise<string> {
    const [nodes, pods, leases, namespaces, defaults] = await Promise.all([
      this.kube.core.listNode(),
      this.kube.core.listNamespacedPod({ namespace: 'kube-system' }),
      Promise.all(LEADER_LEASES.map(async (name) => [name, await this.kube.read<V1Lease>('coordination.k8s.io/v1', 'Lease', name, 'kube-system')] as const)),
      this.kube.core.listNamespace(),
      this.kube.core.listServiceAccountForAllNamespaces({ fieldSelector: 'metadata.name=default' }),
    ]);
    return readinessOf({
      nodes: nodes.items,
      pods: pods.items,
      leases: Object.fromEntries(leases),
      // one still terminating (a kept cluster's last scenarios) has lost its ServiceAccounts for good
      namespaces: namespaces.items.filter((n) => !n.metadata?.deletionTimestamp).map((n) => n.metadata!.name!),
      withDefaultServiceAccount: defaults.items.map((sa) => sa.metadata!.namespace!),
      now: new Date(),
    }, o);
  }

  /**
   * A local image on the node: there from the start when the node image was stocked with it at the same Docker ID
   * (answers false), else copied in with `kind load docker-image` (answers true).
   */
  async ensureImage(image: string): Promise<boolean> {
    const stocked = this.stock.get(image);
    if (stocked && (await imageId(image)) === stocked) return false;
    await this.loadImage(image);
    return true;
  }

  /** `kind load docker-image`: copies a local image into the node's containerd. */
  async loadImage(image: string): Promise<void> {
    const r = await execa(await kindBinary(this.kindVersion), ['load', 'docker-image', image, '--name', this.name], { reject: false, all: true, env: kindEnv(), timeout: 600_000 });
    if (r.exitCode !== 0) throw new EnvironmentError(`kind cluster ${this.name}`, `kind load docker-image ${image} failed`, `is ${image} in \`docker images\`?`, tailLines(r.all));
  }

  async nodeExec(args: string[], opts: { timeoutMs?: number } = {}): Promise<{ exitCode: number; stdout: string; all: string }> {
    const r = await execa('docker', ['exec', this.nodeContainer, ...args], { reject: false, all: true, timeout: opts.timeoutMs ?? 60_000 });
    return { exitCode: r.exitCode ?? -1, stdout: r.stdout, all: r.all ?? '' };
  }

  /** kube-apiserver's log as the kubelet stored it (readable even when the API server is down). */
  async apiserverLog(): Promise<string[]> {
    return this.podLog('kube-system', 'kube-apiserver', 'kube-apiserver');
  }

  /** A container's log from /var/log/pods on the node, every restart in order: read from here, else through the node. */
  async podLog(namespace: string, podPrefix: string, container: string): Promise<string[]> {
    const read = await this.podLogs.lines(namespace, podPrefix, container);
    if (read) return read;
    const r = await this.nodeExec(['sh', '-c', `cat $(ls -d /var/log/pods/${namespace}_${podPrefix}*/${container} 2>/dev/null | head -1)/*.log 2>/dev/null`]);
    return criLogMessages(r.stdout);
  }

  /** What to show when the cluster failed: the node's journal tail, the kubelet's, containerd's, the entrypoint's. */
  async diagnostics(lines = 40): Promise<string[]> {
    const out: string[] = [];
    const section = async (title: string, args: string[]) => {
      const r = await execa('docker', args, { reject: false, all: true, timeout: 30_000 });
      out.push(`--- ${title}`, ...tailLines(r.all, lines));
    };
    await section(`docker logs ${this.nodeContainer} (entrypoint and systemd)`, ['logs', '--tail', String(lines), this.nodeContainer]);
    await section('journalctl (node)', ['exec', this.nodeContainer, 'journalctl', '--no-pager', '-n', String(lines)]);
    await section('journalctl -u kubelet', ['exec', this.nodeContainer, 'journalctl', '--no-pager', '-u', 'kubelet', '-n', String(lines)]);
    await section('journalctl -u containerd', ['exec', this.nodeContainer, 'journalctl', '--no-pager', '-u', 'containerd', '-n', String(Math.min(lines, 20))]);
    return out;
  }

  /**
   * `kind export logs`: the node's journal, kubelet, containerd, every pod's log and `docker inspect`, as
   * relative path -> text (files over `maxBytes` keep their tail). Evidence for a failed scenario.
   */
  async exportLogs(maxBytes = 512 * 1024): Promise<Record<string, string>> {
    const dir = await this.ledger.tempDir('kind-logs');
    try {
      const r = await execa(await kindBinary(this.kindVersion), ['export', 'logs', dir, '--name', this.name], { reject: false, all: true, env: kindEnv(), timeout: 120_000 });
      if (r.exitCode !== 0) return { 'kind-export-logs.err': tailLines(r.all, 20).join('\n') };
      const out: Record<string, string> = {};
      for (const rel of await readdir(dir, { recursive: true })) {
        const path = join(dir, rel);
        if (!(await stat(path)).isFile()) continue;
        const buf = await readFile(path);
        if (buf.includes(0)) continue;
        out[rel] = buf.subarray(Math.max(0, buf.length - maxBytes)).toString('utf8');
      }
      return out;
    } finally {
      await this.ledger.removeDir(dir);
    }
  }

  /** Peak memory of the node container so far (cgroup v1 memory.max_usage_in_bytes; v2 memory.peak), bytes. */
  async peakMemoryBytes(): Promise<number | undefined> {
    const id = await dockerMaybe(['inspect', '--format', '{{.Id}}', this.nodeContainer]);
    if (!id) return undefined;
    for (const f of [`/sys/fs/cgroup/memory/docker/${id}/memory.max_usage_in_bytes`, `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.peak`]) {
      const text = await readFile(f, 'utf8').catch(() => undefined);
      if (text) return Number(text.trim());
    }
    return undefined;
  }

  async delete(): Promise<number> {
    const started = Date.now();
    await deleteKindCluster(this.name, this.kindVersion, this.ledger);
    return secondsSince(started);
  }
}
