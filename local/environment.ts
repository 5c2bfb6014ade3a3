import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Cleaner } from '../lib/cleaner.ts';
import { CERT_MANAGER_NAMESPACE, CERT_MANAGER_SA, CONTROLLER_CLIENT_RATE_NOTE } from '../certmanager/chart.ts';
import { helmBinary } from '../provision/helm-binary.ts';
import { LocalCertManager } from '../certmanager/local-controller.ts';
import { artifactFile, binaryPath, vaultBinary } from '../provision/artifacts.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { goRuntimeNote } from '../lib/go-runtime.ts';
import type { Resource, RunLedger } from '../lib/ledger.ts';
import { ManagedProcess } from '../lib/process.ts';
import { resetToBaseline, takeBaseline, type Baseline } from '../runner/reset.ts';
import { HANDOVER_CRD_WAIT_MS, handOn, mayHandOn, takeHanded, type HandedCluster, type HandOn } from '../runner/handover.ts';
import type { HeldObjects, ScenarioEnvironment, VaultHandle } from '../runner/environment.ts';
import type { StartContext } from '../runner/run.ts';
import { certManagerController, claimKept, reuseKey, type EnvironmentSpec } from '../runner/environment-spec.ts';
import { reproLines, searchLog } from '../runner/repro.ts';
import { stopAll, VaultPool } from '../runner/vault-pool.ts';
import type { VaultEngine } from '../scenarios/types.ts';
import { declaredAuditConfig } from '../vault/configure/audit.ts';
import { LocalVault } from '../vault/placements/local-process.ts';
import { prepareVault } from '../runner/vault-handle.ts';
import type { RunningVault } from '../vault/placements/placement.ts';
import { redact } from '../vault/redact.ts';
import { LocalCluster, type LocalClusterState } from './cluster.ts';

/** The process-cluster backend: etcd, kube-apiserver, cert-manager's controller and Vault as local processes. */
export class LocalEnvironment implements ScenarioEnvironment {
  readonly backend = 'local' as const;
  readonly clusterResourceNamespace = CERT_MANAGER_NAMESPACE;
  readonly controllerServiceAccount = { namespace: CERT_MANAGER_NAMESPACE, name: CERT_MANAGER_SA };
  readonly emulated = {
    'in-cluster': 'Vault runs as a local process; the in-cluster placement is emulated by giving Vault its own ServiceAccount token as reviewer (local-token)',
  };
  get notes(): string[] {
    const gc = goRuntimeNote(this.spec.goRuntime);
    return ['process cluster: kube-apiserver and cert-manager run as local processes; no kubelet, no webhook', CONTROLLER_CLIENT_RATE_NOTE, ...(gc ? [gc] : []), this.emulated['in-cluster']];
  }
  private readonly vaults: VaultPool<{ handle: VaultHandle; running: RunningVault }>;
  private baseline?: Baseline;
  /** Where the cluster goes when this environment ends (runner/cluster-handoff.ts), and its bare state. */
  private handOn?: HandOn;

  private constructor(
    readonly key: string,
    readonly cluster: LocalCluster,
    private certManager: LocalCertManager,
    private readonly spec: EnvironmentSpec,
    private readonly ledger: RunLedger,
    private readonly cleaner: Cleaner,
    /** This environment's files (cert-manager's kubeconfig and log, Vault logs): the cluster's dir, or one inside it. */
    private readonly dir: string = cluster.dir,
  ) {
    this.vaults = new VaultPool(cleaner);
    cleaner.add('cert-manager', () => this.certManager.stop());
  }

