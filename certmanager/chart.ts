/**
 * How the suite installs cert-manager with Helm from the pinned chart, whatever the cluster (kind, or an existing
 * one with `--install-cert-manager`): names, chart values, the CRD-dropping post-renderer and the webhook probe.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

export const CERT_MANAGER_NAMESPACE = 'cert-manager';
export const CERT_MANAGER_RELEASE = 'cert-manager';
/** The chart's ServiceAccount for the controller (fullname of release `cert-manager`). */
export const CERT_MANAGER_SA = 'cert-manager';

export type CertManagerComponent = 'controller' | 'webhook' | 'cainjector';
export const CERT_MANAGER_COMPONENTS: readonly CertManagerComponent[] = ['controller', 'webhook', 'cainjector'];

export function imageRef(component: CertManagerComponent, version: string): string {
  return `quay.io/jetstack/cert-manager-${component}:${version}`;
}

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

/**
 * Helm 4 runs post-renderers only as plugins (`--post-renderer <plugin name>`, looked up under $HELM_PLUGINS):
 * the same script as a `postrenderer/v1` subprocess plugin (helm.sh/helm/v4@v4.3.2 internal/plugin/metadata_v1.go,
 * pkg/postrenderer/postrenderer.go#NewPostRendererPlugin). Files relative to the plugin's directory.
 */
export const HELM4_POST_RENDERER_PLUGIN = 'cm-vault-e2e-no-crds';
export function helm4PostRendererPlugin(): Record<string, string> {
  const pluginYaml = [
    'apiVersion: v1',
    `name: ${HELM4_POST_RENDERER_PLUGIN}`,
    'type: postrenderer/v1',
    'runtime: subprocess',
    'version: 0.1.0',
    'runtimeConfig:',
    '  platformCommand:',
    '    - command: ${HELM_PLUGIN_DIR}/post-render-no-crds.mjs',
    '',
  ].join('\n');
  return { 'plugin.yaml': pluginYaml, 'post-render-no-crds.mjs': POST_RENDERER };
}

export type PullPolicy = 'Never' | 'IfNotPresent' | 'Always';

/**
 * cert-manager's controller talks to the API server through a client limited to 20 requests a second (burst 50)
 * by default (`--kube-api-qps`, `--kube-api-burst`). Every scenario's Issuer, CertificateRequest, Secret and event
 * goes through the one controller of its environment, so scenarios run in parallel queued behind that limit while
 * the cores idled. The suite's controllers get a limit they never reach; the API server's own flow control still
 * bounds them, and nothing the audience rules depend on changes.
 */
export const CONTROLLER_CLIENT_RATE_ARGS = ['--kube-api-qps=1000', '--kube-api-burst=2000'];
/** What an environment's notes say of it. */
export const CONTROLLER_CLIENT_RATE_NOTE = `cert-manager's controller runs with ${CONTROLLER_CLIENT_RATE_ARGS.join(' ')} (the defaults, 20 and 50, would queue scenarios run in parallel behind its client)`;

/** `Never` where the images were loaded onto the nodes (kind); `IfNotPresent` where the nodes pull them. */
export function helmValues(version: string, pullPolicy: PullPolicy = 'Never'): string[] {
  return [
    '--set', 'cainjector.enabled=true',
    // no startupapicheck binary is built; install() probes the webhook itself
    '--set', 'startupapicheck.enabled=false',
    '--set', `image.tag=${version}`,
    '--set', `image.pullPolicy=${pullPolicy}`,
    '--set', `webhook.image.tag=${version}`,
    '--set', `webhook.image.pullPolicy=${pullPolicy}`,
    '--set', `cainjector.image.tag=${version}`,
    '--set', `cainjector.image.pullPolicy=${pullPolicy}`,
    // the launcher serves /livez only when asked; the chart's liveness probe expects it on 9403
    '--set-json', `extraArgs=${JSON.stringify(['--internal-healthz-listen-address=0.0.0.0:9403', ...CONTROLLER_CLIENT_RATE_ARGS])}`,
    // the install waits for the webhook's readiness; the chart's 5 s delay and period cost every cluster ~5 s
    '--set', 'webhook.readinessProbe.initialDelaySeconds=1',
    '--set', 'webhook.readinessProbe.periodSeconds=1',
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

/** Helm's chart argument and version flag for a chart given as a path or an oci:// reference with a tag. */
export function chartArgs(chart: string): string[] {
  const m = /^(oci:\/\/.+?):([^/:]+)$/.exec(chart);
  return m ? [m[1]!, '--version', m[2]!.replace(/^v(?=\d)/, '')] : [chart];
}

/** Helm values pointing one component at an image reference (tag or digest). */
export function imageValues(component: CertManagerComponent, ref: string): string[] {
  const prefix = component === 'controller' ? 'image' : `${component}.image`;
  const at = ref.indexOf('@');
  const colon = ref.lastIndexOf(':');
  const [repository, version] = at >= 0 ? [ref.slice(0, at), { digest: ref.slice(at + 1) }] : colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), { tag: ref.slice(colon + 1) }] : [ref, { tag: 'latest' }];
  return ['--set', `${prefix}.repository=${repository}`, ...('digest' in version ? ['--set', `${prefix}.digest=${version.digest}`] : ['--set', `${prefix}.tag=${version.tag}`])];
}
