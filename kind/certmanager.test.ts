import { execa } from 'execa';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  CERT_MANAGER_COMPONENTS,
  controllerImageRef,
  controllerImageSpec,
  helmValues,
  imageSpec,
  isWebhookDenial,
  POST_RENDERER,
  webhookProbeIssuers,
} from './certmanager.ts';

const RENDERED = `---
# Source: cert-manager/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: cert-manager
  labels:
    app.kubernetes.io/component: "controller"
---
# Source: cert-manager/templates/webhook-deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cert-manager-webhook
  labels:
    app.kubernetes.io/component: "webhook"
---
# Source: cert-manager/templates/webhook-validating-webhook.yaml
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: cert-manager-webhook
---
# Source: cert-manager/templates/crds.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: issuers.cert-manager.io
---
# Source: cert-manager/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cert-manager
  labels:
    app.kubernetes.io/component: controller
`;

describe('cert-manager on kind', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cmve-post-render-'));
    await writeFile(join(dir, 'render.mjs'), POST_RENDERER);
    await chmod(join(dir, 'render.mjs'), 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the Helm post-renderer drops only the CRDs: the webhook’s objects stay, the rest intact', async () => {
    const { stdout } = await execa(join(dir, 'render.mjs'), { input: RENDERED });
    const docs = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string } } | null).filter((d) => d !== null);
    expect(docs.map((d) => `${d!.kind}/${d!.metadata.name}`)).toEqual([
      'ServiceAccount/cert-manager',
      'Deployment/cert-manager-webhook',
      'ValidatingWebhookConfiguration/cert-manager-webhook',
      'Deployment/cert-manager',
    ]);
  });

  it('controller, webhook and cainjector images are named as the chart expects, binary where upstream has it, numeric non-root user', () => {
    expect(controllerImageRef('v1.21.1')).toBe('quay.io/jetstack/cert-manager-controller:v1.21.1');
    expect(controllerImageSpec('v1.21.1', '/x/c')).toEqual(imageSpec('controller', 'v1.21.1', '/x/c'));
    const specs = CERT_MANAGER_COMPONENTS.map((c) => imageSpec(c, 'v1.14.7', `/x/cert-manager-${c}`));
    expect(specs.map((s) => [s.name, s.ref, s.entrypoint.join(' ')])).toEqual([
      ['cert-manager-controller', 'quay.io/jetstack/cert-manager-controller:v1.14.7', '/app/cmd/controller/controller'],
      ['cert-manager-webhook', 'quay.io/jetstack/cert-manager-webhook:v1.14.7', '/app/cmd/webhook/webhook'],
      ['cert-manager-cainjector', 'quay.io/jetstack/cert-manager-cainjector:v1.14.7', '/app/cmd/cainjector/cainjector'],
    ]);
    for (const s of specs) {
      expect(s.user).toBe('1000');
      expect(s.files).toEqual([{ src: `/x/${s.name}`, dest: s.entrypoint[0] }]);
    }
  });

  it('chart values: webhook and cainjector on, startupapicheck off, every image this version and never pulled, /livez on 9403, a client rate limit scenarios in parallel do not queue behind', () => {
    const v = helmValues('v1.16.5');
    const sets = v.filter((_, i) => v[i - 1] === '--set');
    expect(sets).toEqual([
      'cainjector.enabled=true',
      'startupapicheck.enabled=false',
      'image.tag=v1.16.5',
      'image.pullPolicy=Never',
      'webhook.image.tag=v1.16.5',
      'webhook.image.pullPolicy=Never',
      'cainjector.image.tag=v1.16.5',
      'cainjector.image.pullPolicy=Never',
      'webhook.readinessProbe.initialDelaySeconds=1',
      'webhook.readinessProbe.periodSeconds=1',
    ]);
    expect(v.some((x) => /webhook\.enabled=false/.test(x))).toBe(false);
    expect(JSON.parse(v[v.indexOf('--set-json') + 1]!.replace(/^extraArgs=/, ''))).toEqual(['--internal-healthz-listen-address=0.0.0.0:9403', '--kube-api-qps=1000', '--kube-api-burst=2000']);
  });

  it('the webhook probe: a valid and an invalid Issuer; only a denial by the webhook counts', () => {
    const { valid, invalid } = webhookProbeIssuers();
    expect(valid).toMatchObject({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', spec: { selfSigned: {} } });
    expect((invalid as { spec?: object }).spec).toEqual({});
    expect(isWebhookDenial('admission webhook "webhook.cert-manager.io" denied the request: spec: Required value: at least one issuer must be configured')).toBe(true);
    expect(isWebhookDenial('Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: Post "https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=30s": tls: failed to verify certificate')).toBe(false);
  });

});
