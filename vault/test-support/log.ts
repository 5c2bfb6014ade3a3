// Reads Vault's server log (hclog, standard or JSON format) and picks the lines an auth plugin wrote
// about a login. Standard format, from go-hclog v1.6.3 intlogger.go logPlain:
//   2026-01-02T03:04:05.678Z [DEBUG] auth.kubernetes.auth_kubernetes_1a2b3c4d: login unauthorized: err="lookup failed: …"
// The logger of an auth mount is named `auth.<type>.<accessor>` (vault/auth.go:1075), so the
// mount path is not in the line; the accessor (`auth_kubernetes_1a2b3c4d`) is.
import type { VaultLogLevel } from '../placements/local-process.ts';

export interface VaultLogEntry {
  /** As written by Vault, e.g. `2026-01-02T03:04:05.678Z`; absent for lines without a timestamp. */
  time?: string;
  level: VaultLogLevel;
  /** The logger name, e.g. `core` or `auth.kubernetes.auth_kubernetes_1a2b3c4d`. */
  module: string;
  message: string;
  fields: Record<string, string>;
  raw: string;
}

const LEVELS: Record<string, VaultLogLevel> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
const STANDARD_LINE = /^(\S+) \[(TRACE|DEBUG|INFO|WARN|ERROR)\]\s+(.*)$/;
const MULTILINE_KEY = /^ {2}([^\s=]+)=$/;
const MULTILINE_VALUE = /^ {2}\| ?(.*)$/;

/** One line; `undefined` for lines that are not log entries (the dev-mode banner, blank lines). */
export function parseVaultLogLine(line: string): VaultLogEntry | undefined {
  return line.startsWith('{') ? parseJsonLine(line) : parseStandardLine(line);
}

/** A whole log: multi-line field values (`  key=` then `  | …` lines) are folded into their entry. */
export function parseVaultLog(lines: readonly string[]): VaultLogEntry[] {
  const entries: VaultLogEntry[] = [];
  let openKey: string | undefined;
  for (const line of lines) {
    const last = entries[entries.length - 1];
    const key = MULTILINE_KEY.exec(line);
    if (key && last) {
      openKey = key[1]!;
      last.fields[openKey] = '';
      last.raw += `\n${line}`;
      continue;
    }
    const value = MULTILINE_VALUE.exec(line);
    if (value && last && openKey !== undefined) {
      const before = last.fields[openKey];
      last.fields[openKey] = before ? `${before}\n${value[1]}` : value[1]!;
      last.raw += `\n${line}`;
      continue;
    }
    openKey = undefined;
    const entry = parseVaultLogLine(line);
    if (entry) entries.push(entry);
  }
  return entries;
}

function parseStandardLine(line: string): VaultLogEntry | undefined {
  const match = STANDARD_LINE.exec(line);
  if (!match) return undefined;
  const [, time, level, rest] = match as unknown as [string, string, string, string];
  const nameEnd = rest.indexOf(': ');
  // A logger name has no spaces; without one the whole rest is the message.
  const hasName = nameEnd > 0 && !rest.slice(0, nameEnd).includes(' ');
  const module = hasName ? rest.slice(0, nameEnd) : '';
  const { message, fields } = splitFields(hasName ? rest.slice(nameEnd + 2) : rest);
  return { time, level: LEVELS[level]!, module, message, fields, raw: line };
}

/** hclog writes `msg:` then ` key=value` pairs; the message itself may contain `: `. */
function splitFields(text: string): { message: string; fields: Record<string, string> } {
  for (let at = text.indexOf(':'); at >= 0; at = text.indexOf(':', at + 1)) {
    const fields = parseFieldList(text.slice(at + 1));
    if (fields) return { message: text.slice(0, at), fields };
  }
  return { message: text, fields: {} };
}

/** ` k=v k2="quoted \"v\""` → record; `undefined` if the text is not entirely such pairs. */
export function parseFieldList(text: string): Record<string, string> | undefined {
  const fields: Record<string, string> = {};
  let i = 0;
  let count = 0;
  while (i < text.length) {
    if (text[i] !== ' ') return undefined;
    const keyMatch = /^ ([^\s="]+)=/.exec(text.slice(i));
    if (!keyMatch) return undefined;
    const key = keyMatch[1]!;
    i += keyMatch[0].length;
    if (text[i] === '"') {
      let value = '';
      let j = i + 1;
      for (; j < text.length; j++) {
        const c = text[j];
        if (c === '\\' && text[j + 1] === '"') {
          value += '"';
          j++;
        } else if (c === '"' && (j + 1 === text.length || text[j + 1] === ' ')) {
          break;
        } else {
          value += c;
        }
      }
      if (j >= text.length) return undefined;
      fields[key] = value;
      i = j + 1;
    } else {
      const end = text.indexOf(' ', i);
      fields[key] = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    count++;
  }
  return count > 0 ? fields : undefined;
}

function parseJsonLine(line: string): VaultLogEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const record = parsed as Record<string, unknown>;
  const level = typeof record['@level'] === 'string' ? LEVELS[record['@level'].toUpperCase()] : undefined;
  if (!level) return undefined;
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (!key.startsWith('@')) fields[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return {
    time: typeof record['@timestamp'] === 'string' ? record['@timestamp'] : undefined,
    level,
    module: typeof record['@module'] === 'string' ? record['@module'] : '',
    message: typeof record['@message'] === 'string' ? record['@message'] : '',
    fields,
    raw: line,
  };
}

/** `auth.kubernetes.auth_kubernetes_1a2b3c4d` → `kubernetes`; `undefined` for non-auth loggers. */
export function authMethodOf(module: string): string | undefined {
  const match = /^auth\.([^.]+)\./.exec(module);
  return match?.[1];
}

// What an auth plugin writes about a refused login (see vault/texts.ts for the sources).
const AUTH_FAILURE = /login unauthorized|lookup failed|invalid audience|audience claim|permission denied|not authorized/;

export interface AuthLineFilter {
  /** Auth type (`kubernetes`, `jwt`), not the mount path. */
  method?: string;
  /** Only entries stamped at or after this instant (entries without a timestamp are dropped). */
  since?: Date;
}

/** The lines auth plugins logged about refused logins, oldest first. */
export function findAuthLines(entries: readonly VaultLogEntry[], filter: AuthLineFilter = {}): VaultLogEntry[] {
  const since = filter.since?.getTime();
  return entries.filter((entry) => {
    const method = authMethodOf(entry.module);
    if (!method || (filter.method && method !== filter.method)) return false;
    if (since !== undefined && !(entry.time && Date.parse(entry.time) >= since)) return false;
    return AUTH_FAILURE.test(entry.message) || Object.values(entry.fields).some((v) => AUTH_FAILURE.test(v));
  });
}

/** The text that explains a refused login: the `err` field when there is one, else the message. */
export function authFailureReason(entry: VaultLogEntry): string {
  return entry.fields['err'] ?? entry.fields['error'] ?? entry.message;
}
