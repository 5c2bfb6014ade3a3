/**
 * cert-manager installed (or upgraded in place) with Helm from the pinned chart on any cluster this host has a
 * kubeconfig for: CRDs from crds.yaml first, then `helm upgrade --install` with the suite's values, then wait until
 * controller, webhook and cainjector run this version and the webhook answers admission requests. Helm's own
 * `--wait` is not used: it checks readiness every 2 s and adds nothing those two checks do not cover (each pod
 * Ready on this version's image, the webhook admitting), which are asked every INSTALL_POLL_MS instead.
 * Where the images come from is the caller's business (kind loads them; an existing cluster's nodes pull them).
 */
import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { EnvironmentError } from '../lib/errors.ts';
import { apiMessage, type Kube } from '../lib/kube.ts';
import { poll, secondsSince, waiting } from '../lib/wait.ts';
import { artifactFile } from '../provision/artifacts.ts';
import {
  CERT_MANAGER_COMPONENTS,
  CERT_MANAGER_NAMESPACE,
  CERT_MANAGER_RELEASE,
  chartArgs,
  HELM4_POST_RENDERER_PLUGIN,
  helm4PostRendererPlugin,
  helmValues,
  imageValues,
  imageRef,
  isWebhookDenial,
  POST_RENDERER,
  webhookProbeIssuers,
  type CertManagerComponent,
  type PullPolicy,
} from './chart.ts';
import { applyCrds } from './crds.ts';
import { helmBinary, isHelm4 } from '../provision/helm-binary.ts';
import { helmEnv, helmTargetArgs, type HelmTarget } from './helm-target.ts';

/**
 * The CRD-dropping post-renderer where this Helm looks for it: Helm 3 runs an executable given by path; Helm 4
 * runs only plugins, so it goes into a plugins directory of its own (HELM_PLUGINS) and is named.
 */
async function writePostRenderer(dir: string, helmVersion: string): Promise<{ renderer: string; env: Record<string, string> }> {
  if (!isHelm4(helmVersion)) {
    const renderer = join(dir, 'post-render-no-crds.mjs');
    await writeFile(renderer, POST_RENDERER);
    await chmod(renderer, 0o755);
    return { renderer, env: {} };
  }
  const plugins = join(dir, 'plugins');
  const pluginDir = join(plugins, HELM4_POST_RENDERER_PLUGIN);
  await mkdir(pluginDir, { recursive: true });
  for (const [name, text] of Object.entries(helm4PostRendererPlugin())) {
    await writeFile(join(pluginDir, name), text);
    if (name.endsWith('.mjs')) await chmod(join(pluginDir, name), 0o755);
  }
  return { renderer: HELM4_POST_RENDERER_PLUGIN, env: { HELM_PLUGINS: plugins } };
}

export interface HelmCertManagerOptions extends HelmTarget {
  kube: Kube;
  version: string;
  helmVersion: string;
  pullPolicy: PullPolicy;
  log: (line: string) => void;
  timeoutMs?: number;
  /** Labels for the namespace, when the install creates it. */
  namespaceLabels?: Record<string, string>;
  /** Release gating: images (references the nodes have) replacing the pinned ones, per component. */
  images?: Partial<Record<CertManagerComponent, string>>;
  /** Release gating: a chart (directory, .tgz, oci://…:version) replacing the pinned one; it installs its own CRDs. */
  chart?: string;
}

const tail = (text: unknown, n: number) => String(text ?? '').split('\n').filter(Boolean).slice(-n);

/**
 * How often an install asks whether cert-manager runs and its webhook serves: every start of an environment waits
 * on it, and each ask is three pod lists or two dry-run creates.
 */
const INSTALL_POLL_MS = 250;

export class HelmCertManager {
  private constructor(
    readonly version: string,
    private readonly kube: Kube,
    /** The image each component runs. */
    readonly images: Readonly<Record<CertManagerComponent, string>>,
  ) {}

