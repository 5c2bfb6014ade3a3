import { createHash } from 'node:crypto';
import { candidateFor, type EnvironmentSpec } from './environment-spec.ts';
import type { VaultEngine } from '../scenarios/types.ts';

/** A cluster an environment can hand on: it knows how to stop itself when nobody takes it. */
export interface HandableCluster {
  stop(): Promise<void>;
}

/**
 * Clusters handed from one environment to the next inside one run. An environment is a cluster (profile,
 * Kubernetes) plus one cert-manager release; when it ends, its cluster — cert-manager removed and the cluster
 * proven back to the state it started in — goes to the next environment that needs the same cluster, instead of
 * being stopped while another just like it starts. A cluster is kept idle only while some environment not yet
 * started still needs its key; the last one stops it, and `drain()` stops what is left when the run ends.
 */
export class ClusterHandoff {
  private readonly idle = new Map<string, HandableCluster[]>();
  private readonly pending: Map<string, number>;

  /** `keys`: the cluster key of every environment the run will start. */
  constructor(keys: string[]) {
    this.pending = new Map();
    for (const k of keys) this.pending.set(k, (this.pending.get(k) ?? 0) + 1);
  }

  /** An environment of `key` starts: an idle cluster of that key if there is one (it is the caller's now). */
  take<C extends HandableCluster>(key: string): C | undefined {
    this.pending.set(key, Math.max(0, (this.pending.get(key) ?? 0) - 1));
    return this.idle.get(key)?.pop() as C | undefined;
  }

  /** Whether an environment not yet started could take a cluster of `key` (worth cleaning one for). */
  wanted(key: string): boolean {
    return (this.pending.get(key) ?? 0) > this.idleCount(key);
  }

  /** An environment of `key` ended with its cluster clean: kept for a later one, or stopped when none will come. */
  async give(key: string, cluster: HandableCluster): Promise<void> {
    if (this.wanted(key)) {
      this.idle.set(key, [...(this.idle.get(key) ?? []), cluster]);
      return;
    }
    await cluster.stop();
  }

  /** Stops every idle cluster (the run is over, or was interrupted). */
  async drain(): Promise<void> {
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    for (const c of all) await c.stop();
  }

  /** Idle clusters now, by key (for tests and logs). */
  idleCount(key: string): number {
    return this.idle.get(key)?.length ?? 0;
  }
}

/**
 * What a cluster is, apart from the cert-manager in it: the profile (ServiceAccount issuer, API audiences,
 * everything else it sets), Kubernetes, the etcd and kind pins and the kind instance. Environments of one run (one
 * backend) with the same key can run on the same cluster one after another.
 */
export function clusterKey(spec: EnvironmentSpec): string {
  const shape = { profile: spec.profile, kubernetes: spec.kubernetes, etcd: spec.pins.etcd, kind: spec.pins.kind, instance: spec.kind.instance ?? null };
  return `${spec.profile.name}/${spec.kubernetes}/${createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 12)}`;
}

/**
 * What the environments of one cluster key run on it over the run, for a backend that can make the cluster with
 * their images already in place (kind/images/stocked.ts) instead of copying them in as each environment starts.
 */
export interface ClusterServes {
  /**
   * Every pinned cert-manager release they start or upgrade to, once each, in the order they come: not one whose
   * images a release under test replaces there.
   */
  certManager: string[];
  /** Every Vault they place in the cluster, once each. */
  inClusterVaults: Array<{ engine: VaultEngine; version: string }>;
}

export function servedBy(specs: readonly EnvironmentSpec[]): ClusterServes {
  const pinnedImages = (s: EnvironmentSpec, version: string) => !Object.keys(candidateFor(s, version)?.images ?? {}).length;
  const certManager = [...new Set(specs.flatMap((s) => [s.certManager, ...(s.upgradeTo ? [s.upgradeTo] : [])].filter((v) => pinnedImages(s, v))))];
  const vaults = new Map(specs.flatMap((s) => s.vaults).filter((v) => v.placement === 'in-cluster').map((v) => [`${v.engine}@${v.version}`, { engine: v.engine, version: v.version }]));
  return { certManager, inClusterVaults: [...vaults.values()] };
}

/**
 * The environments of one cluster key together (keys in first-seen order, stable within a key): the order
 * pickEnvironment walks, so its choices among keys follow the catalogue's order of keys.
 */
export function groupByCluster<T>(items: T[], keyOf: (t: T) => string): T[] {
  const byKey = new Map<string, T[]>();
  for (const t of items) byKey.set(keyOf(t), [...(byKey.get(keyOf(t)) ?? []), t]);
  return [...byKey.values()].flat();
}

/**
 * Which pending environment a free slot starts, by cluster key: one whose key has an idle cluster (taken at once,
 * so no cluster waits), else one of a key no running environment serves (it needs a cluster of its own anyway),
 * else the first. A second cluster of a busy key is made only when every other key is served: a key with few
 * environments then shares one cluster instead of starting one per slot. -1 when nothing is pending.
 */
export function pickEnvironment(pendingKeys: readonly string[], runningOf: (key: string) => number, idleOf: (key: string) => number): number {
  const idle = pendingKeys.findIndex((k) => idleOf(k) > 0);
  if (idle >= 0) return idle;
  const unserved = pendingKeys.findIndex((k) => runningOf(k) === 0);
  return unserved >= 0 ? unserved : pendingKeys.length ? 0 : -1;
}
