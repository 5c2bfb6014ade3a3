import { environmentSpec } from '../runner/environment-spec.ts';
import type { RunOptions } from '../runner/run.ts';
import type { Versions } from '../scenarios/versions.ts';
import { KindEnvironment } from './environment.ts';

/** The kind backend as the runner sees it (same shape as local/backend.ts). */
export function kindBackend(versions: Versions): Pick<RunOptions, 'startEnvironment' | 'skipReason'> {
  return {
    startEnvironment: (key, first) => KindEnvironment.start(environmentSpec(key, first, versions)),
    // Every dimension runs here, both placements for real.
    skipReason: () => undefined,
  };
}
