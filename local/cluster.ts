import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { RUN_ID_IN_NAME } from '../lib/run-identity.ts';
import { Kube, kubeConfigFor, type ClusterAccess } from '../lib/kube.ts';
import type { GoRuntime } from '../lib/go-runtime.ts';
import type { Resource, RunLedger } from '../lib/ledger.ts';
import { ManagedProcess } from '../lib/process.ts';
import type { ClusterProfile } from '../scenarios/types.ts';
import { startApiServer } from './apiserver.ts';
import { startEtcd } from './etcd.ts';

export interface LocalClusterOptions {
  profile: ClusterProfile;
  binaries: { etcd: string; kubeApiserver: string };
  /** Where its processes and temp dir are recorded. */
  ledger: RunLedger;
  /** Keep the temp dir (logs, PKI) after stop. */
  keep?: boolean;
  /** etcd and kube-apiserver outlive the run (`run --reuse`). */
  outlive?: boolean;
  /** The Go runtime settings etcd and kube-apiserver run with (lib/go-runtime.ts). */
  goRuntime?: GoRuntime;
}

/** What a kept process cluster hands the run that adopts it: files in its dir, and its processes. */
export interface LocalClusterState {
  dir: string;
  server: string;
  files: { ca: string; adminCert: string; adminKey: string; signingPub: string };
  procs: Array<{ record: Extract<Resource, { kind: 'process' }>; logFile: string }>;
}

/**
 * A Kubernetes control plane as local processes — etcd and kube-apiserver, like envtest — configured with
 * the profile's ServiceAccount issuer and API audiences.
 */
export class LocalCluster {
  private constructor(
    readonly dir: string,
    readonly profile: ClusterProfile,
    readonly access: ClusterAccess,
    readonly kube: Kube,
    private readonly procs: ManagedProcess[],
    readonly signingKeyPublicPem: string,
    private readonly keep: boolean,
    private readonly ledger: RunLedger,
    private readonly files: LocalClusterState['files'],
  ) {}

  static async start(opts: LocalClusterOptions): Promise<LocalCluster> {
    const dir = await opts.ledger.tempDir(opts.profile.name);
    const procs: ManagedProcess[] = [];
    try {
      const { goRuntime } = opts;
      const etcd = await startEtcd(opts.binaries.etcd, dir, opts.ledger, { outlive: !!opts.outlive, ...(goRuntime ? { goRuntime } : {}) });
      procs.push(etcd.proc);
      const api = await startApiServer(opts.binaries.kubeApiserver, { dir, ledger: opts.ledger, etcdUrl: etcd.url, profile: opts.profile, outlive: !!opts.outlive, ...(goRuntime ? { goRuntime } : {}) });
      procs.push(api.proc);
      const access: ClusterAccess = {
        server: api.url,
        caPem: api.caPem,
        client: { certPem: api.admin.certPem, keyPem: await readFile(api.admin.keyFile, 'utf8') },
      };
      return new LocalCluster(dir, opts.profile, access, new Kube(kubeConfigFor(access)), procs, api.signingKey.publicPem, opts.keep ?? false, opts.ledger, { ca: api.caFile, adminCert: api.admin.certFile, adminKey: api.admin.keyFile, signingPub: api.signingKey.pubFile });
    } catch (err) {
      for (const p of procs.reverse()) await p.stop();
      if (!opts.keep) await opts.ledger.removeDir(dir);
      throw err;
    }
  }

  /** A kept cluster, its processes checked alive and its API server ready; throws why not. */
  static async adopt(state: LocalClusterState, profile: ClusterProfile, ledger: RunLedger): Promise<LocalCluster> {
    const procs = state.procs.map((p) => ManagedProcess.adopt(p.record.name, p.record, p.logFile, { dir: state.dir, ledger }));
    const dead = procs.filter((p) => p.exitReason !== undefined).map((p) => `${p.name} (pid ${p.pid})`);
    if (dead.length) throw new Error(`${dead.join(', ')} no longer running`);
    const [caPem, certPem, keyPem, signingKeyPublicPem] = await Promise.all([state.files.ca, state.files.adminCert, state.files.adminKey, state.files.signingPub].map((f) => readFile(f, 'utf8')));
    const access: ClusterAccess = { server: state.server, caPem: caPem!, client: { certPem: certPem!, keyPem: keyPem! } };
    const cluster = new LocalCluster(state.dir, profile, access, new Kube(kubeConfigFor(access)), procs, signingKeyPublicPem!, false, ledger, state.files);
    await cluster.kube.core.listNamespace();
    return cluster;
  }

  /** What adopting this cluster later needs. */
  get state(): LocalClusterState {
    return { dir: this.dir, server: this.access.server, files: this.files, procs: this.procs.map((p) => ({ record: p.resource as Extract<Resource, { kind: 'process' }>, logFile: p.logFile })) };
  }

  /** Its processes and dir as ledger entries. */
  get resources(): Resource[] {
    // the run that made the dir, named in it: a kept cluster adopted by later runs is still that run's temp dir,
    // which is what reaping checks before it removes one (lib/ledger.ts notTempDirOf)
    const run = RUN_ID_IN_NAME.exec(basename(this.dir))?.[1];
    return [...this.procs.map((p) => p.resource!).filter(Boolean), { kind: 'dir', path: this.dir, ...(run ? { run } : {}) }];
  }

  get apiserver(): ManagedProcess {
    return this.procs.find((p) => p.name === 'kube-apiserver')!;
  }

  async apiserverLog(): Promise<string[]> {
    return this.apiserver.logLines();
  }

  /** Access as a ServiceAccount, through a token from the TokenRequest API (so RBAC applies as in a cluster). */
  async accessAs(namespace: string, serviceAccount: string): Promise<ClusterAccess> {
    const token = await this.kube.tokenRequest(namespace, serviceAccount, { expirationSeconds: 24 * 3600 });
    return { server: this.access.server, caPem: this.access.caPem, token, user: `system:serviceaccount:${namespace}:${serviceAccount}` };
  }

  async stop(): Promise<void> {
    for (const p of [...this.procs].reverse()) await p.stop();
    if (!this.keep) await this.ledger.removeDir(this.dir);
  }
}
