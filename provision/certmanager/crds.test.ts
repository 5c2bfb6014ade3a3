import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { CERT_MANAGER_CRD_NAMES, certManagerChart, certManagerCrds, CertManagerSourceError, crdLayout, renderTemplatedCrd } from './crds.ts';

const MOD_CACHE = process.env.GOMODCACHE ?? '/root/go/pkg/mod';
const moduleDir = (v: string) => join(MOD_CACHE, 'github.com/cert-manager/cert-manager@' + v);
/** Must run for real here: the acceptance asked for at least these two. */
const REQUIRED = ['v1.14.7', 'v1.21.1'];
/** Exercised too when their module dirs are present. */
const OPTIONAL = ['v1.15.5', 'v1.16.5', 'v1.19.5', 'v1.20.3'];

const scratch = mkdtempSync(join(tmpdir(), 'cm-crds-'));
/** Parsing ~1 MB of CRDs takes seconds on a loaded 2-core machine. */
const SLOW = 120_000;
const rendered = new Map<string, string>();
const crdsOf = (version: string) => {
  if (!rendered.has(version)) rendered.set(version, certManagerCrds(moduleDir(version), version));
  return rendered.get(version)!;
};
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function haveModule(version: string): boolean {
  if (existsSync(moduleDir(version))) return true;
  console.warn(`skipped ${version}: ${moduleDir(version)} absent (go mod download github.com/cert-manager/cert-manager@${version})`);
  return false;
}

const TEMPLATED = `# {{- include "cert-manager.crd-check" . }}
# START crd {{- if or .Values.crds.enabled .Values.installCRDs }}
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: issuers.cert-manager.io
  # START annotations {{- if .Values.crds.keep }}
  annotations:
    helm.sh/resource-policy: keep
  # END annotations {{- end }}
  labels:
    app: '{{ template "cert-manager.name" . }}'
    app.kubernetes.io/name: '{{ template "cert-manager.name" . }}'
    app.kubernetes.io/instance: "{{ .Release.Name }}"
    app.kubernetes.io/component: "crds"
    # Generated labels {{- include "labels" . | nindent 4 }}
spec:
  group: cert-manager.io
# END crd {{- end }}
`;

describe('renderTemplatedCrd', () => {
  it('renders the Helm directives the way the static release manifest has them', () => {
    const out = renderTemplatedCrd(TEMPLATED, 'v1.16.5');
    expect(out).not.toContain('{{');
    expect(parse(out)).toEqual({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: {
        name: 'issuers.cert-manager.io',
        annotations: { 'helm.sh/resource-policy': 'keep' },
        labels: {
          app: 'cert-manager',
          'app.kubernetes.io/name': 'cert-manager',
          'app.kubernetes.io/instance': 'cert-manager',
          'app.kubernetes.io/component': 'crds',
          'app.kubernetes.io/version': 'v1.16.5',
        },
      },
      spec: { group: 'cert-manager.io' },
    });
  });

  it('refuses a directive it does not know instead of emitting it', () => {
    expect(() => renderTemplatedCrd('metadata:\n  name: {{ .Values.x }}\n', 'v1.16.5', 'f.yaml')).toThrow(CertManagerSourceError);
    expect(() => renderTemplatedCrd('metadata:\n  name: {{ .Values.x }}\n', 'v1.16.5', 'f.yaml')).toThrow(/f\.yaml: unrecognised Helm directive/);
  });
});

describe.each([...REQUIRED, ...OPTIONAL])('cert-manager %s from the module cache', (version) => {
  const required = REQUIRED.includes(version);

  it('certManagerCrds yields the six CRDs, plain, labelled, apply-able', (ctx) => {
    if (!existsSync(moduleDir(version))) {
      if (required) throw new Error(`${moduleDir(version)} is required here: go mod download github.com/cert-manager/cert-manager@${version}`);
      haveModule(version);
      ctx.skip();
    }
    const yamlText = crdsOf(version);
    expect(yamlText).not.toContain('{{');
    const docs = parseAllDocuments(yamlText);
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    const objs = docs.map((d) => d.toJS()) as Array<{ apiVersion: string; kind: string; metadata: { name: string; labels: Record<string, string> }; spec: { versions: Array<{ name: string; served: boolean; storage: boolean }> } }>;
    expect(objs.map((o) => o.metadata.name)).toEqual([...CERT_MANAGER_CRD_NAMES].sort());
    for (const o of objs) {
      expect(o.apiVersion).toBe('apiextensions.k8s.io/v1');
      expect(o.kind).toBe('CustomResourceDefinition');
      expect(o.metadata.labels).toMatchObject({
        app: 'cert-manager',
        'app.kubernetes.io/name': 'cert-manager',
        'app.kubernetes.io/instance': 'cert-manager',
        'app.kubernetes.io/version': version,
      });
      expect(o.spec.versions.filter((v) => v.storage).map((v) => v.name)).toEqual(['v1']);
    }
  }, SLOW);

  it('keeps the CRD bodies identical to the source (only metadata is touched)', (ctx) => {
    if (!existsSync(moduleDir(version))) {
      if (required) throw new Error(`${moduleDir(version)} is required here`);
      ctx.skip();
    }
    const { layout, files } = crdLayout(moduleDir(version));
    expect(layout).toBe(Number(version.split('.')[1]) >= 19 ? 'plain' : 'templated');
    const bodies = new Map(
      parseAllDocuments(crdsOf(version)).map((d) => {
        const o = d.toJS() as { metadata: { name: string }; spec: unknown };
        return [o.metadata.name, o.spec] as const;
      }),
    );
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const src = parse(layout === 'templated' ? renderTemplatedCrd(text, version) : text) as { metadata: { name: string }; spec: unknown };
      expect(bodies.get(src.metadata.name), file).toEqual(src.spec);
    }
  }, SLOW);

  it('certManagerChart assembles a Helm chart directory', (ctx) => {
    if (!existsSync(moduleDir(version))) {
      if (required) throw new Error(`${moduleDir(version)} is required here`);
      ctx.skip();
    }
    const dest = certManagerChart(moduleDir(version), version, join(scratch, `chart-${version}`));
    const chart = parse(readFileSync(join(dest, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    expect(chart).toMatchObject({ name: 'cert-manager', version, appVersion: version });
    expect(['v1', 'v2']).toContain(chart.apiVersion);
    expect(readFileSync(join(dest, 'Chart.yaml'), 'utf8')).not.toContain('{{');
    expect(existsSync(join(dest, 'Chart.template.yaml'))).toBe(false);
    expect(existsSync(join(dest, 'values.yaml'))).toBe(true);
    const templates = readdirSync(join(dest, 'templates'));
    expect(templates).toContain('deployment.yaml');
    if (Number(version.split('.')[1]) < 19) {
      // The release build concatenates deploy/crds into templates/crds.yaml for these.
      const crds = readFileSync(join(dest, 'templates', 'crds.yaml'), 'utf8');
      expect(crds.match(/^kind: CustomResourceDefinition$/gm)).toHaveLength(6);
    } else {
      expect(templates.filter((t) => t.startsWith('crd-'))).toHaveLength(6);
    }
  }, SLOW);
});

describe('source layout errors', () => {
  it('says what is wrong with a directory that is not the root module', () => {
    expect(() => certManagerCrds(scratch, 'v1.16.5')).toThrow(/deploy\/crds does not exist/);
  });
});
