// Where a secret sits in a text, by its shape or because the run named it: one definition that `redact` (which
// replaces what it finds) and the report's leak scan (which refuses a file where anything is found) share, so
// the scan looks for exactly what redaction removes.
//
// Shapes: a JWT (and the parts of one a wrapped line leaves: header.payload, payload.signature), a Vault or
// OpenBao token (`hvs.`/`hvb.`/`hvr.`, the older `s.`/`b.`/`r.`), a PEM private key of any kind, the dev
// server's banner values (`Unseal Key:`, `Root Token:`), and base64 of any of these (a Secret's data, a
// kubeconfig). A JWT or base64 wrapped over lines is found in a view of the text with those line breaks removed.
import { decodeJwt } from '../lib/jwt.ts';

/** A bare string is the root token; other secrets carry their own label. */
export type Secret = string | { label: string; value: string };

export type ShapeKind = 'secret' | 'private-key' | 'base64' | 'jwt' | 'jwt-part' | 'vault-token' | 'dev-banner';

export interface SecretSpan {
  start: number;
  end: number;
  kind: ShapeKind;
  /** Safe to print: a JWT's header characters, a key's BEGIN line, a secret's label, a length; never the secret. */
  detail: string;
  /** What redaction puts in its place. */
  replacement: string;
}

/** How a finding of each kind is named in a leak report. */
export const SHAPE_NAMES: Readonly<Record<ShapeKind, string>> = {
  secret: 'secret',
  'private-key': 'private key',
  base64: 'base64 of a secret',
  jwt: 'JWT-looking string',
  'jwt-part': 'part of a JWT',
  'vault-token': 'Vault token',
  'dev-banner': "dev server's banner",
};

// Earlier wins where two spans overlap (the union is replaced by the earlier one's replacement).
const PRIORITY: readonly ShapeKind[] = ['secret', 'private-key', 'base64', 'jwt', 'jwt-part', 'vault-token', 'dev-banner'];

const B64URL = 'A-Za-z0-9_-';
// A compact JWS (one to three segments after a base64url `{"`, i.e. `eyJ`); which of them it is is decided below.
const JWT_LIKE = new RegExp(`eyJ[${B64URL}]*\\.[${B64URL}]*(?:\\.[${B64URL}]*)?`, 'g');
// A signature is at least 43 characters (HS256's 32 bytes); 32 keeps a margin and still ignores `eyJx.short`.
const MIN_SIGNATURE = 32;
const VAULT_TOKEN = /(?<![A-Za-z0-9_.-])(?:hv[sbr]\.[A-Za-z0-9_-]{24,}|[sbr]\.[A-Za-z0-9]{24})(?![A-Za-z0-9_-])/g;
// A key cut off before its END line (a log's kept tail) runs to the end of the text: nothing after BEGIN is kept.
const PRIVATE_KEY = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----(?:[\s\S]*?-----END \1PRIVATE KEY-----|[\s\S]*$)/g;
// `vault server -dev` prints these two (OpenBao too); anything already redacted stays as it is.
const DEV_BANNER = /\b(Unseal Key(?: \d+)?|Root Token): +(?!<redacted)([^\s"'\\<]+)/g;
// Long enough for base64 of the shortest token above (`s.` + 24 is 36 characters encoded).
const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{32,}={0,2}/g;
const MAX_DEPTH = 2;
// What any shape above starts with, or a further base64 run: decoded bytes without one of these hold no secret,
// and most base64-looking runs in a log (paths, hashes, ids) decode to such bytes; one test spares the full search.
const MAY_HOLD_SECRET = /eyJ|[hsbr]\.[A-Za-z0-9]{8}|PRIVATE KEY|Unseal Key|Root Token|[A-Za-z0-9+/_-]{32}/;

/** Every secret in `text`, in order, overlapping finds merged. */
export function secretSpans(text: string, secrets: readonly Secret[] = []): SecretSpan[] {
  return merge(find(text, secrets, 0));
}

function find(text: string, secrets: readonly Secret[], depth: number): SecretSpan[] {
  const spans = [...listedSecrets(text, secrets), ...shapes(text, secrets, depth)];
  const joined = joinWrapped(text);
  if (joined) {
    // Vault tokens are short enough never to wrap, and may end a line whose next one starts with a token character.
    for (const s of [...jwtSpans(joined.text), ...base64Spans(joined.text, secrets, depth, 4)]) {
      spans.push(joined.toOriginal(s, text));
    }
  }
  return spans;
}

function shapes(text: string, secrets: readonly Secret[], depth: number): SecretSpan[] {
  return [...privateKeySpans(text), ...base64Spans(text, secrets, depth, 1), ...jwtSpans(text), ...tokenSpans(text), ...bannerSpans(text)];
}

function labelled(secret: Secret): { label: string; value: string } {
  return typeof secret === 'string' ? { label: 'root-token', value: secret } : secret;
}

function holds(text: string, secret: Secret): boolean {
  const { value } = labelled(secret);
  return value !== '' && text.includes(value);
}

function listedSecrets(text: string, secrets: readonly Secret[]): SecretSpan[] {
  const out: SecretSpan[] = [];
  secrets.forEach((secret, i) => {
    const { label, value } = labelled(secret);
    if (!value) return;
    for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length)) {
      out.push({ start: at, end: at + value.length, kind: 'secret', detail: `#${i + 1} (${label}, ${value.length} chars)`, replacement: `<redacted:${label}>` });
    }
  });
  return out;
}

