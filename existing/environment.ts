/**
 * The existing-cluster backend (`--backend existing --kubeconfig FILE`): scenarios run on a cluster this suite
 * did not make (AKS, EKS, a kind cluster made elsewhere). It writes only into its own namespaces, labels all it
 * makes, leaves the cluster's cert-manager alone (installing the pinned chart only when told to, on a cluster
 * without one) and removes what it made at stop(), newest first. Vault runs in the cluster as a Deployment,
 * reached from this host through a port-forward; the API server's log is not readable on a managed cluster.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { CERT_MANAGER_NAMESPACE, CERT_MANAGER_RELEASE, CERT_MANAGER_SA, CONTROLLER_CLIENT_RATE_NOTE } from '../certmanager/chart.ts';
import { HelmCertManager } from '../certmanager/helm-install.ts';
import type { HelmTarget } from '../certmanager/helm-target.ts';
import { EnvironmentError } from '../lib/errors.ts';
import type { ClusterAccess } from '../lib/kube.ts';
import type { HeldObjects, ScenarioEnvironment, VaultHandle } from '../runner/environment.ts';
import type { EnvironmentSpec } from '../runner/environment-spec.ts';
import { reproLines } from '../runner/repro.ts';
import { VaultPool } from '../runner/vault-pool.ts';
import { IN_CLUSTER_API, prepareInClusterVault } from '../runner/vault-handle.ts';
import type { ClusterProfile, Placement, VaultEngine } from '../scenarios/types.ts';
import { startInClusterVault, type InClusterVault } from '../vault/placements/in-cluster.ts';
import type { DiscoveredCluster } from './discover.ts';
import { EXTERNAL_SKIP, vaultImageFor, vaultNamespace } from './fit.ts';
import { Cleaner } from '../lib/cleaner.ts';
import type { ClusterRef, Resource } from '../lib/ledger.ts';
import { clusterObjectOfKey, FINALIZED_KINDS, OwnedKube, waitGone } from './ledger.ts';
import type { PinnedKubeconfig } from './pinned-kubeconfig.ts';
import { byHand } from './reap.ts';
import { latestRevision } from './release-identity.ts';
import { MANAGED_BY, MANAGED_BY_SELECTOR } from '../lib/names.ts';

type HelmReleaseResource = Extract<Resource, { kind: 'helm-release' }>;

export interface ExistingEnvironmentSpec {
  spec: EnvironmentSpec;
  kc: KubeConfig;
  /** The run's copy of the kubeconfig, one context: what helm is pointed at, by file and context name. */
  pinned: PinnedKubeconfig;
  cluster: DiscoveredCluster;
  /** --install-cert-manager: this run installs (and later removes) the pinned chart at the environment's version. */
  installCertManager: boolean;
  vaultImage?: string;
  log?: (line: string) => void;
}

export class ExistingEnvironment implements ScenarioEnvironment {
  readonly backend = 'existing' as const;
  readonly apiserverLogReadable = false;
  readonly kubernetesHostForVault = IN_CLUSTER_API;
  readonly profile: ClusterProfile;
  readonly access: ClusterAccess;
  readonly notes: string[];
  private readonly vaults: VaultPool<{ handle: VaultHandle; running: InClusterVault; image: string }>;
  private installed?: HelmCertManager;

  private constructor(
    private readonly spec: ExistingEnvironmentSpec,
    readonly kube: OwnedKube,
    private readonly ledger: Cleaner,
    private readonly dir: string,
  ) {
    const c = spec.cluster;
    this.profile = { name: spec.spec.profile.name, description: `discovered from ${c.server}`, serviceAccountIssuer: c.serviceAccountIssuer, apiAudiences: c.apiAudiences };
    // No credentials: kubeconfig users may be exec plugins. Vault only needs the CA its pods trust.
    this.access = { server: c.server, caPem: c.inClusterCaPem };
    this.notes = notesFor(spec);
    this.vaults = new VaultPool(ledger);
  }

  get key() { return this.spec.spec.key; }
  get signingKeyPublicPem() { return this.spec.cluster.signingKeyPublicPem; }
  get clusterResourceNamespace() { return this.installed ? CERT_MANAGER_NAMESPACE : this.spec.cluster.certManager!.clusterResourceNamespace; }
  get controllerServiceAccount() {
    const cm = this.spec.cluster.certManager;
    return this.installed || !cm ? { namespace: CERT_MANAGER_NAMESPACE, name: CERT_MANAGER_SA } : { namespace: cm.namespace, name: cm.serviceAccount };
  }

