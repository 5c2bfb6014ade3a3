import type { ClusterProfile, Plan } from '../scenarios/types.ts';
import type { Versions } from '../scenarios/versions.ts';

/** The cert-manager an environment starts with: an upgrade scenario's `from`, else the plan's version. */
export function startingCertManager(plan: Plan): string {
  return plan.certManager.upgrade ? plan.certManager.upgrade.from : plan.certManager.version;
}

/** The pinned Helm (chart installs and `helm template`). */
export function pinnedHelm(versions: Versions): string {
  return versions.pinned.helm?.version ?? 'v3.19.0';
}

export interface EnvironmentSpec {
  key: string;
  profile: ClusterProfile;
  kubernetes: string;
  certManager: string;
  helm: string;
}

/** What a backend that makes its own cluster starts an environment from: the group's first plan and the pins. */
export function environmentSpec(key: string, first: Plan, versions: Versions): EnvironmentSpec {
  return { key, profile: first.profile, kubernetes: first.cluster.kubernetes, certManager: startingCertManager(first), helm: pinnedHelm(versions) };
}
