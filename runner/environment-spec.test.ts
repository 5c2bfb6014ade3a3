import { execa } from 'execa';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testTempDir } from '../lib/test-temp.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { GO_RUNTIME_DEFAULTS, GO_RUNTIME_TUNED, goRuntimeNote, type GoRuntime } from '../lib/go-runtime.ts';
import { binaryPath } from '../provision/artifacts.ts';
import { cacheLayout } from '../provision/cache.ts';
import { loadPlans } from '../scenarios/plan.ts';
import { loadVersions } from '../scenarios/versions.ts';
import { certManagerController, environmentSpec, planEnvironments, reuseKey } from './environment-spec.ts';

const OVERRIDE = 'CM_VAULT_E2E_BIN_CERT_MANAGER_CONTROLLER';

/** A cache with the controllers of `versions` provisioned (empty files; only their paths matter here). */
async function cacheWith(versions: string[]) {
  const root = testTempDir('cmve-spec-');
  const layout = cacheLayout(root);
  const artifacts: Record<string, unknown> = {};
  for (const v of versions) {
    const path = join(layout.artifact('cert-manager-controller', v), 'cert-manager-controller');
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, '');
    artifacts[`cert-manager-controller@${v}`] = { name: 'cert-manager-controller', version: v, binaries: [{ name: 'cert-manager-controller', path }] };
  }
  await writeFile(layout.manifest, JSON.stringify({ schema: 1, artifacts }));
  return { layout, path: (v: string) => join(layout.artifact('cert-manager-controller', v), 'cert-manager-controller') };
}

const upgrade = () => loadPlans().find((p) => p.certManager.upgrade)!;

describe('a candidate cert-manager controller in an upgrade scenario', () => {
  const saved = process.env[OVERRIDE];
  afterEach(() => {
    if (saved === undefined) delete process.env[OVERRIDE];
    else process.env[OVERRIDE] = saved;
  });

  it('does not replace the pinned release the upgrade starts from, even when the process environment names one', async () => {
    const plan = upgrade();
    const { from, to } = plan.certManager.upgrade!;
    const cache = await cacheWith([from, to]);
    // how `run --cert-manager-controller` handed the candidate down before it travelled as a value
    process.env[OVERRIDE] = '/candidate/controller';
    expect(await binaryPath('cert-manager-controller', from, 'cert-manager-controller', cache.layout)).toBe(cache.path(from));
  });

  it('runs the pinned `from` before the upgrade and the candidate after it', async () => {
    const plan = upgrade();
    const { from, to } = plan.certManager.upgrade!;
    const cache = await cacheWith([from, to]);
    const spec = environmentSpec(plan.environmentKey, [plan], { versions: loadVersions(), source: 'auto', candidate: { controller: '/candidate/controller', images: {} } });
    expect(spec.certManager).toBe(from);
    expect(await certManagerController(spec, spec.certManager, cache.layout)).toBe(cache.path(from));
    expect(await certManagerController(spec, spec.upgradeTo!, cache.layout)).toBe('/candidate/controller');
  });

  it('replaces the version of a plain scenario, and nothing without a candidate', async () => {
    const plan = loadPlans().find((p) => !p.certManager.upgrade)!;
    const cache = await cacheWith([plan.certManager.version]);
    const settings = { versions: loadVersions(), source: 'auto' as const };
    const [group] = planEnvironments([plan], { ...settings, candidate: { controller: '/candidate/controller', images: {} } });
    expect(await certManagerController(group!.spec, plan.certManager.version, cache.layout)).toBe('/candidate/controller');
    const [plain] = planEnvironments([plan], settings);
    expect(await certManagerController(plain!.spec, plan.certManager.version, cache.layout)).toBe(cache.path(plan.certManager.version));
  });
});

describe('planEnvironments', () => {
  it('gives one spec per environment key, with every Vault its scenarios use', () => {
    const plans = loadPlans();
    const groups = planEnvironments(plans, { versions: loadVersions(), source: 'auto' });
    expect(groups.map((g) => g.spec.key)).toEqual([...new Set(plans.map((p) => p.environmentKey))]);
    for (const g of groups) {
      expect(g.plans.every((p) => p.environmentKey === g.spec.key)).toBe(true);
      // A Vault is its engine, version and placement; a scenario's policy is written per scenario.
      for (const p of g.plans) expect(g.spec.vaults).toContainEqual({ engine: p.vault.engine, version: p.vault.version, placement: p.vault.placement });
      expect(g.spec.pins.helm).toBe(loadVersions().pinned[g.plans[0]!.certManager.installer === 'helm4' ? 'helm4' : 'helm']!.version);
    }
    // an upgrade changes its cluster: each upgrade scenario has an environment of its own
    for (const g of groups.filter((x) => x.spec.upgradeTo)) expect(g.plans).toHaveLength(1);
  });

  it("gives the process cluster's Go programs the tuned runtime settings unless the run says otherwise", () => {
    const plans = loadPlans().slice(0, 1);
    const [tuned] = planEnvironments(plans, { versions: loadVersions(), source: 'auto' });
    expect(tuned!.spec.goRuntime).toEqual(GO_RUNTIME_TUNED);
    expect(Number(GO_RUNTIME_TUNED.GOGC)).toBeGreaterThan(100);
    expect(GO_RUNTIME_TUNED.GOMEMLIMIT).toMatch(/^\d+(B|KiB|MiB|GiB)$/);
    const [plain] = planEnvironments(plans, { versions: loadVersions(), source: 'auto', goRuntime: GO_RUNTIME_DEFAULTS });
    expect(plain!.spec.goRuntime).toEqual({});
    expect(goRuntimeNote(GO_RUNTIME_TUNED)).toContain('GOGC=400 GOMEMLIMIT=1GiB');
    expect(goRuntimeNote(GO_RUNTIME_DEFAULTS)).toBeUndefined();
  });
});