  static async start(spec: ExistingEnvironmentSpec): Promise<ExistingEnvironment> {
    const ledger = new Cleaner();
    // the run's objects on the cluster are in its ledger already (existing/backend.ts): found again by its label
    const env = new ExistingEnvironment(spec, new OwnedKube(spec.kc, ledger, spec.spec.run.id), ledger, await spec.spec.run.tempDir('existing'));
    try {
      if (spec.installCertManager) await env.installCertManager(spec.spec.certManager);
      return env;
    } catch (err) {
      await env.stop();
      throw err;
    }
  }

  private async installCertManager(version: string): Promise<void> {
    const helmVersion = this.spec.spec.pins.helm;
    // recorded before the install with the run and the cluster's identity, then again with the revision it made:
    // reaping a killed run's release uninstalls only that revision of that cluster (existing/release-identity.ts)
    const release: HelmReleaseResource = { kind: 'helm-release', name: CERT_MANAGER_RELEASE, namespace: CERT_MANAGER_NAMESPACE, helmVersion, run: this.spec.spec.run.id, ...clusterRef(this.spec) };
    await this.spec.spec.run.record(release);
    this.installed = await HelmCertManager.install({
      kube: this.kube,
      ...helmTarget(this.spec),
      version,
      helmVersion,
      pullPolicy: 'IfNotPresent',
      log: this.log,
      namespaceLabels: { ...MANAGED_BY },
    });
    const made = await latestRevision(this.kube, CERT_MANAGER_NAMESPACE, CERT_MANAGER_RELEASE);
    if (made) await this.spec.spec.run.record({ ...release, revision: made.revision, releaseUid: made.uid });
    // after the namespace and CRDs in the ledger, so unwinding uninstalls the release before removing them
    this.ledger.add('helm/cert-manager', async () => {
      await HelmCertManager.uninstall({ ...helmTarget(this.spec), helmVersion });
      await this.spec.spec.run.drop(release);
    });
  }

  private log = (line: string) => (this.spec.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);

  async vault(engine: VaultEngine, version: string, placement: Placement): Promise<VaultHandle> {
    if (placement === 'external') throw new EnvironmentError(`${engine} ${version}`, EXTERNAL_SKIP, 'run external-placement scenarios with --backend kind or local');
    const id = `${engine}@${version}`;
    return this.vaults.handle(id, () => this.startVault(engine, version));
  }

  private async startVault(engine: VaultEngine, version: string) {
    const image = vaultImageFor(engine, version, this.spec.vaultImage);
    if ('skip' in image) throw new EnvironmentError(`${engine} ${version}`, image.skip, 'pass --vault-image with a matching image or a {engine}/{version} template');
    const running = await startInClusterVault({
      kube: this.kube,
      engine,
      version,
      image: image.ref,
      namespace: vaultNamespace(engine, version),
      portForward: true,
      imagePullPolicy: 'IfNotPresent',
      startupTimeoutMs: 300_000,
      ledger: this.spec.spec.run,
    });
    this.vaults.remember(running);
    return { handle: await prepareInClusterVault(running, { engine, version }), running, image: image.ref };
  }

  async upgradeCertManager(version: string): Promise<void> {
    if (!this.installed) {
      throw new EnvironmentError('cert-manager', "this backend does not change the cluster's own cert-manager", 'run upgrade scenarios with --install-cert-manager on a cluster without cert-manager, or with --backend kind');
    }
    await this.installCertManager(version);
  }

  async apiserverLog(): Promise<string[]> {
    return [];
  }

