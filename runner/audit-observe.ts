import type { AuditEntry } from '../scenarios/types.ts';
import { parseAuditLine, scenarioEntries } from '../vault/audit-log.ts';
import { AUDIT_DEVICE, auditHash } from '../vault/configure/audit.ts';
import type { VaultHandle } from './environment.ts';
import { INVALID_AUDIENCE, JWT_BOUND_AUDIENCE_ERROR, JWT_NO_BOUND_AUDIENCES_ERROR, PERMISSION_DENIED } from '../scenarios/oracle/messages.ts';
import { ACL_PERMISSION_DENIED } from '../scenarios/oracle/vault-policy.ts';

/** Vault's error texts the oracle knows: an error response's HMAC'd `data.error` is compared with their HMACs. */
const KNOWN_ERRORS = [PERMISSION_DENIED, INVALID_AUDIENCE, JWT_BOUND_AUDIENCE_ERROR, JWT_NO_BOUND_AUDIENCES_ERROR, ACL_PERMISSION_DENIED];

/**
 * Splits what Vault wrote since the scenario's mark into its server log and its audit entries (the audit device
 * writes to the same stream), keeping the entries of this scenario: logins carrying the role's HMAC, and signs.
 */
export async function observeAudit(vault: VaultHandle, lines: readonly string[], role: string, signPath: string): Promise<{ logLines: string[]; entries?: AuditEntry[] }> {
  const logLines: string[] = [];
  const all: AuditEntry[] = [];
  for (const line of lines) {
    const entry = parseAuditLine(line);
    if (entry) all.push(entry);
    else logLines.push(line);
  }
  if (vault.auditUnavailable) return { logLines };
  const roleHmac = await auditHash(vault.admin, role);
  const entries = scenarioEntries(all, { roleHmac, signPath });
  if (entries.some((e) => e.responseError?.startsWith('hmac-sha256:'))) {
    const known = new Map<string, string>();
    for (const text of KNOWN_ERRORS) known.set(await auditHash(vault.admin, text), text);
    for (const e of entries) {
      const text = e.responseError && known.get(e.responseError);
      if (text) e.responseErrorIs = text;
    }
  }
  return { logLines, entries };
}

export function auditEvidence(entries: readonly AuditEntry[] | undefined, unavailable?: string): string {
  if (!entries) return JSON.stringify({ device: null, unavailable: unavailable ?? 'no audit entries were read' }, null, 2);
  const device = { path: `${AUDIT_DEVICE.path}/`, type: AUDIT_DEVICE.type, file_path: AUDIT_DEVICE.filePath, note: "the entries are JSON lines of the server's output; request data stays HMAC'd" };
  return JSON.stringify({ device, entries }, null, 2);
}
