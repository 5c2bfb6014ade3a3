import type { AuditEntry } from '../scenarios/types.ts';
import { parseAuditLine, scenarioEntries } from '../vault/audit-log.ts';
import { AUDIT_DEVICE, auditHash } from '../vault/configure/audit.ts';
import type { VaultHandle } from './environment.ts';

/**
 * Splits what Vault wrote since the scenario's mark into its server log and its audit entries (the audit device
 * writes to the same stream), keeping the entries of this scenario: logins carrying the role's HMAC, and signs.
 */
export async function observeAudit(vault: VaultHandle, lines: readonly string[], role: string): Promise<{ logLines: string[]; entries?: AuditEntry[] }> {
  const logLines: string[] = [];
  const all: AuditEntry[] = [];
  for (const line of lines) {
    const entry = parseAuditLine(line);
    if (entry) all.push(entry);
    else logLines.push(line);
  }
  if (vault.auditUnavailable) return { logLines };
  const roleHmac = await auditHash(vault.admin, role);
  return { logLines, entries: scenarioEntries(all, { roleHmac, signPath: `${vault.pkiMount}/sign/${vault.pkiRole}` }) };
}

export function auditEvidence(entries: readonly AuditEntry[] | undefined, unavailable?: string): string {
  if (!entries) return JSON.stringify({ device: null, unavailable: unavailable ?? 'no audit entries were read' }, null, 2);
  const device = { path: `${AUDIT_DEVICE.path}/`, type: AUDIT_DEVICE.type, file_path: AUDIT_DEVICE.filePath, note: "the entries are JSON lines of the server's output; request data stays HMAC'd" };
  return JSON.stringify({ device, entries }, null, 2);
}
