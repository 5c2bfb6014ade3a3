import type { EnvironmentFacts, Plan } from './types.ts';

export const NOMINAL_VAULT_SERVER = {
  'in-cluster': 'https://vault.vault.svc:8200',
  external: 'https://127.0.0.1:8200',
} as const;

export const NOMINAL_CLUSTER_RESOURCE_NAMESPACE = 'cert-manager';

/** Facts for `list` and `explain` when no environment runs: what provisioning normally produces for this plan. */
export function nominalFacts(plan: Plan): EnvironmentFacts {
  return {
    vaultServer: NOMINAL_VAULT_SERVER[plan.vault.placement],
    clusterResourceNamespace: NOMINAL_CLUSTER_RESOURCE_NAMESPACE,
    apiAudiences: [...plan.profile.apiAudiences],
    serviceAccountIssuer: plan.profile.serviceAccountIssuer,
  };
}
