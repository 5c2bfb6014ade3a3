import { execa } from 'execa';
import { existingRemovers } from '../existing/reap.ts';
import { deleteKindCluster } from '../kind/cluster.ts';
import { defaultRemovers, discardKept, KIND_CLUSTER_LABEL, reap, type Removers } from '../lib/reap.ts';

/** Whether a Docker daemon answers (reaping skips containers, networks and kind clusters otherwise). */
export async function dockerAnswers(): Promise<boolean> {
  const r = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false, stdin: 'ignore', timeout: 10_000 });
  return r.exitCode === 0;
}

/**
 * The backends' own removers, over lib/reap.ts's defaults: the existing-cluster backend's Helm release and labelled
 * objects, and kind clusters through kind's own delete (it also drops the kubeconfig and the cluster's cache dir).
 */
export const backendRemovers: Partial<Removers> = {
  ...existingRemovers,
  async deleteKindCluster(name, kindVersion) {
    const nodes = await execa('docker', ['ps', '-aq', '--filter', `label=${KIND_CLUSTER_LABEL}=${name}`], { reject: false, stdin: 'ignore' });
    if (nodes.exitCode === 0 && !nodes.stdout.trim()) return 'gone';
    try {
      await deleteKindCluster(name, kindVersion);
      return 'removed';
    } catch {
      // the pinned kind may be gone from the cache (`clean --cache`); its nodes are plain containers
      return defaultRemovers.deleteKindCluster(name, kindVersion);
    }
  },
};

/** What dead runs left (every run but `self`'s with `includeLive`), one line each through `log`. */
export async function reapLeftovers(o: { runsDir: string; self?: string; includeLive?: boolean; log: (l: string) => void }) {
  return reap({ ...o, docker: await dockerAnswers(), removers: backendRemovers });
}

/** Every kept environment, with what it holds. */
export async function discardKeptEnvironments(o: { runsDir: string; log: (l: string) => void }) {
  return discardKept({ ...o, docker: await dockerAnswers(), removers: backendRemovers });
}

/**
 * A run's first step: what dead runs left, reaped, and what could not be removed said one line each. A warning,
 * not a failure of this run: an earlier run's leftovers on a cluster unreachable now (a deleted kind cluster's
 * kubeconfig, a VPN down) would otherwise fail every later run on this machine, whatever it runs on; their ledger
 * stays, the next run tries again, and `clean` (which exits 1 while anything is left) is the place to insist.
 */
export async function reapBeforeRun(o: { runsDir: string; self: string; log: (l: string) => void; reap?: typeof reapLeftovers }) {
  const result = await (o.reap ?? reapLeftovers)({ runsDir: o.runsDir, self: o.self, log: o.log });
  for (const f of result.failures) o.log(`reaping: could not remove ${f}`);
  if (result.failures.length) o.log('reaping: left in its ledger for the next run, or `npx cm-vault-e2e clean`; this run goes on');
  return result;
}
