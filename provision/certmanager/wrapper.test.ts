import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BUNDLE_MODULE,
  certManagerBundle,
  certManagerWrapper,
  CertManagerWrapperError,
  COMMIT_VARIABLE,
  launcherRange,
  parseRootGoMod,
  PINNED_ROOT_GO_MODS,
  VAULT_CONTROLLERS,
  VERSION_VARIABLE,
} from './wrapper.ts';

const LAUNCHER = fileURLToPath(new URL('./launcher/', import.meta.url));

/** versions.yaml's pins. */
const PINS: Record<string, string> = {
  'v1.14.7': '636559655f1efa8eff236981edb950b4ef40b253',
  'v1.15.5': 'e8fdbe63fd94107a83d3c9f9c134f2d222ba9cff',
  'v1.16.5': 'd8611e2714de158a2e70e0fb11bfc61348a2c624',
  'v1.17.4': '3f1f3b101850152851e2c5be09a29866bb8c1e15',
  'v1.18.6': '4699caabb4212edfde601a4e1bd37a431d0b90c6',
  'v1.19.5': 'cda7b7896e70dafb2de66212028cf9997a5e9490',
  'v1.20.3': '1e1d16d1744e6d9c80e464e58e8d9ab1caed222b',
  'v1.21.1': '24e33194fb39488eff2bbf10c6dc640f407cad44',
  'v1.21.2': '',
};
const EXPECTED_RANGE: Record<string, string> = {
  'v1.14.7': 'v1.14',
  'v1.15.5': 'v1.15',
  'v1.16.5': 'v1.15',
  'v1.17.4': 'v1.17',
  'v1.18.6': 'v1.18',
  'v1.19.5': 'v1.19',
  'v1.20.3': 'v1.20',
  'v1.21.1': 'v1.21',
  'v1.21.2': 'v1.21',
};

const wrap = (version: string) => certManagerWrapper({ version, commit: PINS[version]!, binary: 'controller' });
const requireLines = (goMod: string) => goMod.split('\n').filter((l) => l.startsWith('require '));
const replaceLines = (goMod: string) => goMod.split('\n').filter((l) => l.startsWith('replace '));

