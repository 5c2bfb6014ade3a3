/**
 * cert-manager in a kind cluster, installed with Helm from the chart the provisioner unpacked, running the
 * controller the provisioner built (a launcher linking cert-manager's real controllers) from a locally made
 * image tagged as the chart expects (quay.io/jetstack/cert-manager-controller:<version>, pullPolicy Never).
 *
 * What is missing: the webhook and cainjector binaries are not built, so the cainjector and startupapicheck
 * are switched off with chart values and a Helm post-renderer drops the webhook's objects (its Deployment,
 * Service and both webhook configurations, which would otherwise fail every cert-manager write with
 * `failed calling webhook`). As on the process cluster, CRD schemas are enforced by the API server only.
 */
import { execa } from 'execa';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { EnvironmentError } from '../lib/errors.ts';
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
const CONTROLLER_PATH = '/app/cmd/controller/controller';

export function controllerImageRef(version: string): string {
  return `quay.io/jetstack/cert-manager-controller:${version}`;
}

export function controllerImageSpec(version: string, launcher: string): ComponentSpec {
  return {
    name: 'cert-manager-controller',
    ref: controllerImageRef(version),
    files: [{ src: launcher, dest: CONTROLLER_PATH }],
    entrypoint: [CONTROLLER_PATH],
    // the chart sets runAsNonRoot; upstream images run as 1000
    user: '1000',
  };
}

/**
 * Helm post-renderer: drops every object of the webhook component (no webhook binary exists here) and any
 * CustomResourceDefinition (applied from crds.yaml before Helm runs, outside the release; the provisioned
 * v1.14–v1.16 charts render their CRDs unconditionally, which Helm then refuses to adopt).
 */
export const POST_RENDERER = `#!/usr/bin/env node
// cm-vault-e2e: remove cert-manager's webhook objects and CRDs from a rendered chart (stdin -> stdout).
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const docs = input.split(/^---[ \\t]*$/m);
  const webhook = /^\\s*app\\.kubernetes\\.io\\/component:\\s*["']?webhook["']?\\s*$/m;
  const kinds = /^kind:\\s*(MutatingWebhookConfiguration|ValidatingWebhookConfiguration|CustomResourceDefinition)\\s*$/m;
  process.stdout.write(docs.filter((d) => !webhook.test(d) && !kinds.test(d)).join('---'));
});
`;

export function helmValues(version: string): string[] {
  return [
    '--set', 'cainjector.enabled=false',
    '--set', 'startupapicheck.enabled=false',
    '--set', `image.tag=${version}`,
    '--set', 'image.pullPolicy=Never',
    // the launcher serves /livez only when asked; the chart's liveness probe expects it on 9403
    '--set-json', 'extraArgs=["--internal-healthz-listen-address=0.0.0.0:9403"]',
  ];
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

  /** CRDs first, then `helm upgrade --install` (so it also upgrades or downgrades in place), then wait. */
  static async install(opts: KindCertManagerOptions): Promise<KindCertManager> {
    const log = opts.log ?? stderrLogger;
    const started = Date.now();
    const [launcher, crds, chart, helm] = await Promise.all([
      binaryPath('cert-manager-controller', opts.version, 'cert-manager-controller'),
      artifactFile('cert-manager-controller', opts.version, 'crds.yaml'),
      artifactFile('cert-manager-controller', opts.version, 'chart'),
      binaryPath('helm', opts.helmVersion, 'helm'),
    ]);
    const image = await ensureExtraImage(controllerImageSpec(opts.version, launcher), log);
    await opts.cluster.loadImage(image.ref);
    const kube = opts.cluster.kube;
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CERT_MANAGER_NAMESPACE } });
    await applyCrds(kube, crds);

    const renderer = join(kindCache().root, 'helm-post-render-no-webhook.mjs');
    await mkdir(kindCache().root, { recursive: true });
    await writeFile(renderer, POST_RENDERER);
    await chmod(renderer, 0o755);
    const timeout = Math.round((opts.timeoutMs ?? 300_000) / 1000);
    const args = [
      'upgrade', '--install', CERT_MANAGER_RELEASE, chart,
      '--namespace', CERT_MANAGER_NAMESPACE,
      '--kubeconfig', opts.cluster.kubeconfigPath,
      ...helmValues(opts.version),
      '--post-renderer', renderer,
      '--wait', '--timeout', `${timeout}s`,
    ];
    log(`cert-manager: helm upgrade --install ${opts.version}`);
    const r = await execa(helm, args, { reject: false, all: true, timeout: (timeout + 60) * 1000 });
    const cm = new KindCertManager(opts.version, opts.cluster);
    if (r.exitCode !== 0) {
      throw new EnvironmentError(`cert-manager ${opts.version}`, 'helm upgrade --install failed', `kubectl --kubeconfig ${opts.cluster.kubeconfigPath} -n cert-manager describe pods`, [
        ...tailLines(r.all, 10),
        ...(await cm.logLines()).slice(-15),
      ]);
    }
    await cm.waitRunning(opts.timeoutMs ?? 300_000);
    log(`cert-manager: ${opts.version} running in ${seconds(started)}s`);
    return cm;
  }

  private async controllerPod(): Promise<V1Pod | undefined> {
    const pods = await this.cluster.kube.core.listNamespacedPod({ namespace: CERT_MANAGER_NAMESPACE, labelSelector: 'app.kubernetes.io/component=controller' });
    const live = pods.items.filter((p) => !p.metadata?.deletionTimestamp);
    return live.find((p) => p.spec?.containers?.[0]?.image === controllerImageRef(this.version)) ?? live[0];
  }

  async waitRunning(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const pod = await this.controllerPod();
      const ready = pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (pod && ready && pod.spec?.containers?.[0]?.image === controllerImageRef(this.version)) return;
      last = pod ? `${pod.metadata?.name} ${pod.status?.phase} ${JSON.stringify(pod.status?.containerStatuses?.[0]?.state ?? {})}` : 'no controller pod';
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new EnvironmentError(`cert-manager ${this.version}`, `controller not Ready: ${last}`, 'read its log below', (await this.logLines()).slice(-20));
  }

  /** The controller's log (current pod), via the API server. */
  async logLines(): Promise<string[]> {
    const pod = await this.controllerPod().catch(() => undefined);
    if (!pod?.metadata?.name) return [];
    const text = await this.cluster.kube.core
      .readNamespacedPodLog({ name: pod.metadata.name, namespace: CERT_MANAGER_NAMESPACE, container: pod.spec?.containers?.[0]?.name })
      .catch(() => '');
    return text.split('\n').filter(Boolean);
  }
}