  static async install(opts: HelmCertManagerOptions): Promise<HelmCertManager> {
    const started = Date.now();
    const timeoutMs = opts.timeoutMs ?? 300_000;
    const [crds, chart, helm] = await Promise.all([
      artifactFile('cert-manager-controller', opts.version, 'crds.yaml'),
      opts.chart ?? artifactFile('cert-manager-controller', opts.version, 'chart'),
      helmBinary(opts.helmVersion),
    ]);
    await opts.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CERT_MANAGER_NAMESPACE, ...(opts.namespaceLabels ? { labels: opts.namespaceLabels } : {}) } });
    // A candidate chart brings its own CRDs (part of what is gated); otherwise the pinned ones go first.
    if (!opts.chart) await applyCrds(opts.kube, crds);
    const crdsApplied = Date.now();
    const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-helm-'));
    const images = Object.fromEntries(CERT_MANAGER_COMPONENTS.map((c) => [c, opts.images?.[c] ?? imageRef(c, opts.version)])) as Record<CertManagerComponent, string>;
    const cm = new HelmCertManager(opts.version, opts.kube, images);
    try {
      const { renderer, env } = await writePostRenderer(dir, opts.helmVersion);
      const timeout = Math.round(timeoutMs / 1000);
      const args = [
        'upgrade', '--install', CERT_MANAGER_RELEASE, ...chartArgs(chart),
        '--namespace', CERT_MANAGER_NAMESPACE,
        ...helmTargetArgs(opts),
        ...helmValues(opts.version, opts.pullPolicy),
        ...CERT_MANAGER_COMPONENTS.flatMap((c) => (opts.images?.[c] ? imageValues(c, opts.images[c]!) : [])),
        ...(opts.chart ? ['--set', 'crds.enabled=true', '--set', 'installCRDs=true'] : ['--post-renderer', renderer]),
        '--timeout', `${timeout}s`,
      ];
      const candidate = [...Object.keys(opts.images ?? {}), ...(opts.chart ? ['chart'] : [])];
      opts.log(`cert-manager: helm upgrade --install ${candidate.length ? `candidate ${candidate.join(', ')} in place of ${opts.version}` : opts.version} (controller, webhook, cainjector)`);
      const r = await execa(helm, args, { reject: false, all: true, timeout: (timeout + 60) * 1000, env: helmEnv(env) });
      if (r.exitCode !== 0) {
        throw new EnvironmentError(`cert-manager ${opts.version}`, 'helm upgrade --install failed', `kubectl --kubeconfig ${opts.kubeconfigPath}${opts.kubeContext ? ` --context ${opts.kubeContext}` : ''} -n ${CERT_MANAGER_NAMESPACE} describe pods`, [
          ...tail(r.all, 10),
          ...(await cm.allLogLines(10)),
        ]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const helmDone = Date.now();
    await cm.waitRunning(timeoutMs);
    const podsReady = Date.now();
    await cm.waitWebhookServing(timeoutMs);
    const s = (from: number, to: number) => `${((to - from) / 1000).toFixed(1)}s`;
    opts.log(`cert-manager: ${opts.version} running in ${secondsSince(started)}s (CRDs ${s(started, crdsApplied)}, helm ${s(crdsApplied, helmDone)}, pods Ready ${s(helmDone, podsReady)} later, the webhook serving ${s(podsReady, Date.now())} after)`);
    return cm;
  }

  /**
   * The release a kept cluster already runs (`run --reuse`), checked as an install ends: every component's pod
   * Ready on these images and the webhook admitting and denying. Throws when it is not so.
   */
  static async attach(o: { kube: Kube; version: string; images: Readonly<Record<CertManagerComponent, string>>; timeoutMs?: number }): Promise<HelmCertManager> {
    const cm = new HelmCertManager(o.version, o.kube, o.images);
    await cm.waitRunning(o.timeoutMs ?? 20_000);
    await cm.waitWebhookServing(o.timeoutMs ?? 20_000);
    return cm;
  }

  /**
   * `helm uninstall` (the CRDs, applied outside the release, are the caller's to remove); true when a release was
   * there to remove. `kubeContext` wherever the kubeconfig may hold more than one context: its current one may
   * have changed since the install.
   */
  static async uninstall(o: HelmTarget & { helmVersion: string; timeoutMs?: number }): Promise<boolean> {
    const helm = await helmBinary(o.helmVersion);
    const timeout = Math.round((o.timeoutMs ?? 180_000) / 1000);
    const target = helmTargetArgs(o);
    const r = await execa(helm, ['uninstall', CERT_MANAGER_RELEASE, '--namespace', CERT_MANAGER_NAMESPACE, ...target, '--wait', '--timeout', `${timeout}s`], { reject: false, all: true, env: helmEnv() });
    if (r.exitCode === 0) return true;
    if (/not found/.test(String(r.all))) return false;
    throw new EnvironmentError('cert-manager', 'helm uninstall failed', `helm ${target.join(' ')} -n ${CERT_MANAGER_NAMESPACE} uninstall ${CERT_MANAGER_RELEASE}`, tail(r.all, 10));
  }

  private async pods(component: CertManagerComponent): Promise<V1Pod[]> {
    const pods = await this.kube.core.listNamespacedPod({ namespace: CERT_MANAGER_NAMESPACE, labelSelector: `app.kubernetes.io/component=${component}` });
    return pods.items;
  }

  private async pod(component: CertManagerComponent): Promise<V1Pod | undefined> {
    return this.current(component, await this.pods(component));
  }

  /** Of a component's pods, the live one on this version's image, else any live one. */
  private current(component: CertManagerComponent, pods: V1Pod[]): V1Pod | undefined {
    const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
    return live.find((p) => p.spec?.containers?.[0]?.image === this.images[component]) ?? live[0];
  }

  /**
   * Every component's pod Ready and running this version's image, and after an upgrade no pod of the old release
   * left, not even one terminating: until it has exited, the webhook Service may still route an admission request
   * to the old webhook, which answers the probe and then drops the next request as it shuts down (`failed calling
   * webhook … EOF`).
   */
  async waitRunning(timeoutMs: number): Promise<void> {
    const r = await poll(async () => {
      const states = await Promise.all(
        CERT_MANAGER_COMPONENTS.map(async (c) => {
          const all = await this.pods(c);
          const pod = this.current(c, all);
          const ready = pod?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
          const old = all.filter((p) => p.spec?.containers?.[0]?.image !== this.images[c]);
          const ok = !!pod && !!ready && pod.spec?.containers?.[0]?.image === this.images[c] && !old.length;
          const state = pod ? `${pod.metadata?.name} ${pod.status?.phase} ${JSON.stringify(pod.status?.containerStatuses?.[0]?.state ?? {})}` : 'no pod';
          return { ok, text: `${c}: ${state}${old.length ? `; ${old.map((p) => p.metadata?.name).join(', ')} of the release before still there` : ''}` };
        }),
      );
      return states.every((s) => s.ok) ? true : waiting(states.filter((s) => !s.ok).map((s) => s.text).join('; '));
    }, { timeoutMs, intervalMs: INSTALL_POLL_MS });
    if (r.ok) return;
    throw new EnvironmentError(`cert-manager ${this.version}`, `not Ready: ${r.last}`, 'read the logs below', await this.allLogLines(15));
  }

  /**
   * The webhook answers admission requests: a dry-run create of a valid Issuer is admitted and one without an
   * issuer type is denied by webhook.cert-manager.io. Until the cainjector has put the CA into the webhook
   * configurations and the webhook serves, the API server answers `failed calling webhook` (retried).
   */
  async waitWebhookServing(timeoutMs: number): Promise<void> {
    const { valid, invalid } = webhookProbeIssuers();
    const r = await poll(async () => {
      try {
        await this.kube.objects.create(valid, undefined, 'All');
      } catch (err) {
        return waiting(apiMessage(err));
      }
      try {
        await this.kube.objects.create(invalid, undefined, 'All');
        return waiting('an Issuer without an issuer type was admitted: the webhook did not validate it');
      } catch (err) {
        return isWebhookDenial(apiMessage(err)) ? true : waiting(apiMessage(err));
      }
    }, { timeoutMs, intervalMs: INSTALL_POLL_MS });
    if (r.ok) return;
    throw new EnvironmentError(`cert-manager ${this.version}`, `the webhook does not serve: ${r.last}`, 'read the webhook and cainjector logs below', [
      ...(await this.logLines('webhook')).slice(-15).map((l) => `webhook: ${l}`),
      ...(await this.logLines('cainjector')).slice(-15).map((l) => `cainjector: ${l}`),
    ]);
  }

  /** A component's log (current pod; the controller's by default), via the API server. */
  async logLines(component: CertManagerComponent = 'controller'): Promise<string[]> {
    const pod = await this.pod(component).catch(() => undefined);
    if (!pod?.metadata?.name) return [];
    const text = await this.kube.core
      .readNamespacedPodLog({ name: pod.metadata.name, namespace: CERT_MANAGER_NAMESPACE, container: pod.spec?.containers?.[0]?.name })
      .catch(() => '');
    return text.split('\n').filter(Boolean);
  }

  async allLogLines(each: number): Promise<string[]> {
    const out: string[] = [];
    for (const c of CERT_MANAGER_COMPONENTS) out.push(...(await this.logLines(c)).slice(-each).map((l) => `${c}: ${l}`));
    return out;
  }
}
