// Everything this suite writes to a log, an error or a report goes through `redact` first: a secret the run
// named is replaced by its label, a JWT by its decoded header and claims (what a human needs to see why a login
// failed) with the signature dropped, and every other secret shape (vault/secret-shapes.ts: Vault tokens, private
// keys, the dev server's unseal key and root token, base64 of any of them, a JWT wrapped over lines) by its kind.
import { secretSpans, type Secret } from './secret-shapes.ts';

export type { Secret };
export { describeJwt } from './secret-shapes.ts';

export function redact(text: string, secrets: readonly Secret[] = []): string {
  let out = '';
  let from = 0;
  for (const span of secretSpans(text, secrets)) {
    out += text.slice(from, span.start) + span.replacement;
    from = span.end;
  }
  return out + text.slice(from);
}

export function redactLines(lines: readonly string[], secrets: readonly Secret[] = []): string[] {
  return lines.map((line) => redact(line, secrets));
}
