import { readFile } from 'node:fs/promises';
import { Kube, kubeConfigFor, type ClusterAccess } from '../lib/kube.ts';
import type { RunLedger } from '../lib/ledger.ts';
import type { ManagedProcess } from '../lib/process.ts';
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
  ) {}

  static async start(opts: LocalClusterOptions): Promise<LocalCluster> {
    const dir = await opts.ledger.tempDir(opts.profile.name);
    const procs: ManagedProcess[] = [];
    try {
      const etcd = await startEtcd(opts.binaries.etcd, dir, opts.ledger);
      procs.push(etcd.proc);
      const api = await startApiServer(opts.binaries.kubeApiserver, { dir, ledger: opts.ledger, etcdUrl: etcd.url, profile: opts.profile });
      procs.push(api.proc);
      const access: ClusterAccess = {
        server: api.url,
        caPem: api.caPem,
        client: { certPem: api.admin.certPem, keyPem: await readFile(api.admin.keyFile, 'utf8') },
      };
      return new LocalCluster(dir, opts.profile, access, new Kube(kubeConfigFor(access)), procs, api.signingKey.publicPem, opts.keep ?? false, opts.ledger);
    } catch (err) {
      for (const p of procs.reverse()) await p.stop();
      if (!opts.keep) await opts.ledger.removeDir(dir);
      throw err;
    }
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
