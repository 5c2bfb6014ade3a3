import { createHash } from 'node:crypto';
import { candidateFor, type EnvironmentSpec } from './environment-spec.ts';
import type { VaultEngine } from '../scenarios/types.ts';

/**
 * An environment's place in the run's cluster handoff, where clusters are shared between its environments: the
 * handoff, the environment's cluster key in it, the cert-manager install it starts with (`startRelease`), and what
 * the environments of that key run on the cluster. The run hands it to the environment as it starts (runner/run.ts
 * StartContext); the spec stays a value made from the plans and settings alone.
 */
export interface ClusterShare {
  to: ClusterHandoff;
  key: string;
  release: string;
  serves: ClusterServes;
}

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
 *
 * A cluster may also be handed on with its cert-manager still running (`give(key, c, release)`), reset to the state
 * right after the install, when an environment not yet started begins with that same release (`startRelease`, in
 * practice an upgrade scenario starting from it): that one takes it in place of installing the release again, and
 * no other takes it.
 */
export class ClusterHandoff {
  private readonly idle = new Map<string, Array<{ cluster: HandableCluster; running?: string }>>();
  private readonly pending = new Map<string, number>();
  private readonly pendingRelease = new Map<string, number>();

  /** `keys`: the cluster key of every environment the run will start; `releases`: the release each starts with, same order. */
  constructor(keys: string[], releases: ReadonlyArray<string | undefined> = []) {
    keys.forEach((k, i) => {
      count(this.pending, k, 1);
      const release = releases[i];
      if (release !== undefined) count(this.pendingRelease, releaseSlot(k, release), 1);
    });
  }

  /**
   * An environment of `key` starts, with `release` to install: an idle cluster already running that release if there
   * is one, else a bare idle one (it is the caller's now). Never one running another release.
   */
  take<C extends HandableCluster>(key: string, release?: string): C | undefined {
    count(this.pending, key, -1);
    if (release !== undefined) count(this.pendingRelease, releaseSlot(key, release), -1);
    const list = this.idle.get(key) ?? [];
    const i = release !== undefined && list.some((x) => x.running === release) ? list.findIndex((x) => x.running === release) : list.findIndex((x) => x.running === undefined);
    return i < 0 ? undefined : (list.splice(i, 1)[0]!.cluster as C);
  }

  /** What `take(key, release)` would answer now: a cluster running the release, a bare one, or none. */
  usable(key: string, release?: string): 'running' | 'bare' | undefined {
    const list = this.idle.get(key) ?? [];
    if (release !== undefined && list.some((x) => x.running === release)) return 'running';
    return list.some((x) => x.running === undefined) ? 'bare' : undefined;
  }

  /** Whether an environment not yet started could take a cluster of `key` (worth cleaning one for). */
  wanted(key: string): boolean {
    return (this.pending.get(key) ?? 0) > this.idleCount(key);
  }

  /** Whether an environment not yet started begins with `release` on `key` and no idle cluster runs it for it yet. */
  wantedRunning(key: string, release: string): boolean {
    const runningIdle = (this.idle.get(key) ?? []).filter((x) => x.running === release).length;
    return this.wanted(key) && (this.pendingRelease.get(releaseSlot(key, release)) ?? 0) > runningIdle;
  }

  /**
   * An environment of `key` ended with its cluster clean — bare, or running `release` as right after its install:
   * kept for a later one, or stopped when none will come.
   */
  async give(key: string, cluster: HandableCluster, release?: string): Promise<void> {
    if (release === undefined ? this.wanted(key) : this.wantedRunning(key, release)) {
      this.idle.set(key, [...(this.idle.get(key) ?? []), { cluster, ...(release === undefined ? {} : { running: release }) }]);
      return;
    }
    await cluster.stop();
  }

  /** Stops every idle cluster (the run is over, or was interrupted). */
  async drain(): Promise<void> {
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    for (const c of all) await c.cluster.stop();
  }

  /** Idle clusters now, by key (for tests and logs). */
  idleCount(key: string): number {
    return this.idle.get(key)?.length ?? 0;
  }
}

const count = (m: Map<string, number>, k: string, by: number) => m.set(k, Math.max(0, (m.get(k) ?? 0) + by));
const releaseSlot = (key: string, release: string) => `${key}\n${release}`;

/**
 * The cert-manager install an environment makes at `version`, as a value two environments compare: the version,
 * the Helm that installs it, the release under test where it stands for that version, and where images come from.
 */
export function releaseOf(spec: EnvironmentSpec, version: string): string {
  return JSON.stringify({ version, helm: spec.pins.helm, candidate: candidateFor(spec, version) ?? null, source: spec.source });
}

/** The install an environment starts with: an upgrade's `from`, else its scenarios' release. */
export const startRelease = (spec: EnvironmentSpec): string => releaseOf(spec, spec.certManager);

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
 * Which pending environment a free slot starts: one an idle cluster already runs the release of (taken at once, no
 * install), else one whose key has a bare idle cluster (taken at once, so no cluster waits), else one of a key no
 * running environment serves (it needs a cluster of its own anyway), else the first. A second cluster of a busy key
 * is made only when every other key is served: a key with few environments then shares one cluster instead of
 * starting one per slot. -1 when nothing is pending.
 */
export function pickEnvironment(pending: ReadonlyArray<{ key: string; release?: string }>, runningOf: (key: string) => number, usableOf: (key: string, release?: string) => 'running' | 'bare' | undefined): number {
  const running = pending.findIndex((p) => usableOf(p.key, p.release) === 'running');
  if (running >= 0) return running;
  const bare = pending.findIndex((p) => usableOf(p.key, p.release) === 'bare');
  if (bare >= 0) return bare;
  const unserved = pending.findIndex((p) => runningOf(p.key) === 0);
  return unserved >= 0 ? unserved : pending.length ? 0 : -1;
}
