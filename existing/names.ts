/** Namespaces the runner writes into, by the names runner/session.ts and runner/vault-setup.ts use. */
export const PROBE_NAMESPACE_NAME = 'cm-vault-e2e-probe';
export const REVIEWER_NAMESPACE_NAME = 'vault-system';
/** Where discovery mints its one token (deleted again when discovery ends). */
export const DISCOVERY_NAMESPACE = 'cm-vault-e2e-discovery';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'cm-vault-e2e' } as const;
