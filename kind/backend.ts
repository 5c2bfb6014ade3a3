import type { RunOptions } from '../runner/run.ts';
import type { Plan } from '../scenarios/types.ts';
import type { Versions } from '../scenarios/versions.ts';
import { KindEnvironment } from './environment.ts';

/** Why a plan cannot run on the kind backend yet, or undefined. */
export function kindSkipReason(plan: Plan): string | undefined {
  if (plan.vault.placement === 'in-cluster') return 'kind backend: Vault runs as a container beside the cluster; the in-cluster placement (Vault in a pod) is not implemented yet';
  return undefined;
}

/** The kind backend as the runner sees it (same shape as local/backend.ts). */
export function kindBackend(versions: Versions): Pick<RunOptions, 'startEnvironment' | 'skipReason'> {
  const helm = versions.pinned.helm?.version ?? 'v3.19.0';
  return {
    startEnvironment: (key, first) =>
      KindEnvironment.start({
        key,
        profile: first.profile,
        kubernetes: first.cluster.kubernetes,
        certManager: first.certManager.upgrade ? first.certManager.upgrade.from : first.certManager.version,
        helm,
      }),
    skipReason: kindSkipReason,
  };
}
