/**
 * cert-manager in a kind cluster, installed with Helm from the chart the provisioner unpacked, running the
 * controller, webhook and cainjector the provisioner built (launchers linking cert-manager's real code of the
 * pinned release) from locally made images tagged as the chart expects
 * (quay.io/jetstack/cert-manager-{controller,webhook,cainjector}:<version>, pullPolicy Never), each with its
 * binary where the upstream image has it and a numeric non-root user (the chart sets runAsNonRoot).
 *
 * The webhook is the chart's own (validating, mutating, its dynamic serving CA Secret), its CA bundle injected
 * by the cainjector; install returns only once the webhook answers admission requests (a server-side dry-run
 * create of a valid Issuer is admitted and one of an invalid Issuer is denied by the webhook), so the first
 * scenario does not race `failed calling webhook`. startupapicheck stays off: it is another nested module
 * (cmd/startupapicheck) that is not built here, and that dry-run probe checks what it would.
 * CRDs are applied from crds.yaml before Helm runs and dropped from the rendered chart by a post-renderer.
 */
import { execa } from 'execa';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { EnvironmentError } from '../lib/errors.ts';
import { apiMessage } from '../lib/kube.ts';
import { artifactFile, binaryPath } from '../provision/artifacts.ts';
import { applyCrds } from '../certmanager/crds.ts';
import type { KindCluster } from './cluster.ts';
import { ensureExtraImage } from './images/build.ts';
import { kindCache, seconds, stderrLogger, tailLines, type Logger } from './images/common.ts';
import type { ComponentSpec } from './images/components.ts';

export const CERT_MANAGER_NAMESPACE = 'cert-manager';
export const CERT_MANAGER_RELEASE = 'cert-manager';
/** The chart's ServiceAccount for the controller (fullname of release `cert-manager`). */
export const CERT_MANAGER_SA = 'cert-manager';

export type CertManagerComponent = 'controller' | 'webhook' | 'cainjector';
export const CERT_MANAGER_COMPONENTS: readonly CertManagerComponent[] = ['controller', 'webhook', 'cainjector'];

/** Where the upstream images keep each binary (their entrypoint; the chart passes arguments only). */
export const COMPONENT_PATHS: Readonly<Record<CertManagerComponent, string>> = {
  controller: '/app/cmd/controller/controller',
  webhook: '/app/cmd/webhook/webhook',
  cainjector: '/app/cmd/cainjector/cainjector',
};

/** The numeric user of the upstream images (the chart's securityContext sets runAsNonRoot). */
export const CERT_MANAGER_USER = '1000';

export function imageRef(component: CertManagerComponent, version: string): string {
  return `quay.io/jetstack/cert-manager-${component}:${version}`;
}

export function imageSpec(component: CertManagerComponent, version: string, binary: string): ComponentSpec {
  const path = COMPONENT_PATHS[component];
  return {
    name: `cert-manager-${component}`,
    ref: imageRef(component, version),
    files: [{ src: binary, dest: path }],
    entrypoint: [path],
    user: CERT_MANAGER_USER,
  };
}

export const controllerImageRef = (version: string) => imageRef('controller', version);
export const controllerImageSpec = (version: string, launcher: string) => imageSpec('controller', version, launcher);

/**
 * Helm post-renderer: drops every CustomResourceDefinition (applied from crds.yaml before Helm runs, outside
 * the release; the provisioned v1.14–v1.16 charts render their CRDs unconditionally, which Helm then refuses
 * to adopt). Everything else, the webhook's objects included, is installed as rendered.
 */
export const POST_RENDERER = `#!/usr/bin/env node
// cm-vault-e2e: remove CustomResourceDefinitions from a rendered chart (stdin -> stdout).
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const docs = input.split(/^---[ \\t]*$/m);
  const crd = /^kind:\\s*CustomResourceDefinition\\s*$/m;
  process.stdout.write(docs.filter((d) => !crd.test(d)).join('---'));
});
`;

