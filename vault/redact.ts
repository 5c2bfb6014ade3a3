// Everything this directory writes to a log, an error or a report goes through `redact` first:
// the root token is replaced outright, a JWT is replaced by its decoded header and claims
// (what a human needs to see why a login failed) with the signature dropped.
import { decodeJwt } from '../lib/jwt.ts';

/** A bare string is the root token; other secrets carry their own label. */
export type Secret = string | { label: string; value: string };

// A JWS in compact form whose header is a JSON object (base64url of `{"` is `eyJ`).
// The signature may be empty (an unsecured JWT ends with a dot).
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

export function redact(text: string, secrets: readonly Secret[] = []): string {
  let out = text;
  for (const secret of secrets) {
    const { label, value } = typeof secret === 'string' ? { label: 'root-token', value: secret } : secret;
    if (value.length === 0) continue;
    out = out.split(value).join(`<redacted:${label}>`);
  }
  return out.replace(JWT_PATTERN, describeJwt);
}

export function redactLines(lines: readonly string[], secrets: readonly Secret[] = []): string[] {
  return lines.map((line) => redact(line, secrets));
}

/** `<jwt header={…} claims={…}>`, or `<redacted:jwt>` when a segment is not JSON. */
export function describeJwt(jwt: string): string {
  const decoded = decodeJwt(jwt);
  return decoded ? `<jwt header=${JSON.stringify(decoded.header)} claims=${JSON.stringify(decoded.claims)}>` : '<redacted:jwt>';
}
