/**
 * The kind backend: a real one-node kind cluster for the profile (kubelet, kube-proxy, CoreDNS, kubeadm's
 * static pods), cert-manager installed with Helm from the pinned chart, and Vault/OpenBao as a Deployment in the
 * cluster or a container on the cluster's Docker network.
 *
 * `spec.reuse` (`run --reuse`) keeps the cluster at stop(), reset to its baseline (runner/reset.ts) and keyed by
 * the spec's digest (runner/environment-spec.ts reuseKey); the next start with the same spec adopts it when its
 * node, control plane and cert-manager answer healthy and the reset left nothing, else starts fresh and says why.
 * Otherwise, at stop(), the cluster goes to the run's next environment of the same profile and Kubernetes,
 * cert-manager uninstalled and the cluster back in the state it started in (runner/handover.ts), or is deleted when
 * no such environment is left to start. When one still to start begins with the very install made here (an upgrade
 * scenario from this release, same Helm, same images), the cluster goes to it with cert-manager running instead,
 * reset to its state right after the install; that environment checks it healthy in place of installing it again.
 */
import type { HeldObjects, ScenarioEnvironment, VaultHandle } from '../runner/environment.ts';
import type { StartContext } from '../runner/run.ts';
import { candidateFor, claimKept, reuseKey, type EnvironmentSpec } from '../runner/environment-spec.ts';
import { reproLines } from '../runner/repro.ts';
import { stopAll, VaultPool } from '../runner/vault-pool.ts';
import { Cleaner } from '../lib/cleaner.ts';
import type { RunLedger } from '../lib/ledger.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { nameTakenBy } from '../lib/reap.ts';
import { deleteExtras, resetToBaseline, takeBaseline, type Baseline } from '../runner/reset.ts';
import { HANDOVER_CRD_WAIT_MS, handOn, handOnRunning, mayHandOn, mayHandOnRunning, takeHanded, type HandedCluster, type HandOn, type RunningRelease } from '../runner/handover.ts';
import { CONTROLLER_CLIENT_RATE_NOTE, type CertManagerComponent } from '../certmanager/chart.ts';
import type { Placement, VaultEngine } from '../scenarios/types.ts';
import { prepareInClusterVault, prepareVault } from '../runner/vault-handle.ts';
import { startVaultContainer } from '../vault/placements/container.ts';
import { startInClusterVault } from '../vault/placements/in-cluster.ts';
import type { RunningVault } from '../vault/placements/placement.ts';
import { vaultBinary } from '../provision/artifacts.ts';
import { CERT_MANAGER_NAMESPACE, CERT_MANAGER_SA, KindCertManager } from './certmanager.ts';
import { KindCluster, removeKindNetworkIfUnused, KIND_NETWORK } from './cluster.ts';
import { buildKindImages, debianMirrorOf, ensureExtraImage } from './images/build.ts';
import { assertDockerAnswers, docker, stderrLogger, type Logger } from './images/common.ts';
import { vaultImageSpec } from './images/vault-image.ts';
import type { StockedNodeImage } from './images/stocked.ts';
import { nodeImageFor } from './node-stock.ts';

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
  get notes(): string[] {
    return [
      "kind cluster: one node from kind's official kindest/node image where its release publishes one for this Kubernetes, else one built here (Debian, containerd); static ptp CNI instead of kindnet either way",
      'cert-manager: controller, webhook and cainjector (official images, or images of launchers linking the real code of the release) installed by Helm from the pinned chart; no startupapicheck (the install waits for the webhook to admit a dry-run Issuer instead)',
      CONTROLLER_CLIENT_RATE_NOTE,
      'Vault: in-cluster = a Deployment as the `vault` ServiceAccount (system:auth-delegator), reviewing with its own pod token; external = a container on the kind network',
      ...(this.takenRunning ? [`cert-manager ${this.takenRunning.version}: installed by the environment before this one on the same cluster (${this.takenRunning.by}) and handed on running, reset to its state right after that install and checked healthy, instead of installed again`] : []),
    ];
  }
  private readonly vaults: VaultPool<{ handle: VaultHandle; running: RunningVault; where: string }>;
  private baseline?: Baseline;
  /** Where the cluster goes when this environment ends (runner/cluster-handoff.ts), and its bare state. */
  private handOn?: HandOn;
  /** The state right after cert-manager's install, when the cluster may be handed on with it running. */
  private installed?: Baseline;
  /** The cert-manager this environment was handed running, not installed itself. */
  private takenRunning?: RunningRelease;

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

  static async start(spec: EnvironmentSpec, context: StartContext = {}, log: Logger = stderrLogger): Promise<KindEnvironment> {
    await assertDockerAnswers();
    const images = await buildKindImages({ kubernetesVersion: spec.kubernetes, versions: spec.versions, sources: { policy: spec.source }, ...debianMirrorOf(spec.kind), log });
    const { keyed, kept } = await claimKept(spec, 'kind', log);
    let adopt = kept?.state as KindKeptState | undefined;
    const share = keyed ? undefined : context.share;
    // made only when this environment makes a cluster: a handed one has its node already
    let node: Promise<StockedNodeImage> | undefined;
    const nodeImage = () => (node ??= nodeImageFor(spec, share?.serves, images.nodeImage, log));
    for (;;) {
      const handed = share ? await takeHanded<KindCluster>(share.to, share.key, log, share.release) : undefined;
      const cluster = handed?.cluster ?? await KindCluster.ensure({
        profile: spec.profile,
        kubernetesVersion: spec.kubernetes,
        ...(await nodeImage()),
        instance: kindInstance(spec),
        kindVersion: spec.pins.kind,
        ledger: spec.run,
        ...(adopt ? { adopt: adopt.cluster } : {}),
        ...(spec.kind.keepFailed ? { keepFailed: true } : {}),
        dnsLater: true,
        log,
      });
      const cleaner = new Cleaner();
      cleaner.add(CLUSTER, () => deleteCluster(cluster, spec.run));
      const state = cluster.timings.reused ? adopt : undefined;
      const env = await cleaner.orUnwind(async () => {
        const sa = await cluster.nodeExec(['cat', '/etc/kubernetes/pki/sa.pub']);
        const nodeIp = await docker(['inspect', '--format', `{{ (index .NetworkSettings.Networks "${KIND_NETWORK}").IPAddress }}`, cluster.nodeContainer]);
        // the state a cluster is handed on in: taken before any cert-manager, proven again at every handover
        const bare = handed?.bare ?? (mayHandOn(share) ? await takeBaseline(cluster.kube, 'delete') : undefined);
        const certManager = state
          ? await adoptCertManager(cluster, state, log)
          : handed?.running
            ? await attachRunning(cluster, handed.running, log)
            : await installCertManager(spec, cluster, spec.certManager, log);
        if (!certManager) return undefined;
        // the state a cluster is handed on in with cert-manager running; an upgrade leaves another release than it installed
        const installed = spec.upgradeTo ? undefined : (handed?.running?.installed ?? (mayHandOnRunning(share) ? await takeBaseline(cluster.kube, 'delete') : undefined));
        // a cluster made now had its CoreDNS come up while cert-manager was installed (KindClusterSpec.dnsLater): the
        // scenarios' Vaults and cert-manager find each other by Service names (a handed or kept one was ready before)
        if (!handed && !cluster.timings.reused) await cluster.waitReady(DNS_WAIT_MS);
        const env = new KindEnvironment(spec.key, cluster, certManager, spec, log, sa.stdout.trim() + '\n', `https://${nodeIp}:6443`, nodeIp, cleaner);
        env.baseline = state?.baseline ?? (keyed ? await takeBaseline(cluster.kube, 'delete') : undefined);
        if (share && bare) env.handOn = { ...share, bare };
        if (installed) env.installed = installed;
        if (handed?.running) env.takenRunning = handed.running;
        return env;
      });
      if (env) {
        if (state) log(`reuse: adopted ${cluster.name} (${kept?.summary}): healthy, and nothing beyond its baseline (${state.baseline.namespaces.length} namespaces)`);
        return env;
      }
      // the kept or handed cluster failed its check: it goes, and a fresh one is made
      await cleaner.unwind();
      adopt = undefined;
    }
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
    const image = await ensureExtraImage(vaultImageSpec(engine, version, binary), this.log, { policy: this.spec.source, ...debianMirrorOf(this.spec.kind) });
    const slug = `${engine}-${version.replace(/[^a-zA-Z0-9]+/g, '-')}`.toLowerCase();
    if (placement === 'in-cluster') {
      await this.cluster.ensureImage(image.ref);
      const running = await startInClusterVault({ kube: this.kube, engine, version, image: image.ref, namespace: `vault-${slug}`, nodeAddress: this.nodeAddress, nodeLog: (ns, pod, c) => this.cluster.podLog(ns, pod, c), ledger: this.spec.run });
      this.vaults.remember(running);
      return { handle: await prepareInClusterVault(running, { engine, version }), running, where: `Deployment ${running.namespace}/vault` };
    }
    const name = `cmve-${this.spec.run.id}-${slug}-${this.cluster.name.replace(/^cmve-/, '')}`;
    const container = { kind: 'container', name } as const;
    await this.spec.run.record(container);
    const running = await startVaultContainer({ engine, version, image: image.ref, name, network: KIND_NETWORK, labels: this.spec.run.labels, ledger: this.spec.run }).catch(async (err: Error) => {
      // a failed start removed its container; a name in use is not ours to remove
      await this.spec.run.drop(container);
      if (!/already in use/i.test(err.message)) throw err;
      const taken = await nameTakenBy(name);
      throw new EnvironmentError(`${engine} ${version} (container ${name})`, taken.problem, taken.fix);
    });
    this.cleaner.add(`container ${name}`, () => this.spec.run.drop(container));
    this.vaults.remember(running);
    return { handle: await prepareVault(running, { engine, version }), running, where: `container ${running.container}` };
  }

  apiserverLog() { return this.cluster.apiserverLog(); }
  exportLogs() { return this.cluster.exportLogs(); }
  certManagerLog() { return this.certManager.logLines(); }

  secrets(): string[] {
    return this.vaults.rootTokens();
  }

  async reproInstructions(held?: HeldObjects): Promise<string[]> {
    return reproLines({
      ...(held ? { held } : {}),
      name: this.key,
      what: `kind cluster ${this.cluster.name}; node container ${this.cluster.nodeContainer}`,
      kubeconfig: this.cluster.kubeconfigPath,
      kubernetes: this.spec.kubernetes,
      inspect: [
        `kubectl -n ${CERT_MANAGER_NAMESPACE} logs deploy/cert-manager`,
        `docker exec ${this.cluster.nodeContainer} sh -c 'grep -h "is invalid for the target audiences" /var/log/pods/kube-system_kube-apiserver-*/kube-apiserver/*.log' || echo 'no match'`,
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

  /**
   * Vaults newest first, then the cluster — or, with `run --reuse`, the cluster reset to its baseline and kept for
   * the next run with the same spec (deleted instead when the reset leaves anything, or one is kept already).
   */
  async stop(): Promise<void> {
    if (this.handOn?.to.wanted(this.handOn.key)) return this.handClusterOn(this.handOn);
    const reuse = this.spec.reuse ? reuseKey(this.spec, 'kind') : undefined;
    if (!reuse || !('name' in reuse) || !this.baseline) return stopAll(this.cleaner);
    this.cleaner.forget(CLUSTER);
    await stopAll(this.cleaner);
    // namespaces finish terminating while the cluster waits; the run that adopts it checks they are gone
    const left = await deleteExtras(this.kube, this.baseline).then(() => [], (err: Error) => [`reset failed: ${err.message}`]);
    const state: KindKeptState = { cluster: this.cluster.name, certManager: this.certManager.version, images: { ...this.certManager.images }, baseline: this.baseline };
    // the network goes with the cluster when this run made it: removed with it by `clean` once no one uses it
    const network = this.spec.run.resources.filter((r) => r.kind === 'network');
    const kept = !left.length && (await this.spec.run.keep({ name: reuse.name, backend: 'kind', digest: reuse.digest, summary: reuse.summary, resources: [this.cluster.resource, ...network], state }));
    if (kept) {
      this.log(`reuse: kept ${this.cluster.name} for the next \`run --reuse\` of ${reuse.summary} (\`clean\` removes it)`);
      return;
    }
    this.log(`reuse: not keeping ${this.cluster.name}: ${left.length ? `the reset left ${left.join(', ')}` : 'an environment with this spec is kept already'}; deleting it`);
    await deleteCluster(this.cluster, this.spec.run);
  }

  /**
   * Vaults stopped, cert-manager uninstalled (`helm uninstall`, its Leases, its CRDs with their objects), the
   * cluster reset to the state it started in (the scenarios' and cert-manager's namespaces deleted and gone) and
   * handed to the run's next environment of the same cluster (runner/handover.ts).
   *
   * The namespaces are deleted as the uninstall starts, not after it: the namespace controller starts on a deleted
   * namespace only 5 s after the deletion (kubernetes pkg/controller/namespace/namespace_controller.go,
   * namespaceDeletionGracePeriod), time the uninstall then fills. Helm deletes what its release made inside
   * cert-manager's namespace meanwhile (a Terminating namespace takes deletions and updates, refuses creations), and
   * a release record already gone with the namespace counts as uninstalled (HelmCertManager.uninstall).
   *
   * When an environment still to start begins with this environment's install, cert-manager stays instead: the
   * cluster is reset to its state right after the install and handed to that one (runner/handover.ts
   * handOnRunning); should that reset leave anything, the uninstall above runs after all.
   */
  private async handClusterOn(on: HandOn): Promise<void> {
    this.cleaner.forget(CLUSTER);
    await stopAll(this.cleaner);
    const uninstall = async () => {
      const namespaces = deleteExtras(this.kube, on.bare).catch(() => undefined);
      const left = await KindCertManager.uninstall({ cluster: this.cluster, helmVersion: this.spec.pins.helm, crdWaitMs: HANDOVER_CRD_WAIT_MS });
      await namespaces;
      return left;
    };
    const handed = asHanded(this.cluster, on.bare, this.spec.run);
    const bare = () => handOn(on, handed, uninstall, this.log, NAMESPACES_GONE_MS);
    if (!this.installed || !on.to.wantedRunning(on.key, on.release)) return bare();
    // an environment still to start begins with this very install (an upgrade from it): it takes cert-manager as is
    const running: RunningRelease = { release: on.release, installed: this.installed, version: this.certManager.version, images: { ...this.certManager.images }, by: this.key };
    return handOnRunning(on, handed, running, bare, NAMESPACES_GONE_MS);
  }
}

const CLUSTER = 'kind cluster';

/** How long a new cluster's CoreDNS may take once cert-manager is installed. */
const DNS_WAIT_MS = 120_000;

/** How long a handover waits for deleted namespaces to finish terminating (their pods stopping) on kind. */
const NAMESPACES_GONE_MS = 60_000;

const deleteCluster = async (cluster: KindCluster, ledger: RunLedger) => {
  await cluster.delete();
  await removeKindNetworkIfUnused(ledger);
};

const asHanded = (cluster: KindCluster, bare: Baseline, ledger: RunLedger): HandedCluster<KindCluster> => ({ cluster, kube: cluster.kube, bare, label: `kind cluster ${cluster.name}`, stop: () => deleteCluster(cluster, ledger) });

/** What a kept kind environment hands the run that adopts it. */
interface KindKeptState {
  cluster: string;
  certManager: string;
  images: Record<CertManagerComponent, string>;
  baseline: Baseline;
}

/** The kept cluster's cert-manager checked healthy and the cluster reset to its baseline; undefined (and why, logged) when not. */
async function adoptCertManager(cluster: KindCluster, state: KindKeptState, log: Logger): Promise<KindCertManager | undefined> {
  try {
    const cm = await KindCertManager.attach({ cluster, version: state.certManager, images: state.images });
    // resetToBaseline answers what `leftovers` still finds after the reset: empty is the proof of a clean state
    const left = await resetToBaseline(cluster.kube, state.baseline, 30_000);
    if (left.length) throw new Error(`the reset left ${left.join(', ')}`);
    return cm;
  } catch (err) {
    log(`reuse: kept ${cluster.name} not adopted: ${err instanceof EnvironmentError ? err.problem : (err as Error).message}; deleting it and starting fresh`);
    return undefined;
  }
}

/** The cert-manager a handed cluster runs, checked healthy; undefined (and why, logged) when not. */
async function attachRunning(cluster: KindCluster, running: RunningRelease, log: Logger): Promise<KindCertManager | undefined> {
  try {
    return await KindCertManager.attach({ cluster, version: running.version, images: running.images });
  } catch (err) {
    log(`kind cluster ${cluster.name} handed on with cert-manager ${running.version} running, but it does not answer healthy (${err instanceof EnvironmentError ? err.problem : (err as Error).message}); deleting it and starting fresh`);
    return undefined;
  }
}

/** cert-manager at `version`: the pinned release, or the release under test where it stands for that version. */
function installCertManager(spec: EnvironmentSpec, cluster: KindCluster, version: string, log: Logger): Promise<KindCertManager> {
  const candidate = candidateFor(spec, version);
  return KindCertManager.install({ cluster, version, helmVersion: spec.pins.helm, source: spec.source, ...debianMirrorOf(spec.kind), ...(candidate ? { candidate } : {}), log });
}
