import { failingOnPurpose } from './failure-evidence.ts';
import { describeCatalogue } from './fixtures.ts';

// The catalogue on the process cluster: real etcd, kube-apiserver, cert-manager controller and Vault.
// CM_VAULT_E2E_FILTER narrows it (same syntax as `run --filter`).
describeCatalogue('local', process.env.CM_VAULT_E2E_FILTER, failingOnPurpose);
