/**
 * The Go runtime settings for the Go programs the suite starts as local processes (etcd, kube-apiserver,
 * cert-manager's controller, Vault and OpenBao): values of their environment.
 *
 * With Go's default (GOGC=100) a program collects garbage each time its heap doubles. kube-apiserver's heap churns
 * with every CRD installed, every object decoded and every watch event, and garbage collection was the largest
 * single cost in its CPU profile during a catalogue run, on a machine whose cores the run keeps busy. GOGC=400 lets
 * the heap grow to five times what is live before a collection; GOMEMLIMIT bounds that growth (the collector runs
 * as often as it must to stay under it), so the trade of memory for CPU has a ceiling per process.
 *
 * kind's control plane keeps Go's defaults: there a run waits on pods starting and namespaces going, not on the API
 * server's CPU, so the same settings bought no time for a third more memory at the peak.
 */
export type GoRuntime = Readonly<Record<string, string>>;

export const GO_RUNTIME_TUNED: GoRuntime = { GOGC: '400', GOMEMLIMIT: '1GiB' };

/** Go's own defaults: nothing set (`bench/parallel.ts --before go-defaults` measures against it). */
export const GO_RUNTIME_DEFAULTS: GoRuntime = {};

/** How an environment's notes say what its Go programs run with; undefined for Go's defaults. */
export function goRuntimeNote(runtime: GoRuntime): string | undefined {
  const set = Object.entries(runtime).map(([k, v]) => `${k}=${v}`);
  return set.length ? `etcd, kube-apiserver, cert-manager's controller and Vault run with ${set.join(' ')} (less garbage collection, more memory)` : undefined;
}