describe('certManagerWrapper (controller)', () => {
  it.each(Object.keys(PINS))('%s: go.mod requires exactly the root module at the tag, under a cmvaulte2e module path', (version) => {
    const { goMod } = wrap(version);
    expect(goMod).toMatch(/^module github\.com\/cert-manager\/cert-manager\/cmvaulte2e-controller$/m);
    expect(requireLines(goMod)).toEqual([`require github.com/cert-manager/cert-manager ${version}`]);
    expect(goMod).toMatch(new RegExp(`^go ${PINNED_ROOT_GO_MODS[version]!.go.replaceAll('.', '\\.')}$`, 'm'));
    expect(goMod).toContain(PINS[version] || 'commit not known');
  });

  it('carries the root module replace lines of each tag, and only those', () => {
    expect(replaceLines(wrap('v1.14.7').goMod)).toEqual([]);
    expect(replaceLines(wrap('v1.15.5').goMod)).toEqual([
      'replace github.com/prometheus/common => github.com/prometheus/common v0.46.0',
      'replace github.com/prometheus/client_golang => github.com/prometheus/client_golang v1.18.0',
      'replace github.com/go-asn1-ber/asn1-ber => github.com/go-asn1-ber/asn1-ber v1.5.6',
    ]);
    expect(replaceLines(wrap('v1.16.5').goMod)).toEqual(['replace github.com/go-asn1-ber/asn1-ber => github.com/go-asn1-ber/asn1-ber v1.5.6']);
    expect(replaceLines(wrap('v1.19.5').goMod)).toEqual([]);
    expect(replaceLines(wrap('v1.20.3').goMod)).toEqual([]);
  });

  it('v1.21.1: stubs github.com/Venafi/vcert/v5 (not served by the proxy) with the local stub module', () => {
    const w = wrap('v1.21.1');
    expect(replaceLines(w.goMod)).toEqual(['replace github.com/Venafi/vcert/v5 => ./stubs/vcert']);
    expect(w.goMod).toMatch(/v5\.13\.7 is not served by the module proxy/);
    expect(w.files['stubs/vcert/go.mod']).toMatch(/^module github\.com\/Venafi\/vcert\/v5$/m);
    expect(Object.keys(w.files).filter((f) => f.startsWith('stubs/vcert/')).sort()).toEqual(
      [
        'stubs/vcert/go.mod',
        'stubs/vcert/pkg/certificate/certificate.go',
        'stubs/vcert/pkg/endpoint/endpoint.go',
        'stubs/vcert/pkg/util/util.go',
        'stubs/vcert/pkg/venafi/cloud/cloud.go',
        'stubs/vcert/pkg/venafi/ngts/ngts.go',
        'stubs/vcert/pkg/venafi/tpp/tpp.go',
        'stubs/vcert/pkg/verror/verror.go',
        'stubs/vcert/vcert.go',
      ].sort(),
    );
    for (const v of ['v1.14.7', 'v1.15.5', 'v1.16.5', 'v1.19.5', 'v1.20.3']) {
      expect(Object.keys(wrap(v).files).some((f) => f.startsWith('stubs/'))).toBe(false);
    }
  });

  it.each(Object.keys(PINS))('%s: picks main.go plus the compat.go of its release range', (version) => {
    const w = wrap(version);
    expect(launcherRange('controller', version)).toBe(EXPECTED_RANGE[version]);
    expect(w.mainPackage).toBe('.');
    expect(w.files['main.go']).toBe(readFileSync(join(LAUNCHER, 'controller/main.go'), 'utf8'));
    expect(w.files['compat.go']).toBe(readFileSync(join(LAUNCHER, `controller/ranges/${EXPECTED_RANGE[version]}/compat.go`), 'utf8'));
  });

  it.each(Object.keys(PINS))("%s: ldflags set cert-manager's own version variables", (version) => {
    // v1.21.2: no source here names its commit, so the git commit stays cert-manager's default (empty).
    const commit = PINS[version] ? [`-X=${COMMIT_VARIABLE}=${PINS[version]}`] : [];
    expect(wrap(version).ldflags).toEqual([`-X=${VERSION_VARIABLE}=${version}`, ...commit]);
  });

  it('maps release lines to ranges and refuses the ones no launcher covers', () => {
    expect(launcherRange('controller', 'v1.14.0')).toBe('v1.14');
    expect(launcherRange('controller', 'v1.16.99')).toBe('v1.15');
    expect(launcherRange('controller', 'v1.17.4')).toBe('v1.17');
    expect(launcherRange('controller', 'v1.18.2')).toBe('v1.18');
    expect(launcherRange('controller', 'v1.19.0')).toBe('v1.19');
    expect(launcherRange('webhook', 'v1.18.6')).toBe('v1.15');
    expect(launcherRange('cainjector', 'v1.17.4')).toBe('v1.16');
    expect(launcherRange('cainjector', 'v1.18.6')).toBe('v1.16');
    expect(launcherRange('controller', 'v1.20.0')).toBe('v1.20');
    expect(launcherRange('controller', 'v1.21.9')).toBe('v1.21');
    for (const v of ['v1.13.6', 'v1.22.0', 'v2.0.0']) {
      expect(() => launcherRange('controller', v)).toThrow(CertManagerWrapperError);
    }
    expect(() => launcherRange('webhook', 'v1.22.0')).toThrow(/no webhook launcher/);
    expect(() => launcherRange('cainjector', 'v1.13.0')).toThrow(/no cainjector launcher/);
  });

  it('rejects bad input', () => {
    expect(() => certManagerWrapper({ version: '1.16.5', commit: PINS['v1.16.5']!, binary: 'controller' })).toThrow(/release tag/);
    expect(() => certManagerWrapper({ version: 'v1.16.5', commit: 'd8611e2', binary: 'controller' })).toThrow(/40-hex/);
    expect(() => certManagerWrapper({ version: 'v1.16.4', commit: PINS['v1.16.5']!, binary: 'controller' })).toThrow(/pass its root go.mod/);
  });

  it('accepts an unpinned release given its root go.mod, and checks a pinned one against it', () => {
    const goMod = 'module github.com/cert-manager/cert-manager\n\ngo 1.23.1\n\nreplace (\n\tgithub.com/a/b => github.com/a/b v1.0.0 // why\n)\n';
    const w = certManagerWrapper({ version: 'v1.16.4', commit: PINS['v1.16.5']!, binary: 'controller', rootGoMod: goMod });
    expect(w.goMod).toMatch(/^go 1\.23\.1$/m);
    expect(replaceLines(w.goMod)).toEqual(['replace github.com/a/b => github.com/a/b v1.0.0']);
    expect(() => certManagerWrapper({ version: 'v1.16.5', commit: PINS['v1.16.5']!, binary: 'controller', rootGoMod: goMod })).toThrow(
      /does not match the pinned table/,
    );
  });

  it('parseRootGoMod reads the go directive and single and block replaces', () => {
    const parsed = parseRootGoMod(
      [
        'module x',
        'go 1.22.0 // lang',
        'toolchain go1.22.4',
        '// replace commented => out v1',
        'replace a => b v1.0.0',
        'replace (',
        '  c  =>  d v2.0.0',
        '  e v1.0.0 => ../e',
        ')',
        'require (',
        '  f v1.0.0',
        ')',
      ].join('\n'),
    );
    expect(parsed).toEqual({ go: '1.22.0', replaces: ['a => b v1.0.0', 'c => d v2.0.0', 'e v1.0.0 => ../e'] });
    expect(() => parseRootGoMod('module x\n')).toThrow(/no go directive/);
  });
});