  /**
   * With `spec.reuse` (`run --reuse`), a kept environment of the same spec is adopted when its processes run, its
   * API server answers and the reset to its baseline leaves nothing (runner/reset.ts); else one starts whose
   * processes outlive the run, to be kept at stop().
   */
  static async start(spec: EnvironmentSpec, context: StartContext = {}, log: (line: string) => void = stderrLine): Promise<LocalEnvironment> {
    const { keyed, kept } = await claimKept(spec, 'local', log);
    if (kept) {
      const adopted = await LocalEnvironment.adopt(spec, kept.state as LocalKeptState).catch(async (err: Error) => {
        log(`reuse: kept process cluster not adopted: ${err instanceof EnvironmentError ? err.problem : err.message}; stopping it and starting fresh`);
        await discard(spec, kept.state as LocalKeptState);
        return undefined;
      });
      if (adopted) {
        log(`reuse: adopted the process cluster ${kept.state && (kept.state as LocalKeptState).cluster.dir} (${kept.summary}): running, and nothing beyond its baseline`);
        return adopted;
      }
    }
    const [etcd, kubeApiserver, controller, crds, chart, helm] = await Promise.all([
      binaryPath('etcd', spec.pins.etcd, 'etcd'),
      binaryPath('kube-control-plane', spec.kubernetes, 'kube-apiserver'),
      certManagerController(spec, spec.certManager),
      artifactFile('cert-manager-controller', spec.certManager, 'crds.yaml'),
      artifactFile('cert-manager-controller', spec.certManager, 'chart'),
      helmBinary(spec.pins.helm),
    ]);
    const cleaner = new Cleaner();
    const share = keyed ? undefined : context.share;
    const handed = share ? await takeHanded<LocalCluster>(share.to, share.key, log) : undefined;
    const cluster = handed?.cluster ?? (await LocalCluster.start({ profile: spec.profile, binaries: { etcd, kubeApiserver }, ledger: spec.run, outlive: !!keyed, goRuntime: spec.goRuntime }));
    cleaner.add('cluster', () => cluster.stop());
    return cleaner.orUnwind(async () => {
      // the state a cluster is handed on in: taken before any cert-manager, proven again at every handover
      const bare = handed?.bare ?? (mayHandOn(share) ? await takeBaseline(cluster.kube, 'empty') : undefined);
      // on a shared cluster each environment's cert-manager and Vault logs are its own, beside the cluster's
      const dir = share ? join(cluster.dir, `env-${createHash('sha256').update(spec.key).digest('hex').slice(0, 8)}`) : cluster.dir;
      const certManager = await LocalCertManager.install({
        version: spec.certManager,
        kubeVersion: spec.kubernetes,
        kube: cluster.kube,
        accessAs: (ns, sa) => cluster.accessAs(ns, sa),
        files: { controller, crds, chart, helm },
        dir,
        ledger: spec.run,
        redact: (l) => redact(l),
        outlive: !!keyed,
        goRuntime: spec.goRuntime,
      });
      const env = new LocalEnvironment(spec.key, cluster, certManager, spec, spec.run, cleaner, dir);
      if (keyed) env.baseline = await takeBaseline(cluster.kube, 'empty');
      if (share && bare) env.handOn = { ...share, bare };
      return env;
    });
  }

  private static async adopt(spec: EnvironmentSpec, state: LocalKeptState): Promise<LocalEnvironment> {
    if (Date.parse(state.expiresAt) < Date.now()) throw new Error(`its cert-manager controller's token expired at ${state.expiresAt}`);
    const cluster = await LocalCluster.adopt(state.cluster, spec.profile, spec.run);
    const controller = ManagedProcess.adopt(state.controller.record.name, state.controller.record, state.controller.logFile, { dir: cluster.dir, ledger: spec.run, redact: (l) => redact(l) });
    if (controller.exitReason !== undefined) throw new Error(`cert-manager's controller (pid ${controller.pid}) no longer runs`);
    const cleaner = new Cleaner();
    cleaner.add('cluster', () => cluster.stop());
    const env = new LocalEnvironment(spec.key, cluster, LocalCertManager.adopt(state.certManager, controller), spec, spec.run, cleaner);
    env.baseline = state.baseline;
    const left = await resetToBaseline(cluster.kube, state.baseline, 30_000);
    if (left.length) {
      await env.stop();
      throw new Error(`the reset left ${left.join(', ')}`);
    }
    return env;
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
    const running = await new LocalVault(binary, { logLevel: 'debug', ledger: this.ledger, logFile: join(this.dir, `${engine}-${version}.log`), config: declaredAuditConfig(engine), goRuntime: this.spec.goRuntime }).start();
    this.vaults.remember(running);
    const handle = await prepareVault(running, { engine, version });
    return { handle, running };
  }

  apiserverLog() { return this.cluster.apiserverLog(); }
  certManagerLog() { return this.certManager.logLines(); }

  secrets(): string[] {
    return this.vaults.rootTokens();
  }

