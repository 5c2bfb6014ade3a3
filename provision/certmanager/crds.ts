/**
 * cert-manager's CRDs and Helm chart, taken from the root module's source at a release
 * (the module proxy's zip, e.g. /root/go/pkg/mod/github.com/cert-manager/cert-manager@v1.16.5).
 *
 * - v1.14–v1.18 keep `deploy/crds/crd-<plural>.yaml` as Helm templates: `{{- if … }}`/`{{- end }}`
 *   hidden in comment lines and templated label values. They are rendered the way cert-manager's
 *   release renders its static cert-manager.crds.yaml (`helm template --set crds.enabled=true
 *   --set creator=static`, release name cert-manager): app/name/instance labels = cert-manager,
 *   app.kubernetes.io/version = the release, the `helm.sh/resource-policy: keep` annotation kept
 *   (crds.keep defaults to true).
 * - v1.19+ keep plain controller-gen output in `deploy/crds/<group>_<plural>.yaml`; the same labels
 *   are added so every release yields the same shape.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, parseAllDocuments, parseDocument, type Document } from 'yaml';

export class CertManagerSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertManagerSourceError';
  }
}

/** The CRDs every supported cert-manager release ships. */
export const CERT_MANAGER_CRD_NAMES = [
  'certificaterequests.cert-manager.io',
  'certificates.cert-manager.io',
  'challenges.acme.cert-manager.io',
  'clusterissuers.cert-manager.io',
  'issuers.cert-manager.io',
  'orders.acme.cert-manager.io',
] as const;

const RELEASE_NAME = 'cert-manager';

function crdLabels(version: string, withComponent: boolean): Record<string, string> {
  return {
    app: 'cert-manager',
    'app.kubernetes.io/name': 'cert-manager',
    'app.kubernetes.io/instance': RELEASE_NAME,
    ...(withComponent ? { 'app.kubernetes.io/component': 'crds' } : {}),
    'app.kubernetes.io/version': version,
  };
}

