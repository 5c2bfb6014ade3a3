import { execa } from 'execa';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { controllerImageRef, controllerImageSpec, helmValues, POST_RENDERER } from './certmanager.ts';

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

  it('the Helm post-renderer drops the webhook’s objects and CRDs and keeps the rest intact', async () => {
    const { stdout } = await execa(join(dir, 'render.mjs'), { input: RENDERED });
    const docs = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string } } | null).filter((d) => d !== null);
    expect(docs.map((d) => `${d!.kind}/${d!.metadata.name}`)).toEqual(['ServiceAccount/cert-manager', 'Deployment/cert-manager']);
  });

  it('the controller image is named as the chart expects and runs as a numeric non-root user', () => {
    expect(controllerImageRef('v1.21.1')).toBe('quay.io/jetstack/cert-manager-controller:v1.21.1');
    const spec = controllerImageSpec('v1.21.1', '/x/cert-manager-controller');
    expect(spec.user).toBe('1000');
    expect(spec.files[0]!.dest).toBe(spec.entrypoint[0]);
  });

  it('chart values: no cainjector or startupapicheck, never pull, the launcher serves /livez on 9403', () => {
    const v = helmValues('v1.16.5');
    expect(v).toEqual(expect.arrayContaining(['cainjector.enabled=false', 'startupapicheck.enabled=false', 'image.tag=v1.16.5', 'image.pullPolicy=Never']));
    expect(JSON.parse(v[v.indexOf('--set-json') + 1]!.replace(/^extraArgs=/, ''))).toEqual(['--internal-healthz-listen-address=0.0.0.0:9403']);
  });

});
