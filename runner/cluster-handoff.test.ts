import { describe, expect, it } from 'vitest';
import { loadPlans } from '../scenarios/plan.ts';
import { loadVersions } from '../scenarios/versions.ts';
import { ClusterHandoff, clusterKey, groupByCluster, pickEnvironment, servedBy } from './cluster-handoff.ts';
import { planEnvironments } from './environment-spec.ts';

const cluster = (name: string, stopped: string[]) => ({ name, stop: async () => void stopped.push(name) });

describe('ClusterHandoff', () => {
  it('keeps a cluster only while an environment not yet started needs its key, and stops the rest', async () => {
    const stopped: string[] = [];
    const h = new ClusterHandoff(['a', 'a', 'a', 'b']);
    expect(h.take('a')).toBeUndefined(); // the first of a: nothing to take, it starts one
    expect(h.take('b')).toBeUndefined();
    expect(h.wanted('a')).toBe(true); // two more a's to come
    await h.give('a', cluster('a1', stopped));
    expect(h.idleCount('a')).toBe(1);
    expect(h.wanted('b')).toBe(false);
    await h.give('b', cluster('b1', stopped)); // no b to come: stopped at once
    expect(stopped).toEqual(['b1']);
    expect(h.take<ReturnType<typeof cluster>>('a')?.name).toBe('a1');
    expect(h.take('a')).toBeUndefined(); // the third a starts its own
    await h.give('a', cluster('a1', stopped));
    await h.give('a', cluster('a3', stopped)); // nothing left to start
    expect(stopped).toEqual(['b1', 'a1', 'a3']);
    await h.drain();
    expect(stopped).toEqual(['b1', 'a1', 'a3']);
  });

  it('a cluster handed on running a release goes only to an environment starting with that release', async () => {
    const stopped: string[] = [];
    const h = new ClusterHandoff(['k', 'k', 'k'], ['r1', 'r1', 'r2']);
    expect(h.take('k', 'r1')).toBeUndefined();
    expect(h.wantedRunning('k', 'r1')).toBe(true); // the second r1 is still to start
    expect(h.wantedRunning('k', 'r3')).toBe(false);
    await h.give('k', cluster('running-r1', stopped), 'r1');
    expect(h.wantedRunning('k', 'r1')).toBe(false); // one is idle for it already
    expect(h.usable('k', 'r2')).toBeUndefined(); // r2 does not get a cluster running r1
    expect(h.take('k', 'r2')).toBeUndefined();
    expect(h.usable('k', 'r1')).toBe('running');
    expect(h.take<ReturnType<typeof cluster>>('k', 'r1')?.name).toBe('running-r1');
    // nothing of r1 is to come: a cluster offered running r1 is stopped, a bare one too (every k has started)
    await h.give('k', cluster('late-r1', stopped), 'r1');
    expect(stopped).toEqual(['late-r1']);
  });

  it('a bare cluster serves any release; one running a release is preferred by its own', async () => {
    const stopped: string[] = [];
    const h = new ClusterHandoff(['k', 'k', 'k', 'k'], ['r1', 'r2', 'r1', 'r3']);
    h.take('k', 'r1');
    h.take('k', 'r2');
    await h.give('k', cluster('bare', stopped));
    await h.give('k', cluster('running-r1', stopped), 'r1');
    expect(h.take<ReturnType<typeof cluster>>('k', 'r3')?.name).toBe('bare');
    expect(h.take<ReturnType<typeof cluster>>('k', 'r1')?.name).toBe('running-r1');
    expect(stopped).toEqual([]);
  });

  it('drain stops what is idle when a run ends early', async () => {
    const stopped: string[] = [];
    const h = new ClusterHandoff(['a', 'a']);
    h.take('a');
    await h.give('a', cluster('a1', stopped));
    expect(stopped).toEqual([]);
    await h.drain();
    expect(stopped).toEqual(['a1']);
  });
});

describe('groupByCluster', () => {
  it('those of one key together, keys in first-seen order, stable within a key', () => {
    const items = ['a1', 'b1', 'a2', 'c1', 'b2', 'a3'];
    expect(groupByCluster(items, (s) => s[0]!)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'c1']);
  });
});

describe('clusterKey', () => {
  const settings = { versions: loadVersions(), source: 'auto' as const };
  const groups = planEnvironments(loadPlans(), settings);

  it('is shared by environments that differ only in cert-manager, and differs with the profile or Kubernetes', () => {
    const byKey = new Map<string, Set<string>>();
    for (const g of groups) byKey.set(clusterKey(g.spec), new Set([...(byKey.get(clusterKey(g.spec)) ?? []), `${g.spec.profile.name}@${g.spec.kubernetes}`]));
    // one profile and Kubernetes per key
    for (const shapes of byKey.values()) expect(shapes.size).toBe(1);
    // and several cert-manager releases share one (the catalogue runs many on the default cluster)
    const kindDefault = groups.filter((g) => g.spec.profile.name === 'kind' && g.spec.kubernetes === settings.versions.kubernetes.default);
    expect(new Set(kindDefault.map((g) => clusterKey(g.spec))).size).toBe(1);
    expect(new Set(kindDefault.map((g) => g.spec.certManager)).size).toBeGreaterThan(3);
    expect(byKey.size).toBeLessThan(groups.length);
  });
});

