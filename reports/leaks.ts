// The last line of defence before anything is uploaded: the runner redacts, this checks that it did.
// A finding names the file and position, never the secret itself.
import { readFile, rm } from 'node:fs/promises';
import type { Secret } from '../vault/redact.ts';

/** A bare string is the root token; others carry their own label. */
export type { Secret };

/** Three base64url segments, the first a JSON object (`{"` is `eyJ`); an unsecured JWT has an empty signature. */
export const JWT_LOOKING = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

export interface LeakFinding {
  file: string;
  kind: 'jwt' | 'secret';
  line: number;
  column: number;
  /** What was found, safe to print: a JWT's first characters (its header), or the secret's label. */
  detail: string;
}

export class SecretLeakError extends Error {
  constructor(readonly findings: LeakFinding[], readonly removed: string[]) {
    super(
      [
        `SECRET LEAK: ${findings.length} finding(s) in ${removed.length} report file(s); those files were removed so nothing uploads them:`,
        ...findings.map((f) => `  ${f.file}:${f.line}:${f.column}: ${f.kind === 'jwt' ? 'JWT-looking string' : 'secret'} ${f.detail}`),
        'Redact before writing (vault/redact.ts) and pass every secret the run used.',
      ].join('\n'),
    );
    this.name = 'SecretLeakError';
  }
}

function position(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

export function findLeaks(file: string, text: string, secrets: readonly Secret[]): LeakFinding[] {
  const findings: LeakFinding[] = [];
  for (const m of text.matchAll(JWT_LOOKING)) {
    findings.push({ file, kind: 'jwt', ...position(text, m.index), detail: `${m[0].slice(0, 12)}… (${m[0].length} chars)` });
  }
  secrets.forEach((secret, i) => {
    const { label, value } = typeof secret === 'string' ? { label: 'root-token', value: secret } : secret;
    if (!value) return;
    for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length)) {
      findings.push({ file, kind: 'secret', ...position(text, at), detail: `#${i + 1} (${label}, ${value.length} chars)` });
    }
  });
  return findings;
}

/** Scan files already written; on any finding remove those files and throw a SecretLeakError. */
export async function assertNoLeaks(files: readonly string[], secrets: readonly Secret[]): Promise<void> {
  const findings: LeakFinding[] = [];
  for (const file of files) findings.push(...findLeaks(file, await readFile(file, 'utf8'), secrets));
  if (!findings.length) return;
  const removed = [...new Set(findings.map((f) => f.file))];
  await Promise.all(removed.map((f) => rm(f, { force: true })));
  throw new SecretLeakError(findings, removed);
}
