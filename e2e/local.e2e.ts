import { failingOnPurpose } from './failure-evidence.ts';
import { describeCatalogue } from './fixtures.ts';

// The catalogue on the process cluster: real etcd, kube-apiserver, cert-manager controller and Vault.
// By default the scenarios CI builds the versions of (ci=true: versions.yaml `ci`); CM_VAULT_E2E_FILTER is a
// `run --filter` expression instead (`ci=*` for the whole catalogue). `npm run test:e2e` provisions the same set.
describeCatalogue('local', process.env.CM_VAULT_E2E_FILTER ?? 'ci=true', failingOnPurpose);
