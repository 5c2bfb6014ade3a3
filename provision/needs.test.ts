import { describe, expect, it } from 'vitest';
import { filterPlans, loadPlans } from '../scenarios/plan.ts';
import { loadVersions } from '../scenarios/versions.ts';
import { recipesForPlans } from './needs.ts';
import { forSets, type Recipe } from './recipe.ts';
import { isCached } from './provision.ts';
import { testTempDir } from '../lib/test-temp.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinsOf } from './pins.ts';
import { allRecipes } from './recipes/index.ts';

const versions = loadVersions();
const recipes = allRecipes(pinsOf(versions));
const plans = loadPlans();
const names = (rs: Array<{ name: string; version: string }>) => rs.map((r) => `${r.name}@${r.version}`).sort();

describe('recipesForPlans', () => {
  it("one process-cluster scenario needs one Kubernetes, one cert-manager, one Vault, etcd and the default installer's Helm", () => {
    const one = filterPlans(plans, 'id=k8s-client-jwt-default-audience-refused');
    expect(one).toHaveLength(1);
    const p = one[0]!;
    expect(names(recipesForPlans(recipes, one, ['local']))).toEqual(
      [`cert-manager-controller@${p.certManager.version}`, `etcd@${versions.pinned.etcd!.version}`, `helm4@${versions.pinned.helm4!.version}`, `kube-control-plane@${p.cluster.kubernetes}`, `vault@${p.vault.version}`].sort(),
    );
  });

  it('an upgrade needs both cert-manager versions; kind adds the node binaries and its tools', () => {
    const up = plans.filter((p) => p.certManager.upgrade).slice(0, 1);
    const got = names(recipesForPlans(recipes, up, ['kind']));
    expect(got).toEqual(expect.arrayContaining([`cert-manager-controller@${up[0]!.certManager.upgrade!.from}`, `cert-manager-controller@${up[0]!.certManager.upgrade!.to}`, `kube-node@${up[0]!.cluster.kubernetes}`, `kind@${versions.pinned.kind!.version}`, `coredns@${versions.pinned.coredns!.version}`, `crictl@${versions.pinned.crictl!.version}`]));
  });

  it("CI's scenarios need exactly the `ci` versions of versions.yaml, and the kind smoke set is among them", () => {
    const ci = filterPlans(plans, 'ci=true');
    expect(ci.length).toBeGreaterThan(0);
    const got = recipesForPlans(recipes, ci, ['local', 'kind']);
    for (const c of ['kubernetes', 'certManager', 'vault', 'openbao'] as const) {
      const built = new Set(got.filter((r) => r.component === c).map((r) => r.version));
      expect([...built].sort(), c).toEqual(versions[c].ci);
    }
    expect(filterPlans(plans, 'tag=smoke').every((p) => p.ci)).toBe(true);
    expect(got.length).toBeLessThan(recipes.length);
    expect(got.map((r) => r.name)).not.toContain('helm');
  });

  it('each Helm only where a scenario installs with it', () => {
    const h3 = filterPlans(plans, 'installer=helm3').slice(0, 1);
    const h4 = filterPlans(plans, 'installer=helm4').slice(0, 1);
    expect([h3.length, h4.length]).toEqual([1, 1]);
    expect(names(recipesForPlans(recipes, h3, ['kind']))).toEqual(expect.arrayContaining([`helm@${versions.pinned.helm!.version}`]));
    expect(names(recipesForPlans(recipes, h3, ['kind']))).not.toContain(`helm4@${versions.pinned.helm4!.version}`);
    expect(names(recipesForPlans(recipes, h4, ['kind']))).toContain(`helm4@${versions.pinned.helm4!.version}`);
    expect(names(recipesForPlans(recipes, h4, ['kind']))).not.toContain(`helm@${versions.pinned.helm!.version}`);
  });

  it('builds for the process cluster only the binaries it runs; kind, or both backends, get every binary', () => {
    const one = filterPlans(plans, 'id=k8s-client-jwt-default-audience-refused');
    const binariesOf = (sets: Array<'local' | 'kind'>) =>
      Object.fromEntries(recipesForPlans(recipes, one, sets).map((r) => [r.name, r.binaries.map((b) => b.name)]));
    const local = binariesOf(['local']);
    expect(local['kube-control-plane']).toEqual(['kube-apiserver']);
    expect(local['cert-manager-controller']).toEqual(['cert-manager-controller']);
    expect(local.vault).toEqual(['vault']);
    for (const both of [binariesOf(['kind']), binariesOf(['local', 'kind'])]) {
      expect(both['kube-control-plane']).toEqual(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
      expect(both['cert-manager-controller']).toEqual(expect.arrayContaining(['cert-manager-controller', 'cert-manager-webhook', 'cert-manager-cainjector']));
    }
  });
});

describe('a recipe narrowed to some backends', () => {
  const controlPlane = recipes.find((r) => r.name === 'kube-control-plane')!;
  it('is marked as a part, so its build time is its own; whole where nothing is left out', () => {
    expect(forSets(controlPlane, ['local'])).toMatchObject({ name: 'kube-control-plane', part: 'kube-apiserver' });
    expect(forSets(controlPlane, ['local', 'kind'])).toBe(controlPlane);
  });

  it('takes a whole artifact as cached, and a narrow one as missing where a backend wants more', async () => {
    const dir = testTempDir('cmve-needs-');
    const entry = (bins: string[]) => {
      const binaries = bins.map((name) => {
        writeFileSync(join(dir, name), name);
        return { name, path: join(dir, name), sha256: '', size: name.length, versionOutput: '' };
      });
      return { name: 'kube-control-plane', version: 'v1', modules: [], goVersion: '', builtAt: '', buildSeconds: 0, binaries, extras: [] };
    };
    const wanted = (r: Recipe) => r.binaries.map((b) => b.name);
    const whole = entry(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
    const narrow = entry(['kube-apiserver']);
    expect(await isCached(whole, false, wanted(forSets(controlPlane, ['local'])))).toBe(true);
    expect(await isCached(narrow, false, wanted(forSets(controlPlane, ['local'])))).toBe(true);
    expect(await isCached(narrow, false, wanted(forSets(controlPlane, ['kind'])))).toBe(false);
  });
});