export function helmValues(version: string): string[] {
  return [
    '--set', 'cainjector.enabled=true',
    // no startupapicheck binary is built; install() probes the webhook itself
    '--set', 'startupapicheck.enabled=false',
    '--set', `image.tag=${version}`,
    '--set', 'image.pullPolicy=Never',
    '--set', `webhook.image.tag=${version}`,
    '--set', 'webhook.image.pullPolicy=Never',
    '--set', `cainjector.image.tag=${version}`,
    '--set', 'cainjector.image.pullPolicy=Never',
    // the launcher serves /livez only when asked; the chart's liveness probe expects it on 9403
    '--set-json', 'extraArgs=["--internal-healthz-listen-address=0.0.0.0:9403"]',
  ];
}

/** What the webhook probe creates with dryRun=All: one Issuer the webhook admits, one it must deny. */
export const WEBHOOK_PROBE_NAMESPACE = 'default';
export function webhookProbeIssuers(): { valid: KubernetesObject; invalid: KubernetesObject } {
  const issuer = (name: string, spec: object): KubernetesObject =>
    ({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name, namespace: WEBHOOK_PROBE_NAMESPACE }, spec }) as KubernetesObject;
  return { valid: issuer('cmve-webhook-probe', { selfSigned: {} }), invalid: issuer('cmve-webhook-probe-invalid', {}) };
}

/** A denial by cert-manager's validating webhook (not a failure to reach it). */
export function isWebhookDenial(message: string): boolean {
  return /admission webhook "webhook\.cert-manager\.io" denied the request/.test(message);
}

export interface KindCertManagerOptions {
  cluster: KindCluster;
  version: string;
  helmVersion: string;
  log?: Logger;
  timeoutMs?: number;
}

export class KindCertManager {
  private constructor(
    readonly version: string,
    private readonly cluster: KindCluster,
  ) {}

