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
    // Every dimension runs here; in-cluster placement is emulated (see LocalEnvironment.notes).
    skipReason: () => undefined,
  };
}
