/**
 * The kind backend: a real one-node kind cluster for the profile (kubelet, kube-proxy, CoreDNS, kubeadm's
 * static pods), cert-manager installed with Helm from the pinned chart, and Vault/OpenBao as a Deployment in the
 * cluster or a container on the cluster's Docker network.
 *
 * `spec.kind.keep` (CM_VAULT_E2E_KIND_KEEP=1 at the CLI) keeps the cluster at stop(): the next start with the same
 * profile and node image reuses it when healthy. By default it is deleted.
 */
import type { ScenarioEnvironment, VaultHandle } from '../runner/environment.ts';
import { candidateFor, type EnvironmentSpec } from '../runner/environment-spec.ts';
import { reproLines } from '../runner/repro.ts';
import { stopAll, VaultPool } from '../runner/vault-pool.ts';
import { Cleaner } from '../lib/cleaner.ts';
import type { Placement, VaultEngine } from '../scenarios/types.ts';
import { prepareInClusterVault, prepareVault } from '../runner/vault-handle.ts';
import { startVaultContainer } from '../vault/placements/container.ts';
import { startInClusterVault } from '../vault/placements/in-cluster.ts';
import type { RunningVault } from '../vault/placements/placement.ts';
import { vaultBinary } from '../provision/artifacts.ts';
import { CERT_MANAGER_NAMESPACE, CERT_MANAGER_SA, KindCertManager } from './certmanager.ts';
import { KindCluster, removeKindNetworkIfUnused, KIND_NETWORK } from './cluster.ts';
import { buildKindImages, ensureExtraImage } from './images/build.ts';
import { assertDockerAnswers, docker, PROJECT_LABEL_KEY, stderrLogger, type Logger } from './images/common.ts';
import { vaultImageSpec } from './images/vault-image.ts';

/**
 * The cluster name derives from the environment key; an instance tag (CM_VAULT_E2E_KIND_INSTANCE at the CLI) keeps
 * two runs of the same environment on one Docker host (two CI jobs, a developer beside a nightly) apart.
 */
export function kindInstance(spec: Pick<EnvironmentSpec, 'key' | 'kind'>): string {
  return spec.kind.instance ? `${spec.kind.instance}#${spec.key}` : spec.key;
}

export class KindEnvironment implements ScenarioEnvironment {
  readonly backend = 'kind' as const;
  readonly clusterResourceNamespace = CERT_MANAGER_NAMESPACE;
  readonly controllerServiceAccount = { namespace: CERT_MANAGER_NAMESPACE, name: CERT_MANAGER_SA };
  readonly notes = [
    "kind cluster: one node from kind's official kindest/node image where its release publishes one for this Kubernetes, else one built here (Debian, containerd); static ptp CNI instead of kindnet either way",
    'cert-manager: controller, webhook and cainjector (official images, or images of launchers linking the real code of the release) installed by Helm from the pinned chart; no startupapicheck (the install waits for the webhook to admit a dry-run Issuer instead)',
    'Vault: in-cluster = a Deployment as the `vault` ServiceAccount (system:auth-delegator), reviewing with its own pod token; external = a container on the kind network',
  ];
  private readonly vaults: VaultPool<{ handle: VaultHandle; running: RunningVault; where: string }>;

  private constructor(
    readonly key: string,
    readonly cluster: KindCluster,
    private certManager: KindCertManager,
    private readonly spec: EnvironmentSpec,
    private readonly log: Logger,
    readonly signingKeyPublicPem: string,
    readonly kubernetesHostForVault: string,
    private readonly nodeAddress: string,
    private readonly cleaner: Cleaner,
  ) {
    this.vaults = new VaultPool(cleaner);
  }

  static async start(spec: EnvironmentSpec, log: Logger = stderrLogger): Promise<KindEnvironment> {
    await assertDockerAnswers();
    const images = await buildKindImages({ kubernetesVersion: spec.kubernetes, versions: spec.versions, sources: { policy: spec.source }, log });
    const cluster = await KindCluster.ensure({
      profile: spec.profile,
      kubernetesVersion: spec.kubernetes,
      image: images.nodeImage,
      instance: kindInstance(spec),
      kindVersion: spec.pins.kind,
      ...(spec.kind.keepFailed ? { keepFailed: true } : {}),
      log,
    });
    const cleaner = new Cleaner();
    if (!spec.kind.keep) {
      cleaner.add('kind cluster', async () => {
        await cluster.delete();
        await removeKindNetworkIfUnused();
      });
    }
    return cleaner.orUnwind(async () => {
      const sa = await cluster.nodeExec(['cat', '/etc/kubernetes/pki/sa.pub']);
      const nodeIp = await docker(['inspect', '--format', `{{ (index .NetworkSettings.Networks "${KIND_NETWORK}").IPAddress }}`, cluster.nodeContainer]);
      const certManager = await installCertManager(spec, cluster, spec.certManager, log);
      return new KindEnvironment(spec.key, cluster, certManager, spec, log, sa.stdout.trim() + '\n', `https://${nodeIp}:6443`, nodeIp, cleaner);
    });
  }

