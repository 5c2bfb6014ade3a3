import type { KubernetesObject } from '@kubernetes/client-node';

/** The names and labels the suite gives what it makes, defined once. */

/** Kubernetes objects this suite makes carry this label; `clean` and the existing backend select by it. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'cm-vault-e2e' } as const;
export const MANAGED_BY_SELECTOR = 'app.kubernetes.io/managed-by=cm-vault-e2e';

/** Every Docker image, container and network this suite makes carries this label (value `true`). */
export const PROJECT_LABEL_KEY = 'io.cm-vault-e2e';
export const PROJECT_LABEL = `${PROJECT_LABEL_KEY}=true`;

/** Where ClusterIssuer scenarios request their Certificates. */
export const PROBE_NAMESPACE = 'cm-vault-e2e-probe';
/** Where the reviewer ServiceAccounts Vault's Kubernetes auth uses live. */
export const REVIEWER_NAMESPACE = 'vault-system';

export function isManaged(o: KubernetesObject | undefined): boolean {
  return o?.metadata?.labels?.['app.kubernetes.io/managed-by'] === MANAGED_BY['app.kubernetes.io/managed-by'];
}

export function withManagedLabel<T extends KubernetesObject>(o: T): T {
  return { ...o, metadata: { ...o.metadata, labels: { ...MANAGED_BY, ...(o.metadata?.labels ?? {}) } } };
}

/** apiVersion/kind/namespace/name: one object, as a Cleaner key. */
export function objectKey(o: KubernetesObject): string {
  return [o.apiVersion, o.kind, o.metadata?.namespace ?? '', o.metadata?.name].join('/');
}