describe('pinned table and launcher sources (against the real root modules: sources.e2e.ts)', () => {
  it("main.go's default controllers are VAULT_CONTROLLERS", () => {
    const main = readFileSync(join(LAUNCHER, 'controller/main.go'), 'utf8');
    const block = /var vaultControllers = \[\]string\{([^}]*)\}/.exec(main)?.[1] ?? '';
    expect([...block.matchAll(/"([^"]+)"/g)].map((m) => m[1])).toEqual([...VAULT_CONTROLLERS]);
  });

  it('every range file defines the same compat functions', () => {
    const names = ['validateConfig', 'extendContextOptions', 'gatewayInformersEnabled', 'gatewayControllers', 'namespacedDisabledControllers', 'beforeRun', 'setupMetricsCollectors', 'runController', 'shutdownInformers'];
    const ranges = readdirSync(join(LAUNCHER, 'controller/ranges'));
    expect(ranges.sort()).toEqual(['v1.14', 'v1.15', 'v1.17', 'v1.18', 'v1.19', 'v1.20', 'v1.21']);
    for (const r of ranges) {
      const src = readFileSync(join(LAUNCHER, 'controller/ranges', r, 'compat.go'), 'utf8');
      for (const fn of names) expect(src, `${r} ${fn}`).toMatch(new RegExp(`^func ${fn}\\(`, 'm'));
      expect(src).toMatch(/impliedDefaultControllers\s*=/);
      expect(src).toMatch(/disabledRemovedLast\s*=/);
      expect(src).toMatch(/clusterScopedSkippedAtRun\s*=/);
    }
  });

  it('the vcert stub manifest lists exactly the files of the stub module', () => {
    const root = join(LAUNCHER, 'stubs/vcert');
    const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [relative(root, join(d, f))]));
    const manifest = readFileSync(join(root, 'FILES'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(walk(root).filter((f) => f !== 'FILES').sort()).toEqual(manifest.sort());
  });

  it('launcher Go sources are gofmt-clean', (ctx) => {
    let gofmt: string;
    try {
      gofmt = execFileSync('gofmt', ['-l', LAUNCHER], { encoding: 'utf8' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        console.warn('skipped: gofmt not on PATH');
        ctx.skip();
      }
      throw e;
    }
    expect(gofmt.trim()).toBe('');
  });
});

const WEBHOOK_RANGE: Record<string, string> = { 'v1.14.7': 'v1.14', 'v1.15.5': 'v1.15', 'v1.16.5': 'v1.15', 'v1.17.4': 'v1.15', 'v1.18.6': 'v1.15', 'v1.19.5': 'v1.15', 'v1.20.3': 'v1.15', 'v1.21.1': 'v1.15', 'v1.21.2': 'v1.15' };
const CAINJECTOR_RANGE: Record<string, string> = { 'v1.14.7': 'v1.14', 'v1.15.5': 'v1.15', 'v1.16.5': 'v1.16', 'v1.17.4': 'v1.16', 'v1.18.6': 'v1.16', 'v1.19.5': 'v1.16', 'v1.20.3': 'v1.16', 'v1.21.1': 'v1.21', 'v1.21.2': 'v1.21' };
const commitFlags = (version: string) => (PINS[version] ? [`-X=${COMMIT_VARIABLE}=${PINS[version]}`] : []);
const RANGE_OF = { controller: EXPECTED_RANGE, webhook: WEBHOOK_RANGE, cainjector: CAINJECTOR_RANGE } as const;

describe('certManagerWrapper (webhook, cainjector)', () => {
  it.each(Object.keys(PINS).flatMap((v) => (['webhook', 'cainjector'] as const).map((b) => [v, b] as const)))(
    '%s %s: own module path, own launcher files, the root module replaces, no stub',
    (version, binary) => {
      const w = certManagerWrapper({ version, commit: PINS[version]!, binary });
      expect(launcherRange(binary, version)).toBe(RANGE_OF[binary][version]);
      expect(w.goMod).toMatch(new RegExp(`^module github\\.com/cert-manager/cert-manager/cmvaulte2e-${binary}$`, 'm'));
      expect(requireLines(w.goMod)).toEqual([`require github.com/cert-manager/cert-manager ${version}`]);
      expect(replaceLines(w.goMod)).toEqual(PINNED_ROOT_GO_MODS[version]!.replaces.map((r) => `replace ${r}`));
      expect(Object.keys(w.files).sort()).toEqual(['compat.go', 'main.go']);
      expect(w.files['main.go']).toBe(readFileSync(join(LAUNCHER, `${binary}/main.go`), 'utf8'));
      expect(w.files['compat.go']).toBe(readFileSync(join(LAUNCHER, `${binary}/ranges/${RANGE_OF[binary][version]}/compat.go`), 'utf8'));
      expect(w.ldflags).toEqual([`-X=${VERSION_VARIABLE}=${version}`, ...commitFlags(version)]);
    },
  );

  it('every webhook and cainjector range file defines the same compat functions, and each is used', () => {
    const expected = {
      webhook: { ranges: ['v1.14', 'v1.15'], fns: ['validateConfig'] },
      cainjector: { ranges: ['v1.14', 'v1.15', 'v1.16', 'v1.21'], fns: ['launcherDefaults', 'addReleaseFlags', 'metricsBindAddress', 'clientOptions', 'setupOptions', 'validateConfig'] },
    };
    for (const [binary, { ranges, fns }] of Object.entries(expected)) {
      expect(readdirSync(join(LAUNCHER, binary, 'ranges')).sort()).toEqual(ranges);
      const used = new Set(Object.values(RANGE_OF[binary as 'webhook' | 'cainjector']));
      expect([...used].sort()).toEqual(ranges);
      const main = readFileSync(join(LAUNCHER, binary, 'main.go'), 'utf8');
      for (const r of ranges) {
        const src = readFileSync(join(LAUNCHER, binary, 'ranges', r, 'compat.go'), 'utf8');
        for (const fn of fns) {
          expect(src, `${binary} ${r} ${fn}`).toMatch(new RegExp(`^func ${fn}\\(`, 'm'));
          expect(main, `${binary} main.go calls ${fn}`).toMatch(new RegExp(`\\b${fn}\\(`));
        }
      }
    }
  });
});

describe('certManagerBundle (what the provisioner builds)', () => {
  const bundle = (version: string) => certManagerBundle({ version, commit: PINS[version]! });

  it.each(Object.keys(PINS))('%s: one module, a package directory per component, named as its binary', (version) => {
    const b = bundle(version);
    expect(b.goMod).toMatch(new RegExp(`^module ${BUNDLE_MODULE.replaceAll('.', '\\.')}$`, 'm'));
    expect(BUNDLE_MODULE).toBe('github.com/cert-manager/cert-manager/cmvaulte2e');
    expect(requireLines(b.goMod)).toEqual([`require github.com/cert-manager/cert-manager ${version}`]);
    expect(b.goMod).toMatch(new RegExp(`^go ${PINNED_ROOT_GO_MODS[version]!.go.replaceAll('.', '\\.')}$`, 'm'));
    expect(b.binaries).toEqual([
      { binary: 'controller', name: 'cert-manager-controller', pkg: './cert-manager-controller' },
      { binary: 'webhook', name: 'cert-manager-webhook', pkg: './cert-manager-webhook' },
      { binary: 'cainjector', name: 'cert-manager-cainjector', pkg: './cert-manager-cainjector' },
    ]);
    for (const binary of ['controller', 'webhook', 'cainjector'] as const) {
      expect(b.files[`cert-manager-${binary}/main.go`]).toBe(readFileSync(join(LAUNCHER, `${binary}/main.go`), 'utf8'));
      expect(b.files[`cert-manager-${binary}/compat.go`]).toBe(readFileSync(join(LAUNCHER, `${binary}/ranges/${RANGE_OF[binary][version]}/compat.go`), 'utf8'));
      expect(b.goMod).toContain(`${binary} (launcher/${binary}/, compat range ${RANGE_OF[binary][version]})`);
    }
    expect(b.ldflags).toEqual(wrap(version).ldflags);
    // the same replaces (and the same stub) as the controller's own module
    expect(replaceLines(b.goMod)).toEqual(replaceLines(wrap(version).goMod));
    const stubs = (files: Record<string, string>) => Object.keys(files).filter((f) => f.startsWith('stubs/')).sort();
    expect(stubs(b.files)).toEqual(stubs(wrap(version).files));
    expect(Object.keys(b.files).filter((f) => !f.startsWith('stubs/')).length).toBe(6);
  });

  it('without the controller, v1.21 needs no vcert stub; a component named twice is refused', () => {
    const b = certManagerBundle({ version: 'v1.21.1', commit: PINS['v1.21.1']!, binaries: ['webhook', 'cainjector'] });
    expect(replaceLines(b.goMod)).toEqual([]);
    expect(Object.keys(b.files).sort()).toEqual(['cert-manager-cainjector/compat.go', 'cert-manager-cainjector/main.go', 'cert-manager-webhook/compat.go', 'cert-manager-webhook/main.go']);
    expect(() => certManagerBundle({ version: 'v1.21.1', commit: PINS['v1.21.1']!, binaries: ['webhook', 'webhook'] })).toThrow(/once/);
    expect(() => certManagerBundle({ version: 'v1.22.0', commit: PINS['v1.21.1']!, binaries: ['webhook'] })).toThrow(/no webhook launcher/);
  });
});
