// Proof that a kind cluster made for a profile behaves like that profile (kind/prove.ts), with timings:
//   npx tsx bench/kind-prove.ts [--profile kind|aks-like|eks-like] [--keep]
// creates the cluster, proves it, prints JSON, then deletes the cluster unless --keep (the next run reaps it).
import { EnvironmentError } from '../lib/errors.ts';
import { KindCluster, removeKindNetworkIfUnused } from '../kind/cluster.ts';
import { profileByName, proveCluster } from '../kind/prove.ts';
import { processLedger } from '../runner/environment-spec.ts';
import { secondsSince } from '../lib/wait.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--profile');
const profile = profileByName(at >= 0 ? args[at + 1]! : 'kind');
const keep = args.includes('--keep');
(async () => {
  const started = Date.now();
  const cluster = await KindCluster.ensure({ profile, ledger: processLedger() });
  const peakAfterCreate = await cluster.peakMemoryBytes();
  try {
    const proof = await proveCluster(cluster);
    const peak = await cluster.peakMemoryBytes();
    console.log(JSON.stringify({ ...proof, timings: { ...cluster.timings, totalSeconds: secondsSince(started) }, nodePeakMemoryMB: peak && Math.round(peak / 1e6), nodePeakAfterCreateMB: peakAfterCreate && Math.round(peakAfterCreate / 1e6) }, null, 2));
  } finally {
    if (!keep) {
      const s = await cluster.delete();
      await removeKindNetworkIfUnused(processLedger());
      console.error(`kind: deleted ${cluster.name} in ${s}s`);
    }
  }
})().catch((err) => {
  console.error(err instanceof EnvironmentError ? err.format() : err);
  process.exit(1);
});