/** Renders one Helm-templated CRD file of v1.14–v1.18 into plain YAML text. */
export function renderTemplatedCrd(text: string, version: string, file = 'crd'): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('{{')) {
      out.push(line);
      continue;
    }
    const indent = /^(\s*)/.exec(line)![1]!;
    const body = line.trim();
    // Control lines live in comments: `# START crd {{- if … }}`, `# END crd {{- end }}`,
    // `# START annotations {{- if .Values.crds.keep }}`, `# {{- include "cert-manager.crd-check" . }}`.
    if (/^#\s*(START|END)\b/.test(body) || /^#\s*\{\{-?\s*include "cert-manager\.crd-check"/.test(body)) continue;
    // `# Generated labels {{- include "labels" . | nindent 4 }}` → the "labels" helper with creator=static.
    if (/^#\s*Generated labels\s*\{\{-?\s*include "labels"/.test(body)) {
      out.push(`${indent}app.kubernetes.io/version: "${version}"`);
      continue;
    }
    const rendered = line
      .replace(/(["'])\{\{\s*template "cert-manager\.name" \.\s*\}\}\1/g, 'cert-manager')
      .replace(/(["'])\{\{\s*\.Release\.Name\s*\}\}\1/g, RELEASE_NAME);
    if (rendered.includes('{{')) {
      throw new CertManagerSourceError(`${file}: unrecognised Helm directive in CRD template: ${body}`);
    }
    out.push(rendered);
  }
  return out.join('\n');
}

function assertCrd(doc: Document, where: string): string {
  if (doc.errors.length) throw new CertManagerSourceError(`${where}: YAML does not parse: ${doc.errors[0]!.message}`);
  const obj = doc.toJS() as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown }; spec?: { group?: unknown } } | null;
  if (!obj || obj.kind !== 'CustomResourceDefinition' || obj.apiVersion !== 'apiextensions.k8s.io/v1') {
    throw new CertManagerSourceError(`${where}: not an apiextensions.k8s.io/v1 CustomResourceDefinition (kind ${String(obj?.kind)})`);
  }
  if (typeof obj.metadata?.name !== 'string' || typeof obj.spec?.group !== 'string') {
    throw new CertManagerSourceError(`${where}: CustomResourceDefinition without metadata.name or spec.group`);
  }
  return obj.metadata.name;
}

/** Which layout a module dir uses: 'templated' (crd-*.yaml, v1.14–v1.18) or 'plain' (v1.19+). */
export function crdLayout(moduleDir: string): { layout: 'templated' | 'plain'; files: string[] } {
  const dir = join(moduleDir, 'deploy', 'crds');
  if (!existsSync(dir)) throw new CertManagerSourceError(`${dir} does not exist: is ${moduleDir} the root of github.com/cert-manager/cert-manager?`);
  const yamls = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  const templated = yamls.filter((f) => f.startsWith('crd-'));
  const plain = yamls.filter((f) => /^[a-z0-9.-]+_[a-z0-9]+\.yaml$/.test(f));
  if (templated.length && !plain.length) return { layout: 'templated', files: templated.map((f) => join(dir, f)) };
  if (plain.length && !templated.length) return { layout: 'plain', files: plain.map((f) => join(dir, f)) };
  throw new CertManagerSourceError(`${dir}: expected either crd-*.yaml or <group>_<plural>.yaml files, found ${yamls.join(', ') || 'none'}`);
}

/**
 * All cert-manager CRDs of the release in `moduleDir` as one apply-able multi-document YAML
 * (sorted by CRD name), each document checked to be a CustomResourceDefinition.
 */
export function certManagerCrds(moduleDir: string, version: string): string {
  const { layout, files } = crdLayout(moduleDir);
  const docs: { name: string; text: string }[] = [];
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const text = layout === 'templated' ? renderTemplatedCrd(source, version, file) : source;
    const parsed = parseAllDocuments(text).filter((d) => d.contents !== null);
    for (const doc of parsed) {
      const name = assertCrd(doc, file);
      const metadata = doc.get('metadata');
      if (!isMap(metadata)) throw new CertManagerSourceError(`${file}: metadata is not a mapping`);
      if (layout === 'plain') {
        const labels = crdLabels(version, true);
        const existing = metadata.get('labels');
        if (existing && !isMap(existing)) throw new CertManagerSourceError(`${file}: metadata.labels is not a mapping`);
        for (const [k, v] of Object.entries(labels)) doc.setIn(['metadata', 'labels', k], v);
      }
      docs.push({ name, text: doc.toString({ lineWidth: 0 }) });
    }
  }
  docs.sort((a, b) => a.name.localeCompare(b.name));
  const names = docs.map((d) => d.name);
  const missing = CERT_MANAGER_CRD_NAMES.filter((n) => !names.includes(n));
  if (missing.length) throw new CertManagerSourceError(`${moduleDir}: CRDs missing: ${missing.join(', ')}`);
  if (new Set(names).size !== names.length) throw new CertManagerSourceError(`${moduleDir}: duplicate CRDs: ${names.join(', ')}`);
  const out = docs.map((d) => `---\n${d.text.replace(/^---\n/, '').trimEnd()}\n`).join('');
  // Round-trip check: what we emit is exactly the CRDs we validated.
  const reparsed = parseAllDocuments(out);
  if (reparsed.length !== docs.length || reparsed.some((d, i) => assertCrd(d, `output #${i}`) !== docs[i]!.name)) {
    throw new CertManagerSourceError(`${moduleDir}: rendered CRD YAML does not round-trip`);
  }
  return out;
}

/**
 * Copies the release's Helm chart (`deploy/charts/cert-manager`) to `dest`, the way cert-manager's
 * release assembles it: Chart.yaml (from Chart.template.yaml before v1.21) gets version/appVersion,
 * README.md is rendered, and where the chart does not template the CRDs itself (v1.14–v1.18)
 * templates/crds.yaml is the concatenation of deploy/crds/crd-*.yaml (cert-manager's
 * hack/concat-yaml.sh). Returns `dest`.
 */
export function certManagerChart(moduleDir: string, version: string, dest: string): string {
  const src = join(moduleDir, 'deploy', 'charts', 'cert-manager');
  if (!existsSync(src)) throw new CertManagerSourceError(`${src} does not exist`);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  cpSync(src, dest, { recursive: true });

  const template = join(dest, 'Chart.template.yaml');
  const chartFile = join(dest, 'Chart.yaml');
  if (existsSync(template)) renameSync(template, chartFile);
  if (!existsSync(chartFile)) throw new CertManagerSourceError(`${src}: neither Chart.yaml nor Chart.template.yaml`);
  const chart = parseDocument(readFileSync(chartFile, 'utf8').replaceAll('{{IS_PRERELEASE}}', 'false'));
  if (chart.errors.length) throw new CertManagerSourceError(`${chartFile}: ${chart.errors[0]!.message}`);
  chart.set('version', version);
  chart.set('appVersion', version);
  if (chart.hasIn(['annotations', 'artifacthub.io/prerelease'])) chart.setIn(['annotations', 'artifacthub.io/prerelease'], 'false');
  writeFileSync(chartFile, chart.toString({ lineWidth: 0 }));

  const readme = join(dest, 'README.template.md');
  if (existsSync(readme)) {
    writeFileSync(join(dest, 'README.md'), readFileSync(readme, 'utf8').replaceAll('{{RELEASE_VERSION}}', version));
    rmSync(readme);
  }

  const templates = join(dest, 'templates');
  const chartTemplatesCrds = readdirSync(templates).some((f) => f.startsWith('crd-') || f === 'crds.yaml');
  if (!chartTemplatesCrds) {
    const { layout, files } = crdLayout(moduleDir);
    if (layout !== 'templated') {
      throw new CertManagerSourceError(`${src}: the chart has no CRD templates and deploy/crds is not Helm-templated`);
    }
    writeFileSync(join(templates, 'crds.yaml'), files.map((f) => readFileSync(f, 'utf8').trimEnd()).join('\n---\n') + '\n');
  }
  return dest;
}
