import { InputError } from '../../lib/errors.ts';

/**
 * Where provisioning takes a component from (`CM_VAULT_E2E_SOURCE`):
 *  - `auto` (unset): the official release or image where one is declared, else (or when it cannot be had) the build;
 *  - `official`: the official one where one is declared, and an error instead of the build when it cannot be had;
 *  - `build`: always the build from pinned sources, never the network beyond the Go module proxy.
 * Components with no official road (cert-manager's binaries, kubeadm's images) are built under every policy.
 */
export type SourcePolicy = 'auto' | 'official' | 'build';

export const SOURCE_ENV = 'CM_VAULT_E2E_SOURCE';

/** The policy `CM_VAULT_E2E_SOURCE` in `env` names (cli/run-settings.ts passes the process environment). */
export function sourcePolicy(env: NodeJS.ProcessEnv): SourcePolicy {
  const v = (env[SOURCE_ENV] ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if (v === 'official' || v === 'build') return v;
  throw new InputError({ file: 'environment', field: SOURCE_ENV }, `unknown source "${env[SOURCE_ENV]}"`, 'use official, build or leave it unset (official first, build as the fallback)');
}

/** The one sentence a log line or an error gives for a failure (first line, bounded). */
export function shortReason(err: unknown, max = 200): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
