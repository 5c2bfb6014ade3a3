// The last line of defence before anything is uploaded: the runner redacts, this checks that it did, looking for
// the same shapes redaction removes (vault/secret-shapes.ts). A finding names the file and position, never the
// secret itself.
import { readFile, rm } from 'node:fs/promises';
import { secretSpans, SHAPE_NAMES, type Secret, type ShapeKind } from '../vault/secret-shapes.ts';

/** A bare string is the root token; others carry their own label. */
export type { Secret };

export interface LeakFinding {
  file: string;
  kind: ShapeKind;
  line: number;
  column: number;
  /** What was found, safe to print: a JWT's first characters (its header), a key's BEGIN line, the secret's label. */
  detail: string;
}

export class SecretLeakError extends Error {
  constructor(readonly findings: LeakFinding[], readonly removed: string[]) {
    super(
      [
        `SECRET LEAK: ${findings.length} finding(s) in ${removed.length} report file(s); those files were removed so nothing uploads them:`,
        ...findings.map((f) => `  ${f.file}:${f.line}:${f.column}: ${SHAPE_NAMES[f.kind]} ${f.detail}`),
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
  return secretSpans(text, secrets).map((s) => ({ file, kind: s.kind, ...position(text, s.start), detail: s.detail }));
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
