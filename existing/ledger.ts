/**
 * Everything this backend makes on someone else's cluster goes through `OwnedKube`: each object gets the label
 * app.kubernetes.io/managed-by=cm-vault-e2e and the run's label (`io.cm-vault-e2e.run=<id>`), and an entry in the
 * environment's Cleaner (lib/cleaner.ts), which undoes it newest first. When the run is killed instead, the next
 * one finds its objects by that label (existing/reap.ts).
 * Namespaces that existed before the run without the label are never labelled or deleted.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { finalizerNudger } from '../certmanager/crds.ts';
import type { Cleaner } from '../lib/cleaner.ts';
import { Kube } from '../lib/kube.ts';
import { poll, waiting } from '../lib/wait.ts';
import { objectKey, withManagedLabel } from '../lib/names.ts';
import { RUN_LABEL_KEY } from '../lib/ledger.ts';

/**
 * The kinds this backend makes, namespaced ones first: what reaping a killed run lists by its label. OwnedKube
 * refuses any other kind, so a new one cannot be made without reaping knowing it.
 */
export const REAPED_KINDS = [
  { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', namespaced: true },
  { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', namespaced: true },
  { apiVersion: 'v1', kind: 'Secret', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', namespaced: true },
  { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', namespaced: false },
  { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', namespaced: false },
  { apiVersion: 'v1', kind: 'Namespace', namespaced: false },
] as const;

/** Kinds whose deletion only starts it: their finalizers empty them first, and waitGone waits for them. */
export const FINALIZED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'CustomResourceDefinition']);

/** `o` with the suite's label and the run's; a kind reaping would not find is refused. */
export function runLabelled<T extends KubernetesObject>(o: T, run: string): T {
  if (!REAPED_KINDS.some((k) => k.apiVersion === o.apiVersion && k.kind === o.kind)) {
    throw new Error(`${o.apiVersion} ${o.kind} is not in REAPED_KINDS (existing/ledger.ts): add it there, or a killed run's would be left on the cluster`);
  }
  const own = withManagedLabel(o);
  return { ...own, metadata: { ...own.metadata, labels: { ...own.metadata?.labels, [RUN_LABEL_KEY]: run } } };
}

export class OwnedKube extends Kube {
  constructor(
    kc: KubeConfig,
    readonly ledger: Cleaner,
    /** Namespaces present before the run without the suite's label. */
    private readonly foreignNamespaces: ReadonlySet<string>,
    /** The run whose label every object gets. */
    private readonly run: string,
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
    const out = await super.apply(this.isForeign(obj) ? obj : runLabelled(obj, this.run), opts);
    this.record(obj);
    return out;
  }

  override async create<T extends KubernetesObject>(obj: T, opts: { strict?: boolean } = {}): Promise<T> {
    const out = await super.create(runLabelled(obj, this.run), opts);
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
 * finalizers remove the contents first). A CRD whose finalizer backs off after `storage is (re)initializing` is
 * queued again (finalizerNudger). Answers the keys still there at the deadline.
 */
export async function waitGone(kube: Kube, keys: string[], timeoutMs: number): Promise<string[]> {
  let left = keys;
  const nudge = finalizerNudger(kube);
  await poll(async () => {
    const present = await Promise.all(left.map((key) => {
      const o = clusterObjectOfKey(key);
      // an answer other than 404 (a busy API server) counts as still there: keep waiting, as for a namespace before
      return kube.read(o.apiVersion, o.kind, o.name).then((found) => found !== undefined, () => true);
    }));
    left = left.filter((_, i) => present[i]);
    await nudge(left.map(clusterObjectOfKey).filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.name));
    return left.length ? waiting() : true;
  }, { timeoutMs, intervalMs: 500 });
  return left;
}

/** Waits until the namespaces are gone; answers those still there at the deadline. */
export async function waitNamespacesGone(kube: Kube, namespaces: string[], timeoutMs: number): Promise<string[]> {
  const left = await waitGone(kube, namespaces.map((name) => `v1/Namespace//${name}`), timeoutMs);
  return left.map((key) => clusterObjectOfKey(key).name);
}
