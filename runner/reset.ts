import type { KubernetesObject } from '@kubernetes/client-node';
import { statusCode, type Kube } from '../lib/kube.ts';
import { MANAGED_BY_SELECTOR } from '../lib/names.ts';
import { poll, waiting } from '../lib/wait.ts';

/**
 * A kept environment's clean state (`run --reuse`): what the cluster held right after cert-manager came up — its
 * namespaces and, inside them, the ServiceAccounts, Roles, RoleBindings and Secrets — and nothing of any scenario.
 * The reset deletes what is not in the baseline; `leftovers()` is the proof, taken after the reset and before the
 * environment is kept or adopted: any namespace, ServiceAccount, Role, RoleBinding or Secret beyond the baseline,
 * any Issuer, ClusterIssuer, Certificate or CertificateRequest, and any cluster-scoped RBAC the suite labelled.
 * Vault holds no state across runs: every Vault is stopped at the end of a run and a fresh one starts in the next.
 *
 * A cluster without a namespace controller (the process cluster) never finishes deleting a namespace, and a
 * Terminating namespace takes no new objects: there (`namespaces: 'empty'`) the scenarios' namespaces are emptied
 * instead and stay, as they do between the scenarios of one run.
 */
export interface Baseline {
  namespaces: string[];
  /** `<namespace>/<kind>/<name>` of the namespaced objects below. */
  objects: string[];
  /** Namespaces beyond the baseline are deleted, or (no namespace controller) emptied and left. */
  extraNamespaces: 'delete' | 'empty';
}

const NAMESPACED: Array<[string, string]> = [
  ['v1', 'ServiceAccount'],
  ['v1', 'Secret'],
  ['rbac.authorization.k8s.io/v1', 'Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
];
const CERT_MANAGER_KINDS: Array<[string, string]> = [
  ['cert-manager.io/v1', 'Issuer'],
  ['cert-manager.io/v1', 'ClusterIssuer'],
  ['cert-manager.io/v1', 'Certificate'],
  ['cert-manager.io/v1', 'CertificateRequest'],
];
const LABELLED_CLUSTER_RBAC: Array<[string, string]> = [
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
];

const nameOf = (o: KubernetesObject) => o.metadata?.name ?? '';
const list = async (kube: Kube, apiVersion: string, kind: string, labelSelector?: string) =>
  (await kube.objects.list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, labelSelector)).items.map((o) => ({ ...o, apiVersion, kind }));

export async function takeBaseline(kube: Kube, extraNamespaces: Baseline['extraNamespaces']): Promise<Baseline> {
  const namespaces = (await list(kube, 'v1', 'Namespace')).map(nameOf).sort();
  const objects: string[] = [];
  for (const [apiVersion, kind] of NAMESPACED) for (const o of await list(kube, apiVersion, kind)) objects.push(`${o.metadata?.namespace}/${kind}/${nameOf(o)}`);
  return { namespaces, objects: objects.sort(), extraNamespaces };
}

/** What the cluster holds beyond its baseline, as `kind namespace/name` lines; empty when clean. */
export async function leftovers(kube: Kube, baseline: Baseline): Promise<string[]> {
  return (await extras(kube, baseline)).map((o) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${nameOf(o)}`);
}

async function extras(kube: Kube, baseline: Baseline): Promise<KubernetesObject[]> {
  const out: KubernetesObject[] = [];
  const baseNs = new Set(baseline.namespaces);
  const baseObjects = new Set(baseline.objects);
  const deleting = baseline.extraNamespaces === 'delete';
  if (deleting) out.push(...(await list(kube, 'v1', 'Namespace')).filter((n) => !baseNs.has(nameOf(n))));
  // what lives in a namespace that goes anyway is not listed twice; what a namespace controller makes in every
  // namespace (the default ServiceAccount) is no scenario's
  const counts = (o: KubernetesObject) => (deleting ? baseNs.has(o.metadata?.namespace ?? '') : true) || !o.metadata?.namespace;
  for (const [apiVersion, kind] of NAMESPACED) {
    out.push(...(await list(kube, apiVersion, kind)).filter((o) => counts(o) && !baseObjects.has(`${o.metadata?.namespace}/${kind}/${nameOf(o)}`) && !(kind === 'ServiceAccount' && nameOf(o) === 'default' && !baseNs.has(o.metadata?.namespace ?? ''))));
  }
  // a cluster without cert-manager's CRDs (one between two environments) serves none of these kinds, so holds none
  const served = async (apiVersion: string, kind: string) => list(kube, apiVersion, kind).catch((err: unknown) => (statusCode(err) === 404 ? [] : Promise.reject(err)));
  for (const [apiVersion, kind] of CERT_MANAGER_KINDS) out.push(...(await served(apiVersion, kind)).filter(counts));
  for (const [apiVersion, kind] of LABELLED_CLUSTER_RBAC) out.push(...(await list(kube, apiVersion, kind, MANAGED_BY_SELECTOR)));
  return out;
}

/** Deletes everything beyond the baseline, without waiting for namespaces to finish terminating. */
export async function deleteExtras(kube: Kube, baseline: Baseline): Promise<void> {
  for (const o of await extras(kube, baseline)) if (!o.metadata?.deletionTimestamp) await kube.delete(o);
}

/**
 * Deletes everything beyond the baseline and waits until it is gone; answers what is still there (empty: clean).
 * Deleted namespaces take seconds to go (the namespace controller's grace period, then their pods stopping): until
 * they have, only the namespaces are asked after, one list, and the whole proof (`leftovers`, eleven lists, Secrets
 * of every namespace among them) is taken once they are gone.
 */
export async function resetToBaseline(kube: Kube, baseline: Baseline, timeoutMs = 90_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  await deleteExtras(kube, baseline);
  if (baseline.extraNamespaces === 'delete') {
    const base = new Set(baseline.namespaces);
    await poll(async () => {
      const extra = (await list(kube, 'v1', 'Namespace')).map(nameOf).filter((n) => !base.has(n));
      return extra.length ? waiting(extra.join(', ')) : true;
    }, { timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 250 });
  }
  const r = await poll(async () => {
    const left = await leftovers(kube, baseline);
    return left.length ? waiting(left.join(', ')) : true;
  }, { timeoutMs: Math.max(500, deadline - Date.now()), intervalMs: 500 });
  return r.ok ? [] : r.last.split(', ');
}
