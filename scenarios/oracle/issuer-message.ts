import type { ExplainStep } from '../types.ts';
import type { OracleContext } from './model.ts';
import { all, certManager } from './sources.ts';
import { atLeastPatch } from './version.ts';

/** cert-manager's pkg/issuer/vault/setup.go#messageVaultClientInitFailed, the prefix of every Issuer error message here. */
export const VAULT_CLIENT_INIT_FAILED = 'Failed to initialize Vault client';

/** internal/vault/errors.go#maxVaultErrorMessageLength (v1.21.2+): bytes of an error kept in Issuer status and Events. */
export const MAX_VAULT_ERROR_MESSAGE_LENGTH = 1024;
/** pkg/util/errors/errors.go#TruncationMarker (v1.21.2+). */
export const TRUNCATION_MARKER = '... (truncated)';

/**
 * pkg/util/errors/errors.go#TruncateMessage (v1.21.2+): at most `max` bytes in all, the marker included; a rune
 * cut in half is dropped and trailing whitespace trimmed before the marker.
 */
export function truncateMessage(s: string, max: number): string {
  if (max <= 0) return '';
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length <= max) return s;
  const marker = Buffer.byteLength(TRUNCATION_MARKER);
  if (max <= marker) return validPrefix(bytes, max);
  return validPrefix(bytes, max - marker).replace(/[ \t\r\n]+$/, '') + TRUNCATION_MARKER;
}

/** The first `n` bytes of valid UTF-8, less a trailing partial rune (what strings.ToValidUTF8(…, "") leaves). */
function validPrefix(bytes: Buffer, n: number): string {
  let end = n;
  // A continuation byte (10xxxxxx) right after the cut means the cut fell inside a rune: drop that rune.
  while (end > 0 && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** What the Vault client got back, as far as the Issuer message depends on it. */
export type VaultAnswer =
  /** Not an HTTP answer from the server (a local error, or the Kubernetes API's). */
  | { kind: 'local' }
  /** An HTTP answer whose body decoded as Vault's `{"errors": [...]}` envelope (every real Vault and OpenBao error). */
  | { kind: 'vault-error' }
  /** An HTTP answer whose body is not Vault's envelope (a proxy's HTML page, say): api.ResponseError.RawError. */
  | { kind: 'raw-body'; status: number };

export interface IssuerMessage {
  message: string;
  /** Present where the release does something to the chain (v1.21.2+). */
  step?: ExplainStep;
}

/**
 * The Issuer's Ready=False message for an error `chain` out of vault.New (setup.go#Vault.Setup). Up to v1.21.1 it is
 * the chain as it is. From v1.21.2 (cert-manager PR #9206) it goes through internal/vault/errors.go#SafeErrorMessage:
 * an answer whose body is not a Vault error envelope is replaced by a fixed sentence naming the HTTP status, and
 * every other error is cut to 1024 bytes. A chain from a real Vault or OpenBao is a Vault error envelope and far
 * shorter than 1024 bytes, so those messages do not change across the v1.21.1 → v1.21.2 patch.
 */
export function issuerErrorMessage(ctx: OracleContext, chain: string, answer: VaultAnswer): IssuerMessage {
  const v = ctx.certManager;
  if (!atLeastPatch(v, 1, 21, 2)) return { message: `${VAULT_CLIENT_INIT_FAILED}: ${chain}` };
  const safe = all(
    certManager(v, 'pkg/issuer/vault/setup.go', 'Vault.Setup'), certManager(v, 'internal/vault/errors.go', 'SafeErrorMessage'), certManager(v, 'pkg/util/errors/errors.go', 'TruncateMessage'));
  if (answer.kind === 'raw-body') {
    const sentence = `the Vault server returned an HTTP ${answer.status} response which is not a Vault error response; the response body has been omitted and can be found in the cert-manager logs`;
    return {
      message: `${VAULT_CLIENT_INIT_FAILED}: ${sentence}`,
      step: { step: 'Issuer message', detail: `cert-manager ${v.tag} keeps a response body that is not a Vault error envelope out of the Issuer status and names only its HTTP status.`, source: safe },
    };
  }
  const kept = truncateMessage(chain, MAX_VAULT_ERROR_MESSAGE_LENGTH);
  const detail =
    kept === chain
      ? `cert-manager ${v.tag} keeps the error in the Issuer status as it is: ${Buffer.byteLength(chain)} bytes, within the ${MAX_VAULT_ERROR_MESSAGE_LENGTH}-byte bound.`
      : `cert-manager ${v.tag} cuts the ${Buffer.byteLength(chain)}-byte error to ${MAX_VAULT_ERROR_MESSAGE_LENGTH} bytes, ending in "${TRUNCATION_MARKER}".`;
  return { message: `${VAULT_CLIENT_INIT_FAILED}: ${kept}`, step: { step: 'Issuer message', detail, source: safe } };
}
