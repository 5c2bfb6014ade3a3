/**
 * Everything this backend makes on someone else's cluster goes through `OwnedKube`: each object gets the label
 * app.kubernetes.io/managed-by=cm-vault-e2e and an entry in the environment's Cleaner (lib/cleaner.ts), which
 * undoes it newest first.
 * Namespaces that existed before the run without the label are never labelled or deleted.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Cleaner } from '../lib/cleaner.ts';
import { Kube, statusCode } from '../lib/kube.ts';
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

/** Waits until the namespaces are gone (deletion is asynchronous); answers those still there at the deadline. */
export async function waitNamespacesGone(kube: Kube, namespaces: string[], timeoutMs: number): Promise<string[]> {
  let left = namespaces;
  await poll(async () => {
    const present = await Promise.all(left.map((name) => kube.core.readNamespace({ name }).then(() => true, (err) => statusCode(err) !== 404)));
    left = left.filter((_, i) => present[i]);
    return left.length ? waiting() : true;
  }, { timeoutMs, intervalMs: 500 });
  return left;
}
