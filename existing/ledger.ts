/**
 * Everything this backend makes on someone else's cluster goes through `OwnedKube`: each object gets the label
 * app.kubernetes.io/managed-by=cm-vault-e2e and an entry in the environment's Cleaner (lib/cleaner.ts), which
 * undoes it newest first.
 * Namespaces that existed before the run without the label are never labelled or deleted.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Cleaner } from '../lib/cleaner.ts';
import { Kube } from '../lib/kube.ts';
import { poll, waiting } from '../lib/wait.ts';
import { objectKey, withManagedLabel } from '../lib/names.ts';

export class OwnedKube extends Kube {
  constructor(
    kc: KubeConfig,
    readonly ledger: Cleaner,
    /** Namespaces present before the run without the suite's label. */
    private readonly foreignNamespaces: ReadonlySet<string>,
  ) {
    super(kc);
  }

  private isForeign(o: KubernetesObject): boolean {
    return o.kind === 'Namespace' && this.foreignNamespaces.has(o.metadata?.name ?? '');
  }

  private record(o: KubernetesObject): void {
    if (this.isForeign(o)) return;
    this.ledger.add(objectKey(o), () => super.delete(o));
  }

  override async apply<T extends KubernetesObject>(obj: T, opts: { strict?: boolean } = {}): Promise<T> {
    const out = await super.apply(this.isForeign(obj) ? obj : withManagedLabel(obj), opts);
    this.record(obj);
    return out;
  }

  override async create<T extends KubernetesObject>(obj: T, opts: { strict?: boolean } = {}): Promise<T> {
    const out = await super.create(withManagedLabel(obj), opts);
    this.record(obj);
    return out;
  }

  override async delete(obj: KubernetesObject): Promise<void> {
    if (this.isForeign(obj)) return;
    await super.delete(obj);
    this.ledger.forget(objectKey(obj));
  }
}

/** A cluster-scoped object by the key `objectKey` gives it (`apiVersion/kind//name`, apiVersion may hold a slash). */
export function clusterObjectOfKey(key: string): { apiVersion: string; kind: string; name: string } {
  const parts = key.split('/');
  return { apiVersion: parts.slice(0, -3).join('/'), kind: parts.at(-3)!, name: parts.at(-1)! };
}

/**
 * Waits until the objects are gone: deleting a namespace or a CustomResourceDefinition only starts it (their
 * finalizers remove the contents first). Answers the keys still there at the deadline.
 */
export async function waitGone(kube: Kube, keys: string[], timeoutMs: number): Promise<string[]> {
  let left = keys;
  await poll(async () => {
    const present = await Promise.all(left.map((key) => {
      const o = clusterObjectOfKey(key);
      // an answer other than 404 (a busy API server) counts as still there: keep waiting, as for a namespace before
      return kube.read(o.apiVersion, o.kind, o.name).then((found) => found !== undefined, () => true);
    }));
    left = left.filter((_, i) => present[i]);
    return left.length ? waiting() : true;
  }, { timeoutMs, intervalMs: 500 });
  return left;
}

/** Waits until the namespaces are gone; answers those still there at the deadline. */
export async function waitNamespacesGone(kube: Kube, namespaces: string[], timeoutMs: number): Promise<string[]> {
  const left = await waitGone(kube, namespaces.map((name) => `v1/Namespace//${name}`), timeoutMs);
  return left.map((key) => clusterObjectOfKey(key).name);
}