  get profile() { return this.cluster.profile; }
  get kube() { return this.cluster.kube; }
  get access() { return this.cluster.access; }

  async vault(engine: VaultEngine, version: string, placement: Placement): Promise<VaultHandle> {
    const id = `${engine}@${version}@${placement}`;
    return this.vaults.handle(id, () => this.startVault(engine, version, placement));
  }

  private async startVault(engine: VaultEngine, version: string, placement: Placement) {
    const binary = await vaultBinary(engine, version);
    const image = await ensureExtraImage(vaultImageSpec(engine, version, binary), this.log, { policy: this.spec.source });
    const slug = `${engine}-${version.replace(/[^a-zA-Z0-9]+/g, '-')}`.toLowerCase();
    if (placement === 'in-cluster') {
      await this.cluster.loadImage(image.ref);
      const running = await startInClusterVault({ kube: this.kube, engine, version, image: image.ref, namespace: `vault-${slug}`, nodeAddress: this.nodeAddress });
      this.vaults.remember(running);
      return { handle: await prepareInClusterVault(running, { engine, version }), running, where: `Deployment ${running.namespace}/vault` };
    }
    const running = await startVaultContainer({ engine, version, image: image.ref, name: `${this.cluster.name}-${slug}`, network: KIND_NETWORK, labels: { [PROJECT_LABEL_KEY]: 'true' } });
    this.vaults.remember(running);
    return { handle: await prepareVault(running, { engine, version }), running, where: `container ${running.container}` };
  }

  apiserverLog() { return this.cluster.apiserverLog(); }
  exportLogs() { return this.cluster.exportLogs(); }
  certManagerLog() { return this.certManager.logLines(); }

  secrets(): string[] {
    return this.vaults.rootTokens();
  }

  async reproInstructions(): Promise<string[]> {
    return reproLines({
      name: this.key,
      what: `kind cluster ${this.cluster.name}; node container ${this.cluster.nodeContainer}`,
      kubeconfig: this.cluster.kubeconfigPath,
      inspect: [
        `kubectl -n ${CERT_MANAGER_NAMESPACE} logs deploy/cert-manager`,
        `docker exec ${this.cluster.nodeContainer} sh -c 'grep -h "is invalid for the target audiences" /var/log/pods/kube-system_kube-apiserver-*/kube-apiserver/*.log'`,
        `docker exec -it ${this.cluster.nodeContainer} bash   # journalctl -u kubelet; crictl ps -a`,
      ],
      vaults: (await this.vaults.withReproFiles(this.cluster.dir)).map(({ handle, running, where, tokenFile, caFile }) => ({
        engine: handle.engine,
        version: handle.version,
        where: `${where}; from this host at ${running.address}`,
        address: running.address,
        tokenFile,
        caFile,
        logCommand: running.logCommand,
      })),
      done: `kind delete cluster --name ${this.cluster.name}   (or \`npx cm-vault-e2e clean\` for every cluster the suite made)`,
    });
  }

  /** Upgrade (or downgrade) in place: CRDs first, then `helm upgrade` with the other version's chart and image. */
  async upgradeCertManager(version: string): Promise<void> {
    this.certManager = await installCertManager(this.spec, this.cluster, version, this.log);
  }

  /** Vaults newest first, then the cluster (unless kept). */
  async stop(): Promise<void> {
    await stopAll(this.cleaner);
  }
}

/** cert-manager at `version`: the pinned release, or the release under test where it stands for that version. */
function installCertManager(spec: EnvironmentSpec, cluster: KindCluster, version: string, log: Logger): Promise<KindCertManager> {
  const candidate = candidateFor(spec, version);
  return KindCertManager.install({ cluster, version, helmVersion: spec.pins.helm, source: spec.source, ...(candidate ? { candidate } : {}), log });
}
