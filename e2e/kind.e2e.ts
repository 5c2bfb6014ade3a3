import { failingOnPurpose } from './failure-evidence.ts';
import { describeCatalogue } from './fixtures.ts';

// The catalogue on kind clusters: cert-manager by Helm in the cluster, Vault as a Deployment (in-cluster) or a
// container on the kind network (external). By default the smoke set (tag=smoke: an in-cluster scenario Ready,
// the client-jwt audience refusal with the apiserver's line, the same made Ready by `audiences`);
// CM_VAULT_E2E_KIND_FILTER=all runs the whole catalogue, any other value is a `run --filter` expression.
const filter = process.env.CM_VAULT_E2E_KIND_FILTER ?? 'tag=smoke';
describeCatalogue('kind', filter === 'all' ? process.env.CM_VAULT_E2E_FILTER : filter, failingOnPurpose);