  async certManagerLog(): Promise<string[]> {
    if (this.installed) return this.installed.logLines();
    const cm = this.spec.cluster.certManager!;
    const pods = await this.kube.core.listNamespacedPod({ namespace: cm.namespace, labelSelector: cm.podSelector }).catch(() => undefined);
    const pod = pods?.items.find((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running') ?? pods?.items[0];
    if (!pod?.metadata?.name) return [];
    const text = await this.kube.core.readNamespacedPodLog({ name: pod.metadata.name, namespace: cm.namespace, container: pod.spec?.containers?.[0]?.name }).catch(() => '');
    return text.split('\n').filter(Boolean);
  }

  secrets(): string[] {
    return this.vaults.rootTokens();
  }

  async reproInstructions(held?: HeldObjects): Promise<string[]> {
    const cm = this.spec.cluster.certManager;
    return reproLines({
      ...(held ? { held } : {}),
      name: this.key,
      what: `existing cluster ${this.spec.cluster.server}, context ${this.spec.cluster.context}`,
      kubeconfig: this.spec.pinned.kubeconfigPath,
      inspect: [
        `kubectl get ns -l ${MANAGED_BY_SELECTOR}`,
        this.installed || !cm ? `kubectl -n ${CERT_MANAGER_NAMESPACE} logs deploy/cert-manager` : `kubectl -n ${cm.namespace} logs deploy/${cm.deployment}`,
        '# the API server log is not readable here; on AKS/EKS see the control-plane logs in the cloud console (if enabled)',
      ],
      vaults: (await this.vaults.withReproFiles(this.dir)).map(({ handle, running, tokenFile, caFile }) => ({
        engine: handle.engine,
        version: handle.version,
        where: `Deployment ${running.namespace}/vault; this run reaches it at ${running.address}`,
        reach: [`kubectl -n ${running.namespace} port-forward deploy/vault 8200:8200 &`],
        address: 'https://127.0.0.1:8200',
        tokenFile,
        caFile,
        logCommand: running.logCommand,
      })),
      done: 'Ctrl-C in the run that holds it removes what it made',
    });
  }

  /** Everything in the Cleaner newest first (a Vault's port-forward before its objects); waits for the namespaces to be gone. */
  async stop(): Promise<void> {
    // namespaces and the CRDs of an installed cert-manager: deleted, but gone only when their finalizers are done
    const finalized = this.ledger.keys.filter((k) => FINALIZED_KINDS.has(clusterObjectOfKey(k).kind));
    const failures = await this.ledger.unwind();
    const left = await waitGone(this.kube, finalized, 180_000);
    if (failures.length || left.length) {
      this.log(`existing cluster: cleanup incomplete: ${[...failures, ...left.map(clusterObjectOfKey).map((o) => `${o.kind} ${o.name} still there`)].join('; ')}`);
      this.log(`  the run's end, else the next run (or \`npx cm-vault-e2e clean\`), removes the rest, or by hand: ${byHand(clusterObjects(this.spec))}`);
    }
    await this.spec.spec.run.removeDir(this.dir);
  }
}

/** The cluster as a later process reaches it again: the user's kubeconfig and the context this run pinned. */
function clusterRef(spec: ExistingEnvironmentSpec): ClusterRef {
  return { server: spec.pinned.server, kubeconfig: spec.pinned.source, context: spec.pinned.kubeContext, ...(spec.cluster.clusterUid ? { clusterUid: spec.cluster.clusterUid } : {}) };
}

/** Helm goes to the run's copy of the kubeconfig and its one context, named: never to whatever is current later. */
function helmTarget(spec: ExistingEnvironmentSpec): HelmTarget {
  return { kubeconfigPath: spec.pinned.kubeconfigPath, kubeContext: spec.pinned.kubeContext };
}

/** Everything this run labels on the cluster, as one ledger entry. */
function clusterObjects(spec: ExistingEnvironmentSpec): Extract<Resource, { kind: 'cluster-objects' }> {
  return { kind: 'cluster-objects', run: spec.spec.run.id, ...clusterRef(spec) };
}

function notesFor(spec: ExistingEnvironmentSpec): string[] {
  const c = spec.cluster;
  const cm = c.certManager;
  const notes = [
    `existing cluster ${c.server} (context ${c.context}, Kubernetes ${c.kubernetesVersion}): issuer and API audiences read from a TokenRequest with empty audiences`,
    spec.installCertManager
      ? `cert-manager: installed by this run with Helm from the pinned chart (controller, webhook, cainjector; images pulled by the nodes unless present), removed at the end; ${CONTROLLER_CLIENT_RATE_NOTE}`
      : `cert-manager: the cluster's own ${cm?.version ?? '(unknown version)'} (${cm?.namespace}/${cm?.deployment}, ServiceAccount ${cm?.serviceAccount}, cluster resource namespace ${cm?.clusterResourceNamespace}), left untouched`,
    `Vault: in-cluster = a Deployment as the \`vault\` ServiceAccount (system:auth-delegator), reviewing with its own pod token; this host reaches it through a port-forward${spec.vaultImage ? ` (image from --vault-image ${spec.vaultImage})` : ' (official image)'}`,
    `JWT auth validates with the cluster's signing key from /openid/v1/jwks (${c.jwksKeyCount} key(s)${c.jwksUri ? `; OIDC discovery publishes ${c.jwksUri}` : ''})`,
    'API server log: not readable on this backend (managed control plane), so the apiserver side is reported as not observable instead of judged',
  ];
  if (c.kubernetesVersion.replace(/\+.*$/, '') !== spec.spec.kubernetes) notes.push(`scenarios were written for Kubernetes ${spec.spec.kubernetes}; this cluster runs ${c.kubernetesVersion}`);
  return notes;
}
