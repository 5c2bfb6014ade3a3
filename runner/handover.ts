import type { CertManagerComponent } from '../certmanager/chart.ts';
import { certManagerCrds } from '../certmanager/crds.ts';
import type { Kube } from '../lib/kube.ts';
import { secondsSince } from '../lib/wait.ts';
import type { ClusterHandoff, HandableCluster } from './cluster-handoff.ts';
import { leftovers, resetToBaseline, type Baseline } from './reset.ts';

/**
 * The two checks of a handover (runner/cluster-handoff.ts), the same on every backend: an environment that ends
 * gives its cluster on only when, cert-manager uninstalled, the reset to the cluster's bare state leaves nothing;
 * the next environment takes it only when it is still so (no cert-manager CRD, nothing beyond that bare state).
 * A cluster that fails either check is stopped, with what was left said.
 */

/**
 * How long a handover waits for cert-manager's CRDs to go: usually a second or two, a CRD whose finalizer backs off
 * being queued again (certmanager/crds.ts nudgeFinalizer). Starting another cluster is quicker than waiting longer.
 */
export const HANDOVER_CRD_WAIT_MS = 15_000;

/**
 * The cert-manager a cluster is handed on with, still running (ClusterHandoff.give with a release): the install it
 * is, the state right after that install (what the cluster was reset to), and what a backend checks it by.
 */
export interface RunningRelease {
  release: string;
  installed: Baseline;
  version: string;
  images: Readonly<Record<CertManagerComponent, string>>;
  /** The environment that installed it. */
  by: string;
}

/** A cluster between two environments of a run, with the bare state it was taken in before any cert-manager. */
export interface HandedCluster<C> extends HandableCluster {
  cluster: C;
  kube: Kube;
  bare: Baseline;
  /** Set when handed on with cert-manager running. */
  running?: RunningRelease;
  /** How the logs name it: `process cluster <dir>`, `kind cluster <name>`. */
  label: string;
  /** How long the uninstall and reset took when it was handed on: part of what the next environment's start costs. */
  resetSeconds?: number;
  /**
   * Of which the uninstall. The rest is the scenarios' and cert-manager's namespaces going, at least 5 s on a
   * cluster with a namespace controller: it starts on a deleted namespace only that long after the deletion
   * (kubernetes pkg/controller/namespace/namespace_controller.go, namespaceDeletionGracePeriod).
   */
  uninstallSeconds?: number;
}

/** Where an environment's cluster goes when it ends. */
export interface HandOn {
  to: ClusterHandoff;
  key: string;
  bare: Baseline;
  /** The install the environment started with (cluster-handoff.ts startRelease). */
  release: string;
}

/**
 * After the environment's Vaults are stopped: `uninstall` removes its cert-manager (answering what it could not
 * remove), the cluster is reset to its bare state, and given on when nothing is left; else stopped.
 */
export async function handOn<C>(on: HandOn, cluster: HandedCluster<C>, uninstall: () => Promise<string[]>, log: (line: string) => void, resetMs = 30_000): Promise<void> {
  const started = Date.now();
  let uninstallSeconds: number | undefined;
  const left = await uninstall()
    .then(async (notRemoved) => {
      uninstallSeconds = secondsSince(started);
      return [...notRemoved, ...(await resetToBaseline(cluster.kube, on.bare, resetMs))];
    })
    .catch((err: Error) => [`the reset failed: ${err.message}`]);
  if (!left.length) {
    const handed: HandedCluster<C> = { ...cluster, resetSeconds: secondsSince(started), ...(uninstallSeconds === undefined ? {} : { uninstallSeconds }) };
    return on.to.give(on.key, handed);
  }
  log(`${cluster.label} not handed on (${left.join(', ')}); stopping it`);
  await cluster.stop();
}

/**
 * After the environment's Vaults are stopped, with cert-manager left running: the cluster reset to its state right
 * after the install (`running.installed`: the scenarios' namespaces and objects deleted and gone) and given on to
 * the environment waiting for that release. When the reset leaves anything, the usual handover (`bare`) instead.
 */
export async function handOnRunning<C>(on: HandOn, cluster: HandedCluster<C>, running: RunningRelease, bare: () => Promise<void>, resetMs = 30_000): Promise<void> {
  const started = Date.now();
  const left = await resetToBaseline(cluster.kube, running.installed, resetMs).catch((err: Error) => [`the reset failed: ${err.message}`]);
  if (left.length) return bare();
  const handed: HandedCluster<C> = { ...cluster, running, resetSeconds: secondsSince(started) };
  return on.to.give(on.key, handed, running.release);
}

/**
 * Whether the cluster of an environment starting now (its own cluster or a handed one already taken) could be handed
 * on when it ends, so that its bare state is worth taking. `wanted()` never turns true again once false while a run's
 * environments start and end (a take lowers both the pending and the idle count, a give raises only the idle one),
 * so false now means false at the end: a run with one environment per cluster takes no baseline.
 */
export const mayHandOn = (share: { to: ClusterHandoff; key: string } | undefined): boolean => !!share && share.to.wanted(share.key);

/** Whether an environment starting now could hand its cluster on with cert-manager running (worth taking the state after the install for). */
export const mayHandOnRunning = (share: { to: ClusterHandoff; key: string; release: string } | undefined): boolean => !!share && share.to.wantedRunning(share.key, share.release);

/**
 * A cluster handed on by an ended environment and checked clean again — bare (no cert-manager CRD, nothing beyond
 * its bare state), or running the release this environment starts with (nothing beyond the state after that
 * install; the caller checks cert-manager itself answers) — undefined when there is none, or it is not clean (then
 * stopped).
 */
export async function takeHanded<C>(handoff: ClusterHandoff, key: string, log: (line: string) => void, release?: string): Promise<HandedCluster<C> | undefined> {
  const h = handoff.take<HandedCluster<C>>(key, release);
  if (!h) return undefined;
  if (h.running) {
    const left = await leftovers(h.kube, h.running.installed).catch((err: Error) => [`the check failed: ${err.message}`]);
    if (!left.length) {
      log(`${h.label} handed on with cert-manager ${h.running.version} running, after a ${h.resetSeconds}s reset (nothing beyond its state right after the install)`);
      return h;
    }
    log(`${h.label} handed on with cert-manager ${h.running.version} running, not clean (${left.join(', ')}); stopping it, starting another`);
    await h.stop();
    return undefined;
  }
  const left = await Promise.all([certManagerCrds(h.kube), leftovers(h.kube, h.bare)]).then(
    ([crds, rest]) => [...crds.map((c) => `CustomResourceDefinition ${c}`), ...rest],
    (err: Error) => [`the check failed: ${err.message}`],
  );
  if (!left.length) {
    const uninstall = h.uninstallSeconds === undefined ? '' : `, ${h.uninstallSeconds}s of it the uninstall`;
    const reset = h.resetSeconds === undefined ? '' : ` after a ${h.resetSeconds}s reset${uninstall}`;
    log(`${h.label} handed on clean${reset} (no cert-manager CRD, nothing beyond its bare state)`);
    return h;
  }
  log(`${h.label} handed on not clean (${left.join(', ')}); stopping it, starting another`);
  await h.stop();
  return undefined;
}