describe('reuseKey: what a kept environment is keyed by (run --reuse)', () => {
  const settings = { versions: loadVersions(), source: 'auto' as const };
  const plans = loadPlans().filter((p) => !p.certManager.upgrade);

  it('is the same for every spec of one environment shape, whatever its scenarios and Vaults', () => {
    const plan = plans[0]!;
    const sameShape = plans.filter((p) => p.environmentKey === plan.environmentKey);
    const a = reuseKey(environmentSpec(plan.environmentKey, [plan], settings), 'kind');
    const b = reuseKey(environmentSpec(plan.environmentKey, sameShape, settings), 'kind');
    expect(a).toEqual(b);
    expect(a).toMatchObject({ name: expect.stringMatching(/^kind-[0-9a-f]{16}$/), summary: expect.stringContaining(plan.certManager.version) });
  });

  it('differs with the backend, the cert-manager release, the profile and a candidate', () => {
    const plan = plans[0]!;
    const other = plans.find((p) => p.certManager.version !== plan.certManager.version)!;
    const otherProfile = plans.find((p) => p.profile.name !== plan.profile.name)!;
    const spec = environmentSpec(plan.environmentKey, [plan], settings);
    const names = new Set([
      reuseKey(spec, 'kind'),
      reuseKey(spec, 'local'),
      reuseKey(environmentSpec(other.environmentKey, [other], settings), 'kind'),
      reuseKey(environmentSpec(otherProfile.environmentKey, [otherProfile], settings), 'kind'),
      reuseKey(environmentSpec(plan.environmentKey, [plan], { ...settings, candidate: { controller: '/c', images: {} } }), 'kind'),
    ].map((k) => ('name' in k ? k.name : k.why)));
    expect(names.size).toBe(5);
  });

  it("the Go runtime settings key the process cluster's kept environments only: kind's control plane does not run with them", () => {
    const plan = plans[0]!;
    const key = (backend: 'local' | 'kind', goRuntime: GoRuntime) => reuseKey(environmentSpec(plan.environmentKey, [plan], { ...settings, goRuntime }), backend);
    expect(key('local', GO_RUNTIME_TUNED)).not.toEqual(key('local', GO_RUNTIME_DEFAULTS));
    expect(key('kind', GO_RUNTIME_TUNED)).toEqual(key('kind', GO_RUNTIME_DEFAULTS));
  });

  it('sees a candidate controller rebuilt in place at the same path', async () => {
    const plan = plans[0]!;
    const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-candidate-'));
    const controller = join(dir, 'controller');
    try {
      await writeFile(controller, 'build 1');
      const spec = environmentSpec(plan.environmentKey, [plan], { ...settings, candidate: { controller, images: {} } });
      const before = reuseKey(spec, 'local');
      await writeFile(controller, 'build 2, longer');
      expect(reuseKey(spec, 'local')).not.toEqual(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an environment whose scenarios upgrade cert-manager, saying why', () => {
    const plan = upgrade();
    expect(reuseKey(environmentSpec(plan.environmentKey, [plan], settings), 'kind')).toEqual({ why: expect.stringMatching(/upgrade cert-manager/) });
  });
});

describe('the process ledger', () => {
  // a process of its own: the ledger is one per process and goes (or stays) at that process's exit
  const exitWith = async (cache: string, body: string) => {
    const script = `import { processLedger } from ${JSON.stringify(join(process.cwd(), 'runner/environment-spec.ts'))};
      const l = processLedger(); ${body}`;
    const file = join(cache, 'child.mts');
    await writeFile(file, script);
    await execa(join(process.cwd(), 'node_modules/.bin/tsx'), [file], { env: { CM_VAULT_E2E_CACHE: cache } });
    return readdir(cacheLayout(cache).runs).catch(() => [] as string[]);
  };

  it('goes at exit when everything in it was undone, and stays when something is still live', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'cmve-ledger-'));
    try {
      expect(await exitWith(cache, `await l.record({ kind: 'dir', path: '/nonexistent-a' }); await l.drop({ kind: 'dir', path: '/nonexistent-a' });`)).toEqual([]);
      const left = await exitWith(cache, `await l.record({ kind: 'dir', path: '/nonexistent-b' });`);
      expect(left).toEqual([expect.stringMatching(/^run-r[0-9a-z]{5}\.jsonl$/)]);
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });
});
