// Live diagnose tolerates an API server that answers "no" (403, 404: a fact it notes and infers around) but not one
// it cannot talk to: every read would fail alike, and the diagnosis would blame RBAC for a network problem.
import { InputError } from '../lib/errors.ts';

/**
 * Why no HTTP answer came back (connection refused, DNS, TLS, timeout), or undefined when the API server answered
 * (client-node's ApiException carries the HTTP status as a number in `code`).
 */
export function unreachableReason(err: unknown): string | undefined {
  const e = err as { name?: unknown; type?: unknown; code?: unknown; statusCode?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return undefined;
  if (typeof e.code === 'number' || typeof e.statusCode === 'number') return undefined;
  // node-fetch's FetchError (what client-node rejects with when no answer came), or a Node socket error
  const network = e.name === 'FetchError' || e.type === 'system' || e.type === 'request-timeout' || (typeof e.code === 'string' && /^E[A-Z_]+$|CERT|SELF_SIGNED|TLS/.test(e.code));
  if (!network) return undefined;
  return String(e.message ?? e.code).split('\n')[0];
}

/** The error live diagnose ends with when the cluster cannot be reached (exit 2, as README says). */
export function clusterUnreachable(server: string, kubeconfig: string, why: string): InputError {
  return new InputError({ file: kubeconfig, field: '--kubeconfig' }, `the API server ${server} cannot be reached: ${why}`, `check it answers: kubectl --kubeconfig ${kubeconfig} get --raw /readyz`);
}

/**
 * For `.catch` on a read whose refusal is a fact: the fallback when the API server answered, the end of diagnose
 * when it could not be reached.
 */
export function whenAnswered<T>(fallback: T, cluster: { server: string; kubeconfig: string }): (err: unknown) => T {
  return (err) => {
    const why = unreachableReason(err);
    if (why !== undefined) throw clusterUnreachable(cluster.server, cluster.kubeconfig, why);
    return fallback;
  };
}