  /**
   * Images, CRDs, then `helm upgrade --install --wait` (so it also upgrades or downgrades in place), then wait
   * for the three Deployments to run this version and for the webhook to serve.
   */
  static async install(opts: KindCertManagerOptions): Promise<KindCertManager> {
    const log = opts.log ?? stderrLogger;
    const started = Date.now();
    const timeoutMs = opts.timeoutMs ?? 300_000;
    const binaries = await Promise.all(CERT_MANAGER_COMPONENTS.map((c) => binaryPath('cert-manager-controller', opts.version, `cert-manager-${c}`)));
    const [crds, chart, helm] = await Promise.all([
      artifactFile('cert-manager-controller', opts.version, 'crds.yaml'),
      artifactFile('cert-manager-controller', opts.version, 'chart'),
      binaryPath('helm', opts.helmVersion, 'helm'),
    ]);
    const images = await Promise.all(CERT_MANAGER_COMPONENTS.map((c, i) => ensureExtraImage(imageSpec(c, opts.version, binaries[i]!), log)));
    await Promise.all(images.map((image) => opts.cluster.loadImage(image.ref)));
    const imagesSeconds = seconds(started);
    const kube = opts.cluster.kube;
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CERT_MANAGER_NAMESPACE } });
    await applyCrds(kube, crds);

    const renderer = join(kindCache().root, 'helm-post-render-no-crds.mjs');
    await mkdir(kindCache().root, { recursive: true });
    await writeFile(renderer, POST_RENDERER);
    await chmod(renderer, 0o755);
    const timeout = Math.round(timeoutMs / 1000);
    const args = [
      'upgrade', '--install', CERT_MANAGER_RELEASE, chart,
      '--namespace', CERT_MANAGER_NAMESPACE,
      '--kubeconfig', opts.cluster.kubeconfigPath,
      ...helmValues(opts.version),
      '--post-renderer', renderer,
      '--wait', '--timeout', `${timeout}s`,
    ];
    log(`cert-manager: helm upgrade --install ${opts.version} (controller, webhook, cainjector)`);
    const helmStarted = Date.now();
    const r = await execa(helm, args, { reject: false, all: true, timeout: (timeout + 60) * 1000 });
    const cm = new KindCertManager(opts.version, opts.cluster);
    if (r.exitCode !== 0) {
      throw new EnvironmentError(`cert-manager ${opts.version}`, 'helm upgrade --install failed', `kubectl --kubeconfig ${opts.cluster.kubeconfigPath} -n cert-manager describe pods`, [
        ...tailLines(r.all, 10),
        ...(await cm.allLogLines(10)),
      ]);
    }
    const helmSeconds = seconds(helmStarted);
    await cm.waitRunning(timeoutMs);
    const probeStarted = Date.now();
    await cm.waitWebhookServing(timeoutMs);
    log(`cert-manager: ${opts.version} running in ${seconds(started)}s (images ${imagesSeconds}s, helm ${helmSeconds}s, webhook serving after ${seconds(probeStarted)}s more)`);
    return cm;
  }

  private async pod(component: CertManagerComponent): Promise<V1Pod | undefined> {
    const pods = await this.cluster.kube.core.listNamespacedPod({ namespace: CERT_MANAGER_NAMESPACE, labelSelector: `app.kubernetes.io/component=${component}` });
    const live = pods.items.filter((p) => !p.metadata?.deletionTimestamp);
    return live.find((p) => p.spec?.containers?.[0]?.image === imageRef(component, this.version)) ?? live[0];
  }

  /** Every component's pod Ready and running this version's image (after an upgrade, not the old ReplicaSet's). */
  async waitRunning(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const states = await Promise.all(
        CERT_MANAGER_COMPONENTS.map(async (c) => {
          const pod = await this.pod(c);
          const ready = pod?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
          const ok = !!pod && !!ready && pod.spec?.containers?.[0]?.image === imageRef(c, this.version);
          return { ok, text: pod ? `${c}: ${pod.metadata?.name} ${pod.status?.phase} ${JSON.stringify(pod.status?.containerStatuses?.[0]?.state ?? {})}` : `${c}: no pod` };
        }),
      );
      if (states.every((s) => s.ok)) return;
      last = states.filter((s) => !s.ok).map((s) => s.text).join('; ');
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new EnvironmentError(`cert-manager ${this.version}`, `not Ready: ${last}`, 'read the logs below', await this.allLogLines(15));
  }

  /**
   * The webhook answers admission requests: a dry-run create of a valid Issuer is admitted and one without an
   * issuer type is denied by webhook.cert-manager.io. Until the cainjector has put the CA into the webhook
   * configurations and the webhook serves, the API server answers `failed calling webhook` (retried).
   */
  async waitWebhookServing(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const { valid, invalid } = webhookProbeIssuers();
    let last = '';
    while (Date.now() < deadline) {
      try {
        await this.cluster.kube.objects.create(valid, undefined, 'All');
        try {
          await this.cluster.kube.objects.create(invalid, undefined, 'All');
          last = 'an Issuer without an issuer type was admitted: the webhook did not validate it';
        } catch (err) {
          if (isWebhookDenial(apiMessage(err))) return;
          last = apiMessage(err);
        }
      } catch (err) {
        last = apiMessage(err);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new EnvironmentError(`cert-manager ${this.version}`, `the webhook does not serve: ${last}`, 'read the webhook and cainjector logs below', [
      ...(await this.logLines('webhook')).slice(-15).map((l) => `webhook: ${l}`),
      ...(await this.logLines('cainjector')).slice(-15).map((l) => `cainjector: ${l}`),
    ]);
  }

  /** A component's log (current pod; the controller's by default), via the API server. */
  async logLines(component: CertManagerComponent = 'controller'): Promise<string[]> {
    const pod = await this.pod(component).catch(() => undefined);
    if (!pod?.metadata?.name) return [];
    const text = await this.cluster.kube.core
      .readNamespacedPodLog({ name: pod.metadata.name, namespace: CERT_MANAGER_NAMESPACE, container: pod.spec?.containers?.[0]?.name })
      .catch(() => '');
    return text.split('\n').filter(Boolean);
  }

  private async allLogLines(each: number): Promise<string[]> {
    const out: string[] = [];
    for (const c of CERT_MANAGER_COMPONENTS) out.push(...(await this.logLines(c)).slice(-each).map((l) => `${c}: ${l}`));
    return out;
  }
}
