/**
 * Everything this backend makes on someone else's cluster goes through `OwnedKube`: each object gets the label
 * app.kubernetes.io/managed-by=cm-vault-e2e and the run's label (`io.cm-vault-e2e.run=<id>`), and an entry in the
 * environment's Cleaner (lib/cleaner.ts), which undoes it newest first. When the run is killed instead, the next
 * one finds its objects by that label (existing/reap.ts).
 * Namespaces are created only where none is (never applied over one) and deleted only while they carry this run's
 * label: one that was there before, whoever made it, is never written into, relabelled or deleted
 * (existing/namespace-claim.ts).
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { finalizerNudger } from '../certmanager/crds.ts';
import type { Cleaner } from '../lib/cleaner.ts';
import { Kube } from '../lib/kube.ts';
import { poll, waiting } from '../lib/wait.ts';
import { objectKey, withManagedLabel } from '../lib/names.ts';
import { RUN_LABEL_KEY } from '../lib/ledger.ts';
import { deleteOwnNamespace, ensureOwnNamespace, type NamespaceCalls } from './namespace-claim.ts';

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
  // the run's hold on the cluster (existing/cluster-lease.ts), in kube-system
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespaced: true },
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
    /** The run whose label every object gets. */
    private readonly run: string,
  ) {
    super(kc);
  }

  private readonly namespaceCalls: NamespaceCalls = {
    create: (ns) => super.create(ns),
    read: (name) => this.read('v1', 'Namespace', name),
    delete: (name) => super.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  };

  private record(o: KubernetesObject): void {
    const name = o.metadata?.name ?? '';
    this.ledger.add(objectKey(o), () => (o.kind === 'Namespace' ? deleteOwnNamespace(this.namespaceCalls, name, this.run) : super.delete(o)));
  }

  override async apply<T extends KubernetesObject>(obj: T, opts: { strict?: boolean } = {}): Promise<T> {
    const own = runLabelled(obj, this.run);
    if (obj.kind === 'Namespace') return this.namespace(own);
    const out = await super.apply(own, opts);
    this.record(obj);
    return out;
  }

  override async create<T extends KubernetesObject>(obj: T, opts: { strict?: boolean } = {}): Promise<T> {
    const own = runLabelled(obj, this.run);
    if (obj.kind === 'Namespace') return this.namespace(own);
    const out = await super.create(own, opts);
    this.record(obj);
    return out;
  }

  /** Made only where none is; one already there is used only when this run made it. */
  private async namespace<T extends KubernetesObject>(ns: T): Promise<T> {
    await ensureOwnNamespace(this.namespaceCalls, ns, this.run);
    this.record(ns);
    return ns;
  }

  override async delete(obj: KubernetesObject): Promise<void> {
    if (obj.kind === 'Namespace') await deleteOwnNamespace(this.namespaceCalls, obj.metadata?.name ?? '', this.run);
    else await super.delete(obj);
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
