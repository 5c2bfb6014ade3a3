import type { VaultEngine } from '../../scenarios/types.ts';
import { vaultCall, type VaultClient } from '../client.ts';

/**
 * A file audit device writing to the server's stdout: every placement already reads that stream (the process's log
 * file, `docker logs`, the pod log), so the audit entries reach the evidence without a volume or an exec per backend.
 * Values stay HMAC'd (the default); `sys/audit-hash` computes the HMAC of a known value to find its entries.
 */
export const AUDIT_DEVICE = { path: 'cm-vault-e2e', type: 'file', filePath: 'stdout' } as const;

/**
 * OpenBao refuses audit devices created through the API unless the server configuration sets
 * `unsafe_allow_api_audit_creation` (openbao/openbao@v2.6.2 vault/logical_system.go#SystemBackend.handleEnableAudit;
 * CHANGELOG 2.3.2, CVE-2025-54997) and creates the devices its configuration declares when it unseals
 * (vault/audit.go#Core.handleAuditLogSetup, command/server/config.go#parseAuditDevices; -dev merges -config files).
 * So an OpenBao placement declares the device in the server configuration; Vault has no such stanza and gets it
 * through the API. Empty for Vault.
 */
export function declaredAuditConfig(engine: VaultEngine): string {
  if (engine !== 'openbao') return '';
  return `audit "${AUDIT_DEVICE.type}" "${AUDIT_DEVICE.path}" {\n  options = {\n    file_path = "${AUDIT_DEVICE.filePath}"\n  }\n}\n`;
}

/**
 * Enables the device unless the server already has it (declared in its configuration); answers why not when the
 * server refuses it, so the environment still starts and the audit side is reported as not observable instead.
 */
export async function enableFileAudit(client: VaultClient): Promise<string | undefined> {
  const path = `sys/audit/${AUDIT_DEVICE.path}`;
  try {
    const enabled = (await vaultCall('listing audit devices', 'sys/audit', () => client.read('sys/audit'))) as { data?: Record<string, unknown> } & Record<string, unknown>;
    if (`${AUDIT_DEVICE.path}/` in (enabled.data ?? enabled)) return undefined;
    await vaultCall('enabling the file audit device', path, () => client.write(path, { type: AUDIT_DEVICE.type, options: { file_path: AUDIT_DEVICE.filePath } }));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The HMAC the audit device writes for `input` (`hmac-sha256:…`). */
export async function auditHash(client: VaultClient, input: string): Promise<string> {
  const path = `sys/audit-hash/${AUDIT_DEVICE.path}`;
  const answer = (await vaultCall('hashing a value for the audit log', path, () => client.write(path, { input }))) as { hash?: string; data?: { hash?: string } };
  return String(answer.data?.hash ?? answer.hash);
}

/** What the evidence says about the device. */
export function auditDeviceDescription(logFile: string): string {
  return `file audit device "${AUDIT_DEVICE.path}/" with file_path=${AUDIT_DEVICE.filePath}: its entries are the JSON lines of the server output (${logFile})`;
}
