import { existingBackend, type ExistingFlags, type ExistingRun } from '../existing/backend.ts';
import { KindEnvironment } from '../kind/environment.ts';
import { LocalEnvironment } from '../local/environment.ts';
import type { RunOptions } from '../runner/run.ts';
import { InputError } from '../lib/errors.ts';

/**
 * A backend as the runner sees it: how an environment starts from its spec, which plans it cannot run, and what
 * it holds for the whole run (an existing cluster's Lease), let go at the run's end.
 */
export type Backend = Pick<RunOptions, 'startEnvironment' | 'skipReason'> & { close?: () => Promise<void> };

export const BACKENDS = ['local', 'kind', 'existing'] as const;
export type BackendName = (typeof BACKENDS)[number];

/**
 * The process cluster and kind make their own cluster and run every dimension (the process cluster emulates the
 * in-cluster placement, and says so in its notes).
 */
export const ownClusterBackends: Readonly<Record<'local' | 'kind', Backend>> = {
  local: { startEnvironment: (spec, context) => LocalEnvironment.start(spec, context) },
  kind: { startEnvironment: (spec, context) => KindEnvironment.start(spec, context) },
};

/** An existing cluster is looked at first (existing/backend.ts): which scenarios fit depends on it. */
export async function backendFor(name: string, flags: ExistingFlags, run: ExistingRun): Promise<Backend> {
  if (name === 'local' || name === 'kind') return ownClusterBackends[name];
  if (name === 'existing') return existingBackend(flags, run);
  throw new InputError({ file: 'command line', field: '--backend' }, `unknown backend "${name}"`, `use --backend ${BACKENDS.join(' or ')}`);
}
