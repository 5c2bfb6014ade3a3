import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClusterAccess, Kube } from '../lib/kube.ts';
import type { GoRuntime } from '../lib/go-runtime.ts';
import type { RunLedger } from '../lib/ledger.ts';
import { ManagedProcess } from '../lib/process.ts';
import { CERT_MANAGER_NAMESPACE, CERT_MANAGER_SA, CONTROLLER_CLIENT_RATE_ARGS } from './chart.ts';
import { applyCrds, deleteCertManagerCrds } from './crds.ts';
import { controllerRbacFromChart } from './rbac.ts';


export interface LocalCertManagerOptions {
  version: string;
  /** The cluster's Kubernetes version (the chart renders for it). */
  kubeVersion: string;
  kube: Kube;
  /** Mints access as a ServiceAccount (TokenRequest), so the controller runs with exactly its RBAC. */
  accessAs: (namespace: string, serviceAccount: string) => Promise<ClusterAccess>;
  files: { controller: string; crds: string; chart: string; helm: string };
  dir: string;
  ledger: RunLedger;
  /** The controller outlives the run (`run --reuse`; see ManagedProcess `outlive`). */
  outlive?: boolean;
  redact: (line: string) => string;
  /** The Go runtime settings the controller runs with (lib/go-runtime.ts). */
  goRuntime?: GoRuntime;
}

/** cert-manager's controller out of cluster: its CRDs, its chart's RBAC, and the controller as a local process. */
export class LocalCertManager {
  private constructor(
    readonly version: string,
    readonly proc: ManagedProcess,
    /** The RBAC objects this version's chart rendered (an upgrade removes those the next chart no longer has). */
    readonly rbac: KubernetesObject[],
  ) {}

  static async install(opts: LocalCertManagerOptions): Promise<LocalCertManager> {
    await opts.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CERT_MANAGER_NAMESPACE } });
    await applyCrds(opts.kube, opts.files.crds);
    const rbac = await controllerRbacFromChart(opts.files.helm, opts.files.chart, opts.kubeVersion, CERT_MANAGER_NAMESPACE);
    for (const ns of new Set(rbac.map((o) => o.metadata?.namespace).filter((n): n is string => !!n))) {
      await opts.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
    await opts.kube.applyAll(rbac);
    return LocalCertManager.start(opts, rbac);
  }

  /**
   * Upgrade or downgrade in place, as `helm upgrade` would: the new CRDs and RBAC first, then the controller
   * swapped; RBAC the new chart no longer renders (v1.21 dropped the token-request Role) is deleted.
   */
  async upgrade(opts: LocalCertManagerOptions): Promise<LocalCertManager> {
    await this.stop();
    const next = await LocalCertManager.install(opts);
    const key = (o: KubernetesObject) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    const keep = new Set(next.rbac.map(key));
    for (const o of this.rbac) if (!keep.has(key(o))) await opts.kube.delete(o);
    return next;
  }

  static async start(opts: LocalCertManagerOptions, rbac: KubernetesObject[]): Promise<LocalCertManager> {
    const access = await opts.accessAs(CERT_MANAGER_NAMESPACE, CERT_MANAGER_SA);
    await mkdir(opts.dir, { recursive: true });
    const kubeconfig = join(opts.dir, `cert-manager-${opts.version}.kubeconfig`);
    await writeFile(kubeconfig, kubeconfigYaml(access), { mode: 0o600 });
    const proc = new ManagedProcess(`cert-manager-controller-${opts.version}`, opts.files.controller, [
      `--kubeconfig=${kubeconfig}`,
      `--cluster-resource-namespace=${CERT_MANAGER_NAMESPACE}`,
      '--leader-elect=false',
      ...CONTROLLER_CLIENT_RATE_ARGS,
      '--v=2',
    ], { dir: opts.dir, ledger: opts.ledger, redact: opts.redact, outlive: !!opts.outlive, env: { ...opts.goRuntime } });
    await proc.start();
    // The controller has no readiness endpoint we rely on; give it a moment and fail fast if it exits.
    await proc.waitReady('running', async () => (await proc.logLines()).some((l) => /starting controller|enabled controllers/i.test(l)), 60_000);
    return new LocalCertManager(opts.version, proc, rbac);
  }

  async logLines(): Promise<string[]> {
    return this.proc.logLines();
  }

  /** The controller a kept environment runs (`run --reuse`); checked alive by the caller. */
  static adopt(version: string, proc: ManagedProcess): LocalCertManager {
    return new LocalCertManager(version, proc, []);
  }

  async stop(): Promise<void> {
    await this.proc.stop();
  }

  /**
   * Removes what install() made, as `helm uninstall` and then deleting the CRDs (which the chart keeps) would: the
   * controller stopped, its chart's RBAC deleted, every cert-manager CRD deleted with its objects. The namespace
   * stays: the process cluster has no namespace controller to finish deleting one. Answers what is still there
   * (empty: removed).
   */
  async uninstall(kube: Kube, crdWaitMs?: number): Promise<string[]> {
    await this.stop();
    for (const o of this.rbac) await kube.delete(o);
    return deleteCertManagerCrds(kube, crdWaitMs);
  }
}

function kubeconfigYaml(access: ClusterAccess): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server: access.server, 'certificate-authority-data': Buffer.from(access.caPem).toString('base64') } }],
    users: [{ name: access.user ?? 'cert-manager', user: { token: access.token } }],
    contexts: [{ name: 'local', context: { cluster: 'local', user: access.user ?? 'cert-manager' } }],
    'current-context': 'local',
  });
}
