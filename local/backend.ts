import type { RunOptions } from '../runner/run.ts';
import type { Versions } from '../scenarios/versions.ts';
import { LocalEnvironment } from './environment.ts';

/** The process-cluster backend as the runner sees it. */
export function localBackend(versions: Versions): Pick<RunOptions, 'startEnvironment' | 'skipReason'> {
  const helm = versions.pinned.helm?.version ?? 'v3.19.0';
  return {
    startEnvironment: (key, first) =>
      LocalEnvironment.start({
        key,
        profile: first.profile,
        kubernetes: first.cluster.kubernetes,
        certManager: first.certManager.upgrade ? first.certManager.upgrade.from : first.certManager.version,
        helm,
      }),
    skipReason: (plan) => {
      if (plan.certManager.upgrade) return 'upgrade scenarios are not run by this backend yet (issue 6)';
      if (plan.vault.engine === 'openbao' && !process.env.CM_VAULT_E2E_BAO) return 'no OpenBao binary here: the Go module proxy serves no OpenBao module (set CM_VAULT_E2E_BAO)';
      return undefined;
    },
  };
}
