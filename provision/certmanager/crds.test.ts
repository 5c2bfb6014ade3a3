import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { CERT_MANAGER_CRD_NAMES, certManagerChart, certManagerCrds, CertManagerSourceError, crdLayout, renderTemplatedCrd } from './crds.ts';


const scratch = mkdtempSync(join(tmpdir(), 'cm-crds-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

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

// Two synthetic root modules, one per CRD layout, so the assembly runs without the network or the module cache
// (the real modules of every pinned release are checked in sources.e2e.ts).
const GROUP_OF: Record<string, string> = { challenges: 'acme.cert-manager.io', orders: 'acme.cert-manager.io' };
const PLURALS = ['certificaterequests', 'certificates', 'challenges', 'clusterissuers', 'issuers', 'orders'];
const crdBody = (plural: string) => {
  const group = GROUP_OF[plural] ?? 'cert-manager.io';
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.${group}
spec:
  group: ${group}
  names: { plural: ${plural}, kind: K${plural} }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`;
};
function fixtureModule(layout: 'templated' | 'plain'): string {
  const root = join(scratch, `module-${layout}`);
  const crds = join(root, 'deploy', 'crds');
  const chart = join(root, 'deploy', 'charts', 'cert-manager');
  mkdirSync(crds, { recursive: true });
  mkdirSync(join(chart, 'templates'), { recursive: true });
  for (const plural of PLURALS) {
    if (layout === 'templated') {
      const [head, ...rest] = crdBody(plural).split('\nspec:');
      const labelled = head!.replace('metadata:\n  name:', 'metadata:\n  labels:\n    app: \'{{ template "cert-manager.name" . }}\'\n    app.kubernetes.io/instance: "{{ .Release.Name }}"\n    # Generated labels {{- include "labels" . | nindent 4 }}\n  name:');
      writeFileSync(join(crds, `crd-${plural}.yaml`), `# START crd {{- if .Values.crds.enabled }}\n${labelled}\nspec:${rest.join('\nspec:')}# END crd {{- end }}\n`);
    } else {
      writeFileSync(join(crds, `${GROUP_OF[plural] ?? 'cert-manager.io'}_${plural}.yaml`), crdBody(plural));
      writeFileSync(join(chart, 'templates', `crd-${plural}.yaml`), '# the chart templates its own CRDs from v1.19\n');
    }
  }
  writeFileSync(join(chart, 'Chart.template.yaml'), 'apiVersion: v2\nname: cert-manager\nversion: v0.0.0\nappVersion: v0.0.0\nannotations:\n  artifacthub.io/prerelease: "{{IS_PRERELEASE}}"\n');
  writeFileSync(join(chart, 'README.template.md'), '# cert-manager {{RELEASE_VERSION}}\n');
  writeFileSync(join(chart, 'values.yaml'), 'crds: { enabled: false }\n');
  writeFileSync(join(chart, 'templates', 'deployment.yaml'), 'kind: Deployment\n');
  return root;
}

describe.each([
  ['templated', 'v1.16.5'],
  ['plain', 'v1.21.1'],
] as const)('a %s root module (%s)', (layout, version) => {
  const dir = fixtureModule(layout);

  it('certManagerCrds yields the six CRDs, plain, labelled, bodies untouched', () => {
    expect(crdLayout(dir).layout).toBe(layout);
    const text = certManagerCrds(dir, version);
    expect(text).not.toContain('{{');
    const objs = parseAllDocuments(text).map((d) => d.toJS()) as Array<{ metadata: { name: string; labels: Record<string, string> }; spec: unknown }>;
    expect(objs.map((o) => o.metadata.name)).toEqual([...CERT_MANAGER_CRD_NAMES].sort());
    for (const o of objs) {
      expect(o.metadata.labels).toMatchObject({ app: 'cert-manager', 'app.kubernetes.io/instance': 'cert-manager', 'app.kubernetes.io/version': version });
      const plural = o.metadata.name.split('.')[0]!;
      expect(o.spec).toEqual((parse(crdBody(plural)) as { spec: unknown }).spec);
    }
  });

  it('certManagerChart sets the version, renders the README and carries the CRDs', () => {
    const dest = certManagerChart(dir, version, join(scratch, `chart-${layout}`));
    expect(parse(readFileSync(join(dest, 'Chart.yaml'), 'utf8'))).toMatchObject({ name: 'cert-manager', version, appVersion: version, annotations: { 'artifacthub.io/prerelease': 'false' } });
    expect(existsSync(join(dest, 'Chart.template.yaml'))).toBe(false);
    expect(readFileSync(join(dest, 'README.md'), 'utf8')).toContain(version);
    const templates = readdirSync(join(dest, 'templates'));
    if (layout === 'templated') expect(readFileSync(join(dest, 'templates', 'crds.yaml'), 'utf8').match(/^kind: CustomResourceDefinition$/gm)).toHaveLength(6);
    else expect(templates.filter((t) => t.startsWith('crd-'))).toHaveLength(6);
  });
});

describe('source layout errors', () => {
  it('says what is wrong with a directory that is not the root module', () => {
    expect(() => certManagerCrds(scratch, 'v1.16.5')).toThrow(/deploy\/crds does not exist/);
  });
});