describe('servedBy', () => {
  const groups = planEnvironments(loadPlans(), { versions: loadVersions(), source: 'auto' as const });

  it("lists every release an environment of the key starts or upgrades to, and every in-cluster Vault, once each", () => {
    const upgrade = groups.find((g) => g.spec.upgradeTo)!;
    const inCluster = groups.find((g) => g.spec.vaults.some((v) => v.placement === 'in-cluster'))!;
    const plain = groups.find((g) => !g.spec.upgradeTo && g.spec.certManager !== upgrade.spec.certManager && g.spec.certManager !== upgrade.spec.upgradeTo)!;
    const served = servedBy([upgrade.spec, plain.spec, inCluster.spec, plain.spec]);
    expect(served.certManager).toEqual([...new Set([upgrade.spec.certManager, upgrade.spec.upgradeTo!, plain.spec.certManager, inCluster.spec.certManager])]);
    const vault = inCluster.spec.vaults.find((v) => v.placement === 'in-cluster')!;
    expect(served.inClusterVaults).toContainEqual({ engine: vault.engine, version: vault.version });
    expect(new Set(served.inClusterVaults.map((v) => `${v.engine}@${v.version}`)).size).toBe(served.inClusterVaults.length);
  });

  it('leaves out a release whose images a release under test replaces there (each environment: its own version)', () => {
    const candidate = { images: { controller: 'example.test/cert-manager-controller:dev' } };
    const settings = { versions: loadVersions(), source: 'auto' as const, candidate };
    const upgrade = planEnvironments(loadPlans(), settings).find((g) => g.spec.upgradeTo)!;
    expect(servedBy([upgrade.spec]).certManager).toEqual([upgrade.spec.certManager]);
    const chartOnly = planEnvironments(loadPlans(), { ...settings, candidate: { images: {}, chart: '/tmp/chart.tgz' } }).find((g) => g.spec.upgradeTo)!;
    expect(servedBy([chartOnly.spec]).certManager).toEqual([chartOnly.spec.certManager, chartOnly.spec.upgradeTo]);
  });

  it('leaves out Vaults outside the cluster', () => {
    const outside = groups.find((g) => g.spec.vaults.every((v) => v.placement !== 'in-cluster'))!;
    expect(servedBy([outside.spec]).inClusterVaults).toEqual([]);
    expect(servedBy([])).toEqual({ certManager: [], inClusterVaults: [] });
  });
});

describe('pickEnvironment', () => {
  const counts = (m: Record<string, number>) => (k: string) => m[k] ?? 0;
  const bareIdle = (m: Record<string, number>) => (k: string) => (m[k] ? ('bare' as const) : undefined);
  const envs = (...keys: string[]) => keys.map((key) => ({ key }));

  it('takes an idle cluster first', () => {
    expect(pickEnvironment(envs('k', 'a', 'b'), counts({ k: 1 }), bareIdle({ b: 1 }))).toBe(2);
  });

  it('an idle cluster already running an environment’s release before a bare one', () => {
    const h = new ClusterHandoff(['k', 'k', 'k'], ['r1', 'r2', 'r3']);
    h.take('k', 'r1');
    void h.give('k', { stop: async () => {} }); // bare
    void h.give('k', { stop: async () => {} }, 'r3'); // r3 still to start: kept running
    const pending = [{ key: 'k', release: 'r2' }, { key: 'k', release: 'r3' }];
    expect(pickEnvironment(pending, counts({}), (k, r) => h.usable(k, r))).toBe(1);
  });

  it('else serves a key nobody serves before making a second cluster of a busy one', () => {
    // k is running on one slot: the free slot starts a, not a second k cluster
    expect(pickEnvironment(envs('k', 'k', 'a', 'a'), counts({ k: 1 }), bareIdle({}))).toBe(2);
  });

  it('else the first, and -1 when nothing is pending', () => {
    expect(pickEnvironment(envs('k', 'a'), counts({ k: 1, a: 1 }), bareIdle({}))).toBe(0);
    expect(pickEnvironment([], counts({}), bareIdle({}))).toBe(-1);
  });

  it('a run of one long key and small ones makes one cluster per small key', () => {
    // two slots; each environment ends (handing its cluster on) before its slot picks again
    const keys = ['k', 'k', 'k', 'k', 'a', 'a', 'b'];
    const h = { running: new Map<string, number>(), idle: new Map<string, number>(), made: [] as string[] };
    const pending = [...keys];
    const start = () => {
      const i = pickEnvironment(envs(...pending), (k) => h.running.get(k) ?? 0, (k) => (h.idle.get(k) ? 'bare' : undefined));
      const key = pending.splice(i, 1)[0]!;
      if (h.idle.get(key)) h.idle.set(key, h.idle.get(key)! - 1);
      else h.made.push(key);
      h.running.set(key, (h.running.get(key) ?? 0) + 1);
      return key;
    };
    const end = (key: string) => {
      h.running.set(key, h.running.get(key)! - 1);
      if (pending.includes(key)) h.idle.set(key, (h.idle.get(key) ?? 0) + 1);
    };
    let slots = [start(), start()];
    while (pending.length) slots = slots.map((key) => (end(key), pending.length ? start() : key));
    expect(h.made.sort()).toEqual(['a', 'b', 'k']);
  });
});
