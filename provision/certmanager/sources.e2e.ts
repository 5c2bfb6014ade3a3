// The real root module of every pinned cert-manager release, from the Go module proxy: the CRDs and chart the
// provisioner assembles from it, and the launcher's pinned tables against its go.mod and sources.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { dropGoCaches, moduleCache } from '../go.ts';
import { loadPins } from '../pins.ts';
import { CERT_MANAGER_CRD_NAMES, certManagerChart, certManagerCrds, crdLayout, renderTemplatedCrd } from './crds.ts';
import { parseRootGoMod, PINNED_ROOT_GO_MODS, VAULT_CONTROLLERS } from './wrapper.ts';

const MODULE = 'github.com/cert-manager/cert-manager';
const scratch = mkdtempSync(join(tmpdir(), 'cm-vault-e2e-cm-sources-'));
const caches = { GOMODCACHE: join(scratch, 'mod'), GOCACHE: join(scratch, 'build') };
const modules = moduleCache(caches);
afterAll(async () => {
  await dropGoCaches(caches);
  rmSync(scratch, { recursive: true, force: true });
});
const versions = (await loadPins()).certManager.map((c) => c.version);
/** Parsing ~1 MB of CRDs takes seconds on a loaded 2-core machine; the first download more. */
const SLOW = 300_000;

describe.each(versions)('cert-manager %s, root module from the proxy', (version) => {
  it('certManagerCrds yields the six CRDs, plain, labelled, with bodies identical to the source', async () => {
    const dir = await modules.moduleDir(MODULE, version);
    const text = certManagerCrds(dir, version);
    expect(text).not.toContain('{{');
    const docs = parseAllDocuments(text);
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    const objs = docs.map((d) => d.toJS()) as Array<{ apiVersion: string; kind: string; metadata: { name: string; labels: Record<string, string> }; spec: { versions: Array<{ name: string; storage: boolean }> } }>;
    expect(objs.map((o) => o.metadata.name)).toEqual([...CERT_MANAGER_CRD_NAMES].sort());
    for (const o of objs) {
      expect(o.apiVersion).toBe('apiextensions.k8s.io/v1');
      expect(o.kind).toBe('CustomResourceDefinition');
      expect(o.metadata.labels).toMatchObject({ app: 'cert-manager', 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/instance': 'cert-manager', 'app.kubernetes.io/version': version });
      expect(o.spec.versions.filter((v) => v.storage).map((v) => v.name)).toEqual(['v1']);
    }
    const { layout, files } = crdLayout(dir);
    expect(layout).toBe(Number(version.split('.')[1]) >= 19 ? 'plain' : 'templated');
    const bodies = new Map(objs.map((o) => [o.metadata.name, o.spec] as const));
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      const src = parse(layout === 'templated' ? renderTemplatedCrd(source, version) : source) as { metadata: { name: string }; spec: unknown };
      expect(bodies.get(src.metadata.name), file).toEqual(src.spec);
    }
  }, SLOW);

  it('certManagerChart assembles a Helm chart directory', async () => {
    const dir = await modules.moduleDir(MODULE, version);
    const dest = certManagerChart(dir, version, join(scratch, `chart-${version}`));
    const chart = parse(readFileSync(join(dest, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    expect(chart).toMatchObject({ name: 'cert-manager', version, appVersion: version });
    expect(existsSync(join(dest, 'values.yaml'))).toBe(true);
    const templates = readdirSync(join(dest, 'templates'));
    expect(templates).toContain('deployment.yaml');
    if (Number(version.split('.')[1]) < 19) expect(readFileSync(join(dest, 'templates', 'crds.yaml'), 'utf8').match(/^kind: CustomResourceDefinition$/gm)).toHaveLength(6);
    else expect(templates.filter((t) => t.startsWith('crd-'))).toHaveLength(6);
  }, SLOW);

  it('PINNED_ROOT_GO_MODS matches the root go.mod', async () => {
    expect(parseRootGoMod(await modules.goModOf(MODULE, version))).toEqual(PINNED_ROOT_GO_MODS[version]);
  }, SLOW);

  it('every default controller and the version variables exist in the source', async () => {
    const dir = await modules.moduleDir(MODULE, version);
    const sources = execFileSync('grep', ['-rhoE', '(CR)?ControllerName\\s*=\\s*"[a-z0-9-]+"', join(dir, 'pkg/controller')], { encoding: 'utf8' });
    const names = new Set([...sources.matchAll(/"([a-z0-9-]+)"/g)].map((m) => m[1]));
    for (const name of VAULT_CONTROLLERS) expect(names, `${name} at ${version}`).toContain(name);
    const versionGo = readFileSync(join(dir, 'pkg/util/version.go'), 'utf8');
    expect(versionGo).toMatch(/\bAppVersion\s*=/);
    expect(versionGo).toMatch(/\bAppGitCommit\s*=/);
  }, SLOW);
});
