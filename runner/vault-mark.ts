import { randomUUID } from 'node:crypto';
import { auditHash } from '../vault/configure/audit.ts';
import { poll, waiting } from '../lib/wait.ts';
import { completeLines } from './attribution.ts';
import type { VaultHandle } from './environment.ts';

/** How long a mark waits for its barrier entry to come through the log before it falls back to counting lines. */
export const BARRIER_WAIT_MS = 10_000;

/**
 * Where a stage's Vault lines start. A followed log (a container's stream) hands lines over a moment after Vault
 * wrote them, so counting the lines received so far can put the mark before lines the scenario before wrote: a
 * login cert-manager retried while that scenario's Issuer was being deleted. Under written names (`--parallel 1`)
 * such a login names the same mount and role, and would pass for this scenario's own.
 *
 * So the mark is a barrier: a fresh value hashed through the audit device (`sys/audit-hash`). Vault audits that
 * request, HMAC'ing the value with the same key, so its entry carries the returned hash; everything Vault wrote
 * before the request comes before that entry in the one stream, and the mark is just past it. A Vault without an
 * audit device, or a barrier that never shows, falls back to counting.
 */
export async function vaultLogMark(vault: Pick<VaultHandle, 'admin' | 'auditUnavailable' | 'logLines'>, hash: typeof auditHash = auditHash, waitMs = BARRIER_WAIT_MS): Promise<number> {
  if (vault.auditUnavailable) return completeLines(await vault.logLines());
  const barrier = await hash(vault.admin, `cm-vault-e2e log mark ${randomUUID()}`);
  const seen = await poll(async () => {
    const lines = await vault.logLines();
    for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.includes(barrier)) return i + 1;
    return waiting(`no audit entry with ${barrier} yet`);
  }, { timeoutMs: waitMs, intervalMs: 20 });
  return seen.ok ? seen.value : completeLines(await vault.logLines());
}
