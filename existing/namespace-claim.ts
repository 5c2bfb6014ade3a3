/**
 * Which namespaces of a cluster it did not make a run may write into and delete: only those it created itself,
 * which carry its own run label. A namespace already there — a person's, another run's (the suite's managed-by
 * label says nothing about which run), one left by a run not reaped yet — is neither written into, relabelled nor
 * deleted; the scenario needing it cannot run, and the error says whose it is.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { EnvironmentError } from '../lib/errors.ts';
import { RUN_LABEL_KEY } from '../lib/ledger.ts';
import { isManaged } from '../lib/names.ts';

export type NamespaceClaim = { claim: 'create' } | { claim: 'ours' } | { claim: 'refused'; error: EnvironmentError };

export function isOwnNamespace(ns: KubernetesObject | undefined, run: string): boolean {
  return ns?.metadata?.labels?.[RUN_LABEL_KEY] === run;
}

/** What run `run` may do with namespace `name`, given what the cluster holds under that name (undefined: nothing). */
export function claimNamespace(name: string, existing: KubernetesObject | undefined, run: string): NamespaceClaim {
  if (!existing) return { claim: 'create' };
  if (isOwnNamespace(existing, run)) return { claim: 'ours' };
  const other = existing.metadata?.labels?.[RUN_LABEL_KEY];
  const problem = other
    ? `exists and belongs to run ${other} (label ${RUN_LABEL_KEY}=${other}), not to this run ${run}`
    : isManaged(existing)
      ? `exists with this suite's managed-by label but no run's label (${RUN_LABEL_KEY}): made by hand or by another tool, not by this run ${run}`
      : "exists and is not this suite's";
  const fix = other
    ? `let run ${other} finish (it removes its namespaces), or if it was killed: \`npx cm-vault-e2e clean\` (or \`kubectl delete ns ${name}\` once you know it is no one's)`
    : `this run writes only into namespaces it creates: remove or rename yours (\`kubectl delete ns ${name}\` if it is no one's)`;
  return { claim: 'refused', error: new EnvironmentError(`namespace ${name}`, problem, fix) };
}

/** The calls claiming a namespace takes (a Kube in the backend, fakes in tests). */
export interface NamespaceCalls {
  /** Creates it; throws a 409 (`code`/`statusCode`) when the name is taken. */
  create(ns: KubernetesObject): Promise<unknown>;
  read(name: string): Promise<KubernetesObject | undefined>;
  delete(name: string): Promise<void>;
}

const conflict = (err: unknown) => {
  const e = err as { code?: number; statusCode?: number };
  return (e?.code ?? e?.statusCode) === 409;
};

/**
 * Creates `ns` (labelled with the run already) unless it exists; answers whether this run made it now ('created')
 * or before ('ours'), and throws the claim's error for anyone else's. Create, not apply: server-side apply with
 * force would take over a namespace of someone else's and relabel it as this run's.
 */
export async function ensureOwnNamespace(calls: NamespaceCalls, ns: KubernetesObject, run: string): Promise<'created' | 'ours'> {
  const name = ns.metadata!.name!;
  for (let attempt = 0; ; attempt++) {
    try {
      await calls.create(ns);
      return 'created';
    } catch (err) {
      if (!conflict(err)) throw err;
    }
    const found = await calls.read(name);
    const c = claimNamespace(name, found, run);
    if (c.claim === 'ours') return 'ours';
    if (c.claim === 'refused') throw c.error;
    // deleted between the create and the read (the end of a terminating namespace): try once more
    if (attempt > 0) throw new EnvironmentError(`namespace ${name}`, 'was taken and freed again while this run created it', 'run again');
  }
}

/** Deletes namespace `name` only when it carries this run's label; answers whether it did. */
export async function deleteOwnNamespace(calls: NamespaceCalls, name: string, run: string): Promise<boolean> {
  if (!isOwnNamespace(await calls.read(name), run)) return false;
  await calls.delete(name);
  return true;
}
