import type { AuditEntry } from '../scenarios/types.ts';
import { goQuoteSlice } from '../scenarios/oracle/messages.ts';

/**
 * Which log lines are whose, when several scenarios share an API server, a cert-manager and a Vault. Each scenario
 * registers markers only its own lines carry: the `token audiences [...]` its tokens bring to the API server, the
 * accessor Vault's auth plugin prefixes its log lines with (`auth.kubernetes.auth_kubernetes_<accessor>:`), its
 * login path and token display name in the audit log, its object names in cert-manager's log.
 *
 * The rule is conservative: a line is left out of a scenario's observation only when it carries another
 * scenario's marker and none of its own. A line nobody's marker names stays in every observation whose window it
 * falls in: a verdict may then fail on a line it cannot place, but never passes by missing its own line. Markers
 * that two scenarios share (two tokens with the same audiences) cannot tell them apart, so the scheduler never runs
 * such scenarios at once (runner/schedule.ts).
 */
export interface Markers {
  /** API server log: the audience-refusal fragment its tokens would produce. */
  apiserver: RegExp[];
  /** Vault server log: its auth mount's accessor. */
  vault: RegExp[];
  /** Audit log: `auth/<mount>/login` paths of its mounts (the auth's and the one its Issuer names). */
  auditPaths: string[];
  /** Audit log: prefixes of the display names its tokens carry (`<mount>-`). */
  auditDisplayPrefixes: string[];
  /** cert-manager's log: its Issuer's and namespace's names. */
  names: RegExp[];
}

export const NO_MARKERS: Markers = { apiserver: [], vault: [], auditPaths: [], auditDisplayPrefixes: [], names: [] };

/**
 * How many lines a log holds so far. A log read as `text.split('\n')` ends in '' after its last newline; counting
 * that element as a line would put the mark one past it and hide the next line written, the very line a
 * scenario's verdict may need.
 */
export function completeLines(lines: readonly string[]): number {
  return lines.at(-1) === '' ? lines.length - 1 : lines.length;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The fragment the API server logs when it refuses a token with these audiences (klog escapes the quotes). */
export function audienceMarker(audiences: readonly string[]): RegExp {
  const fragment = `token audiences ${goQuoteSlice(audiences)} is invalid`;
  // The log has it klog-escaped (\"a\"); accept both forms.
  return new RegExp(`${escape(fragment)}|${escape(fragment.replace(/(["\\])/g, '\\$1'))}`);
}

/** A Kubernetes name as a whole word (`vault-issuer` does not match inside `vault-issuer-1a2b3`). */
export function nameMarker(name: string): RegExp {
  return new RegExp(`(?<![\\w.-])${escape(name)}(?![\\w.-])`);
}

/** The name Vault's plugin logger carries: `auth.<type>.<accessor>:`. */
export function accessorMarker(accessor: string): RegExp {
  return new RegExp(`\\.${escape(accessor)}:`);
}

const carries = (line: string, markers: readonly RegExp[]) => markers.some((m) => m.test(line));

/** The lines of `lines` that are not positively another scenario's. */
export function attributeLines(lines: readonly string[], own: readonly RegExp[], others: readonly RegExp[]): string[] {
  if (!others.length) return [...lines];
  return lines.filter((l) => carries(l, own) || !carries(l, others));
}

function auditKeys(e: AuditEntry, m: Pick<Markers, 'auditPaths' | 'auditDisplayPrefixes'>): boolean {
  return m.auditPaths.includes(e.path) || (!!e.displayName && m.auditDisplayPrefixes.some((p) => e.displayName!.startsWith(p)));
}

/** The audit entries that are not positively another scenario's (by login path or token display name). */
export function attributeAudit(entries: readonly AuditEntry[], own: Markers, others: readonly Markers[]): AuditEntry[] {
  return entries.filter((e) => auditKeys(e, own) || !others.some((o) => auditKeys(e, o)));
}

/**
 * The markers of every scenario of one environment, by scenario id. A scenario's markers grow as it learns them
 * (a mount's accessor exists once the mount does); finished scenarios stay registered, since their last lines
 * may land in a neighbour's window.
 */
export class Neighbourhood {
  private readonly markers = new Map<string, Markers>();

  add(id: string, m: Partial<Markers>): void {
    const cur = this.markers.get(id) ?? { ...NO_MARKERS };
    this.markers.set(id, {
      apiserver: [...cur.apiserver, ...(m.apiserver ?? [])],
      vault: [...cur.vault, ...(m.vault ?? [])],
      auditPaths: [...cur.auditPaths, ...(m.auditPaths ?? [])],
      auditDisplayPrefixes: [...cur.auditDisplayPrefixes, ...(m.auditDisplayPrefixes ?? [])],
      names: [...cur.names, ...(m.names ?? [])],
    });
  }

  own(id: string): Markers {
    return this.markers.get(id) ?? NO_MARKERS;
  }

  others(id: string): Markers[] {
    return [...this.markers].filter(([k]) => k !== id).map(([, m]) => m);
  }

  /** `lines` of one log kind without those positively another scenario's. */
  lines(id: string, kind: 'apiserver' | 'vault' | 'names', lines: readonly string[]): string[] {
    return attributeLines(lines, this.own(id)[kind], this.others(id).flatMap((m) => m[kind]));
  }

  audit(id: string, entries: readonly AuditEntry[]): AuditEntry[] {
    return attributeAudit(entries, this.own(id), this.others(id));
  }
}
