import { environmentSpec } from '../runner/environment-spec.ts';
import type { RunOptions } from '../runner/run.ts';
import type { Versions } from '../scenarios/versions.ts';
import { LocalEnvironment } from './environment.ts';

/** The process-cluster backend as the runner sees it. */
export function localBackend(versions: Versions): Pick<RunOptions, 'startEnvironment' | 'skipReason'> {
  return {
    startEnvironment: (key, first) => LocalEnvironment.start(environmentSpec(key, first, versions)),
    // Every dimension runs here; in-cluster placement is emulated (see LocalEnvironment.notes).
    skipReason: () => undefined,
  };
}