function jwtSpans(text: string): SecretSpan[] {
  const out: SecretSpan[] = [];
  for (const m of text.matchAll(JWT_LIKE)) {
    const segments = m[0].split('.');
    const at = { start: m.index, end: m.index + m[0].length, detail: `${m[0].slice(0, 12)}… (${m[0].length} chars)` };
    if (segments.length === 3 && segments[1]) out.push({ ...at, kind: 'jwt', replacement: describeJwt(m[0]) });
    else if (segments.length === 2 && (segments[1]!.startsWith('eyJ') || segments[1]!.length >= MIN_SIGNATURE)) {
      out.push({ ...at, kind: 'jwt-part', replacement: '<redacted:jwt>' });
    }
  }
  return out;
}

function tokenSpans(text: string): SecretSpan[] {
  const out: SecretSpan[] = [];
  for (const m of text.matchAll(VAULT_TOKEN)) {
    // `s.` followed by a camelCase name is code, not a token: a random base62 string has digits or many capitals
    if (!m[0].startsWith('hv') && !/\d|(?:[^A-Z]*[A-Z]){6}/.test(m[0].slice(2))) continue;
    const prefix = m[0].slice(0, m[0].indexOf('.') + 1);
    out.push({ start: m.index, end: m.index + m[0].length, kind: 'vault-token', detail: `${prefix}… (${m[0].length} chars)`, replacement: '<redacted:vault-token>' });
  }
  return out;
}

function privateKeySpans(text: string): SecretSpan[] {
  return [...text.matchAll(PRIVATE_KEY)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    kind: 'private-key' as const,
    detail: `-----BEGIN ${m[1]}PRIVATE KEY-----`,
    replacement: `<redacted:${(m[1] ?? '').trim().toLowerCase().replace(/ /g, '-') || 'pkcs8'}-private-key>`,
  }));
}

function bannerSpans(text: string): SecretSpan[] {
  return [...text.matchAll(DEV_BANNER)].map((m) => {
    const label = m[1]!.startsWith('Unseal') ? 'unseal-key' : 'root-token';
    const start = m.index + m[0].length - m[2]!.length;
    return { start, end: m.index + m[0].length, kind: 'dev-banner' as const, detail: `${m[1]} (${m[2]!.length} chars)`, replacement: `<redacted:${label}>` };
  });
}

/**
 * A run of base64 whose decoding holds a secret. A run starts where the text's own characters stop being base64,
 * so it is aligned; in the joined view the end of the line before may have been glued onto it, so `shifts` tries
 * each of the four alignments there.
 */
function base64Spans(text: string, secrets: readonly Secret[], depth: number, shifts: 1 | 4): SecretSpan[] {
  if (depth >= MAX_DEPTH) return [];
  const out: SecretSpan[] = [];
  for (const m of text.matchAll(BASE64_RUN)) {
    for (let shift = 0; shift < shifts; shift++) {
      const decoded = Buffer.from(m[0].slice(shift), 'base64').toString('latin1');
      if (!MAY_HOLD_SECRET.test(decoded) && !secrets.some((x) => holds(decoded, x))) continue;
      const inner = find(decoded, secrets, depth + 1);
      if (!inner.length) continue;
      const kinds = [...new Set(inner.map((s) => s.kind))].join(', ');
      out.push({ start: m.index, end: m.index + m[0].length, kind: 'base64', detail: `holding ${kinds} (${m[0].length} chars)`, replacement: `<redacted:base64 of ${kinds}>` });
      break;
    }
  }
  return out;
}

