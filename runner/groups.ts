import type { Plan } from '../scenarios/types.ts';

/**
 * Scenarios that can share one cluster: same profile (and its audiences), Kubernetes and cert-manager.
 * Vault engines and versions differ freely inside a group: each gets its own Vault process beside the cluster.
 */
export function clusterKey(plan: Plan): string {
  // An upgrade changes the cluster it runs in, so each upgrade scenario gets a cluster of its own.
  const cm = plan.certManager.upgrade ? `${plan.certManager.upgrade.from}-to-${plan.certManager.upgrade.to}#${plan.id}` : plan.certManager.version;
  return [plan.profile.name, plan.profile.serviceAccountIssuer, plan.profile.apiAudiences.join(','), plan.cluster.kubernetes, cm].join('|');
}

export function groupByCluster(plans: Plan[]): Array<{ key: string; plans: Plan[] }> {
  const groups = new Map<string, Plan[]>();
  for (const p of plans) {
    const k = clusterKey(p);
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  return [...groups].map(([key, ps]) => ({ key, plans: ps }));
}
