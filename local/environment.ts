import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Cleaner } from '../lib/cleaner.ts';
import { CERT_MANAGER_NAMESPACE, CERT_MANAGER_SA } from '../certmanager/chart.ts';
import { helmBinary } from '../certmanager/helm-binary.ts';
import { LocalCertManager } from '../certmanager/local-controller.ts';
import { artifactFile, binaryPath, vaultBinary } from '../provision/artifacts.ts';
import type { RunLedger } from '../lib/ledger.ts';
import type { ScenarioEnvironment, VaultHandle } from '../runner/environment.ts';
import { certManagerController, type EnvironmentSpec } from '../runner/environment-spec.ts';
import { reproLines } from '../runner/repro.ts';
import { stopAll, VaultPool } from '../runner/vault-pool.ts';
import type { VaultEngine } from '../scenarios/types.ts';
import { declaredAuditConfig } from '../vault/configure/audit.ts';
import { LocalVault } from '../vault/placements/local-process.ts';
import { prepareVault } from '../runner/vault-handle.ts';
import type { RunningVault } from '../vault/placements/placement.ts';
import { redact } from '../vault/redact.ts';
import { LocalCluster } from './cluster.ts';

/** The process-cluster backend: etcd, kube-apiserver, cert-manager's controller and Vault as local processes. */
export class LocalEnvironment implements ScenarioEnvironment {
  readonly backend = 'local' as const;
  readonly clusterResourceNamespace = CERT_MANAGER_NAMESPACE;
  readonly controllerServiceAccount = { namespace: CERT_MANAGER_NAMESPACE, name: CERT_MANAGER_SA };
  readonly emulated = {
    'in-cluster': 'Vault runs as a local process; the in-cluster placement is emulated by giving Vault its own ServiceAccount token as reviewer (local-token)',
  };
  readonly notes = ['process cluster: kube-apiserver and cert-manager run as local processes; no kubelet, no webhook', this.emulated['in-cluster']];
  private readonly vaults: VaultPool<{ handle: VaultHandle; running: RunningVault }>;

  private constructor(
    readonly key: string,
    readonly cluster: LocalCluster,
    private certManager: LocalCertManager,
    private readonly spec: EnvironmentSpec,
    private readonly ledger: RunLedger,
    private readonly cleaner: Cleaner,
  ) {
    this.vaults = new VaultPool(cleaner);
    cleaner.add('cert-manager', () => this.certManager.stop());
  }

  static async start(spec: EnvironmentSpec): Promise<LocalEnvironment> {
    const [etcd, kubeApiserver, controller, crds, chart, helm] = await Promise.all([
      binaryPath('etcd', spec.pins.etcd, 'etcd'),
      binaryPath('kube-control-plane', spec.kubernetes, 'kube-apiserver'),
      certManagerController(spec, spec.certManager),
      artifactFile('cert-manager-controller', spec.certManager, 'crds.yaml'),
      artifactFile('cert-manager-controller', spec.certManager, 'chart'),
      helmBinary(spec.pins.helm),
    ]);
    const cleaner = new Cleaner();
    const cluster = await LocalCluster.start({ profile: spec.profile, binaries: { etcd, kubeApiserver }, ledger: spec.run });
    cleaner.add('cluster', () => cluster.stop());
    return cleaner.orUnwind(async () => {
      const certManager = await LocalCertManager.install({
        version: spec.certManager,
        kubeVersion: spec.kubernetes,
        kube: cluster.kube,
        accessAs: (ns, sa) => cluster.accessAs(ns, sa),
        files: { controller, crds, chart, helm },
        dir: cluster.dir,
        ledger: spec.run,
        redact: (l) => redact(l),
      });
      return new LocalEnvironment(spec.key, cluster, certManager, spec, spec.run, cleaner);
    });
  }

  get profile() { return this.cluster.profile; }
  get kube() { return this.cluster.kube; }
  get access() { return this.cluster.access; }
  get signingKeyPublicPem() { return this.cluster.signingKeyPublicPem; }
  get kubernetesHostForVault() { return this.cluster.access.server; }

  async vault(engine: VaultEngine, version: string): Promise<VaultHandle> {
    const id = `${engine}@${version}`;
    return this.vaults.handle(id, () => this.startVault(engine, version));
  }

  private async startVault(engine: VaultEngine, version: string) {
    const binary = await vaultBinary(engine, version);
    const running = await new LocalVault(binary, { logLevel: 'debug', ledger: this.ledger, logFile: join(this.cluster.dir, `${engine}-${version}.log`), config: declaredAuditConfig(engine) }).start();
    this.vaults.remember(running);
    const handle = await prepareVault(running, { engine, version });
    return { handle, running };
  }

  apiserverLog() { return this.cluster.apiserverLog(); }
  certManagerLog() { return this.certManager.logLines(); }

  secrets(): string[] {
    return this.vaults.rootTokens();
  }

  async reproInstructions(): Promise<string[]> {
    const dir = this.cluster.dir;
    const kubeconfig = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfig, adminKubeconfig(this.cluster), { mode: 0o600 });
    return reproLines({
      name: this.key,
      what: `process cluster; logs in ${dir}`,
      kubeconfig,
      inspect: [
        `kubectl get issuers -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}: {.status.conditions[0].message}{"\\n"}{end}'`,
        `grep -n 'is invalid for the target audiences' ${this.cluster.apiserver.logFile}`,
      ],
      vaults: (await this.vaults.withReproFiles(dir)).map(({ handle, running, tokenFile, caFile }) => ({
        engine: handle.engine,
        version: handle.version,
        where: 'local process',
        address: handle.server,
        tokenFile,
        caFile,
        logCommand: running.logCommand,
      })),
      done: 'npx cm-vault-e2e clean',
    });
  }

  /** Swap the controller for another version's (CRDs first, as cert-manager's upgrade guide says). */
  async upgradeCertManager(version: string): Promise<void> {
    const [controller, crds, chart, helm] = await Promise.all([
      certManagerController(this.spec, version),
      artifactFile('cert-manager-controller', version, 'crds.yaml'),
      artifactFile('cert-manager-controller', version, 'chart'),
      helmBinary(this.spec.pins.helm),
    ]);
    this.certManager = await this.certManager.upgrade({
      version,
      kubeVersion: this.spec.kubernetes,
      kube: this.kube,
      accessAs: (ns, sa) => this.cluster.accessAs(ns, sa),
      files: { controller, crds, chart, helm },
      dir: this.cluster.dir,
      ledger: this.ledger,
      redact: (l) => redact(l),
    });
  }

  /** Vaults, cert-manager, then the cluster: newest first. */
  async stop(): Promise<void> {
    await stopAll(this.cleaner);
  }
}

function adminKubeconfig(cluster: LocalCluster): string {
  const a = cluster.access;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'cm-vault-e2e', cluster: { server: a.server, 'certificate-authority-data': Buffer.from(a.caPem).toString('base64') } }],
    users: [{ name: 'admin', user: { 'client-certificate-data': Buffer.from(a.client!.certPem).toString('base64'), 'client-key-data': Buffer.from(a.client!.keyPem).toString('base64') } }],
    contexts: [{ name: 'cm-vault-e2e', context: { cluster: 'cm-vault-e2e', user: 'admin' } }],
    'current-context': 'cm-vault-e2e',
  });
}