/** `<jwt header={…} claims={…}>`, or `<redacted:jwt>` when a segment is not JSON. */
export function describeJwt(jwt: string): string {
  const decoded = decodeJwt(jwt);
  return decoded ? `<jwt header=${JSON.stringify(decoded.header)} claims=${JSON.stringify(decoded.claims)}>` : '<redacted:jwt>';
}

// A line break (or a JSON-escaped one) and the next line's indentation, between two characters a token or base64
// may hold: where a wrapped token continues.
const BREAK = /(?:\r?\n|\\r\\n|\\n)[ \t]*/g;
const TOKEN_CHAR = /[A-Za-z0-9+/=_.-]/;

interface Joined {
  text: string;
  /** A span of the joined text as a span of the original. */
  toOriginal(span: SecretSpan, original: string): SecretSpan;
}

function joinWrapped(text: string): Joined | undefined {
  // joined offset -> original offset, from each piece's start on
  const pieces: Array<{ joined: number; original: number }> = [];
  let joined = '';
  let from = 0;
  for (const m of text.matchAll(BREAK)) {
    const before = text[m.index - 1];
    const after = text[m.index + m[0].length];
    if (!before || !after || !TOKEN_CHAR.test(before) || !TOKEN_CHAR.test(after)) continue;
    pieces.push({ joined: joined.length, original: from });
    joined += text.slice(from, m.index);
    from = m.index + m[0].length;
  }
  if (!pieces.length) return undefined;
  pieces.push({ joined: joined.length, original: from });
  joined += text.slice(from);
  const at = (j: number) => {
    let p = pieces[0]!;
    for (const q of pieces) if (q.joined <= j) p = q;
    return p.original + (j - p.joined);
  };
  return {
    text: joined,
    toOriginal(span, original) {
      const start = at(span.start);
      const end = at(span.end - 1) + 1;
      if (span.kind !== 'jwt') return { ...span, start, end };
      // A JWT is complete at the line end where its signature reaches its algorithm's length: what the next line
      // starts with (a timestamp) is not part of it.
      for (const m of original.slice(start, end).matchAll(BREAK)) {
        const jwt = original.slice(start, start + m.index).replace(BREAK, '').replaceAll(BREAK, '');
        if (isComplete(jwt)) return { ...span, start, end: start + m.index, replacement: describeJwt(jwt) };
      }
      return { ...span, start, end };
    },
  };
}

// Signature lengths (base64url, unpadded) per JWS algorithm; RSA for 2048, 3072 and 4096-bit keys.
const RSA = [342, 512, 683];
const SIGNATURE_LENGTHS: Readonly<Record<string, readonly number[]>> = {
  HS256: [43], HS384: [64], HS512: [86], ES256: [86], ES384: [128], ES512: [176], EdDSA: [86],
  RS256: RSA, RS384: RSA, RS512: RSA, PS256: RSA, PS384: RSA, PS512: RSA,
};

/** A three-segment JWT whose signature is as long as its algorithm makes it (an unknown algorithm counts as complete). */
function isComplete(jwt: string): boolean {
  const segments = jwt.split('.');
  if (segments.length !== 3 || !/^eyJ/.test(jwt)) return false;
  const alg = decodeJwt(jwt)?.header.alg;
  const lengths = typeof alg === 'string' ? SIGNATURE_LENGTHS[alg] : undefined;
  return !lengths || lengths.includes(segments[2]!.length);
}

function merge(spans: SecretSpan[]): SecretSpan[] {
  const rank = (s: SecretSpan) => PRIORITY.indexOf(s.kind);
  const sorted = [...spans].sort((a, b) => a.start - b.start || rank(a) - rank(b) || b.end - a.end);
  const out: SecretSpan[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (!last || s.start >= last.end) {
      out.push({ ...s });
      continue;
    }
    if (rank(s) < rank(last)) out[out.length - 1] = { ...s, start: last.start, end: Math.max(last.end, s.end) };
    else last.end = Math.max(last.end, s.end);
  }
  return out;
}
