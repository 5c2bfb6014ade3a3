import type { AuditEntry } from '../scenarios/types.ts';

/**
 * One JSON line of Vault's audit log, reduced to what the suite keeps: path, operation, remote address, the
 * request's `role` as written (HMAC'd), the error, and a login response's policies and metadata (clear text in
 * the log). Request data, tokens and accessors are never copied. Anything else on the stream is not an entry.
 */
export function parseAuditLine(line: string): AuditEntry | undefined {
  const start = line.indexOf('{"');
  if (start < 0 || !line.includes('"request"')) return undefined;
  let raw: RawEntry;
  try {
    raw = JSON.parse(line.slice(start)) as RawEntry;
  } catch {
    return undefined;
  }
  if ((raw.type !== 'request' && raw.type !== 'response') || typeof raw.request?.path !== 'string') return undefined;
  const entry: AuditEntry = {
    type: raw.type,
    time: String(raw.time ?? ''),
    path: raw.request.path,
    operation: String(raw.request.operation ?? ''),
    remoteAddress: String(raw.request.remote_address ?? ''),
  };
  const role = raw.request.data?.role;
  if (typeof role === 'string') entry.role = role;
  if (typeof raw.error === 'string' && raw.error) entry.error = raw.error;
  const dataError = raw.response?.data?.error;
  if (typeof dataError === 'string' && dataError) entry.responseError = dataError;
  const auth = raw.response?.auth;
  const policies = auth?.policies ?? auth?.token_policies;
  if (Array.isArray(policies)) entry.policies = policies.map(String);
  if (auth?.metadata && typeof auth.metadata === 'object') entry.metadata = Object.fromEntries(Object.entries(auth.metadata).map(([k, v]) => [k, String(v)]));
  if (typeof raw.auth?.display_name === 'string' && raw.auth.display_name) entry.displayName = raw.auth.display_name;
  return entry;
}

interface RawEntry {
  type?: string;
  time?: string;
  error?: string;
  /** The calling token (absent on a login request). */
  auth?: { display_name?: string };
  request?: { path?: string; operation?: string; remote_address?: string; data?: Record<string, unknown> };
  response?: { data?: Record<string, unknown>; auth?: { policies?: unknown[]; token_policies?: unknown[]; metadata?: Record<string, unknown> } };
}

export function isAuditLine(line: string): boolean {
  return parseAuditLine(line) !== undefined;
}

/** The entries of one scenario: its login (by the role's HMAC) and everything on the sign path after it. */
export function scenarioEntries(entries: readonly AuditEntry[], o: { roleHmac: string; signPath: string }): AuditEntry[] {
  return entries.filter((e) => (/^auth\/.+\/login$/.test(e.path) && e.role === o.roleHmac) || e.path === o.signPath);
}