  async reproInstructions(held?: HeldObjects): Promise<string[]> {
    const dir = this.dir;
    const kubeconfig = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfig, adminKubeconfig(this.cluster), { mode: 0o600 });
    return reproLines({
      ...(held ? { held } : {}),
      name: this.key,
      what: `process cluster; logs in ${dir}`,
      kubeconfig,
      kubernetes: this.spec.kubernetes,
      inspect: [
        `kubectl get issuers -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}: {.status.conditions[0].message}{"\\n"}{end}'`,
        searchLog({ file: this.cluster.apiserver.logFile }, 'is invalid for the target audiences'),
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
      // the processes live in the run that holds them (`run --keep` stays in the foreground): `clean` spares a
      // run in progress, so only its stop removes them
      done: 'Ctrl-C in the run that holds it stops its processes and removes its files',
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
      dir: this.dir,
      ledger: this.ledger,
      redact: (l) => redact(l),
      goRuntime: this.spec.goRuntime,
    });
  }

  /**
   * Vaults, cert-manager, then the cluster: newest first. With `run --reuse`, Vaults only: the cluster and
   * cert-manager are reset to the baseline and kept for the next run with the same spec (stopped instead when the
   * reset leaves anything, or one is kept already).
   */
  async stop(): Promise<void> {
    if (this.handOn?.to.wanted(this.handOn.key)) return this.handClusterOn(this.handOn);
    const reuse = this.spec.reuse ? reuseKey(this.spec, 'local') : undefined;
    const controller = this.certManager.proc.resource;
    if (!reuse || !('name' in reuse) || !this.baseline || !controller || controller.kind !== 'process') return stopAll(this.cleaner);
    this.cleaner.forget('cluster');
    this.cleaner.forget('cert-manager');
    await stopAll(this.cleaner);
    const left = await resetToBaseline(this.kube, this.baseline).catch((err: Error) => [`reset failed: ${err.message}`]);
    const state: LocalKeptState = {
      cluster: this.cluster.state,
      certManager: this.certManager.version,
      controller: { record: controller, logFile: this.certManager.proc.logFile },
      baseline: this.baseline,
      // the controller's kubeconfig holds a 24-hour ServiceAccount token (LocalCluster.accessAs)
      expiresAt: new Date(Date.now() + 20 * 3600_000).toISOString(),
    };
    const kept = !left.length && (await this.ledger.keep({ name: reuse.name, backend: 'local', digest: reuse.digest, summary: reuse.summary, resources: [controller, ...this.cluster.resources], state }));
    if (kept) {
      stderrLine(`reuse: kept the process cluster ${this.cluster.dir} for the next \`run --reuse\` of ${reuse.summary} (\`clean\` stops it)`);
      return;
    }
    stderrLine(`reuse: not keeping the process cluster: ${left.length ? `the reset left ${left.join(', ')}` : 'an environment with this spec is kept already'}; stopping it`);
    await this.certManager.stop();
    await this.cluster.stop();
  }

  /**
   * Vaults stopped, cert-manager uninstalled (controller, RBAC, CRDs with their objects), the cluster reset to the
   * state it started in and handed to the run's next environment of the same cluster (runner/handover.ts).
   */
  private async handClusterOn(on: HandOn): Promise<void> {
    this.cleaner.forget('cluster');
    this.cleaner.forget('cert-manager');
    await stopAll(this.cleaner);
    await handOn(on, asHanded(this.cluster, on.bare), () => this.certManager.uninstall(this.kube, HANDOVER_CRD_WAIT_MS), stderrLine);
  }
}

const stderrLine = (line: string) => process.stderr.write(`${line}\n`);

const asHanded = (cluster: LocalCluster, bare: Baseline): HandedCluster<LocalCluster> => ({ cluster, kube: cluster.kube, bare, label: `process cluster ${cluster.dir}`, stop: () => cluster.stop() });

/** What a kept process cluster hands the run that adopts it. */
interface LocalKeptState {
  cluster: LocalClusterState;
  certManager: string;
  controller: { record: Extract<Resource, { kind: 'process' }>; logFile: string };
  baseline: Baseline;
  expiresAt: string;
}

/** A kept environment that failed its check: its processes stopped, its dir removed. */
async function discard(spec: EnvironmentSpec, state: LocalKeptState): Promise<void> {
  const procs = [state.controller, ...[...state.cluster.procs].reverse()];
  for (const p of procs) await ManagedProcess.adopt(p.record.name, p.record, p.logFile, { dir: state.cluster.dir, ledger: spec.run }).stop();
  await spec.run.removeDir(state.cluster.dir);
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
