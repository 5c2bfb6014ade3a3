import type { RunOptions } from '../runner/run.ts';
import type { Versions } from '../scenarios/versions.ts';
import { KindEnvironment } from './environment.ts';

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
    // Every dimension runs here, both placements for real.
    skipReason: () => undefined,
  };
}
