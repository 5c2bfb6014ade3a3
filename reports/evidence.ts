// <out>/evidence/<id>/: the runner's (already redacted) evidence files plus the verdict as text,
// then a scan of everything written for JWTs and the run's secrets.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertNoLeaks, type Secret } from './leaks.ts';
import type { ScenarioResult } from './model.ts';
import { formatSides } from './side-text.ts';

/** A file or directory name that stays inside its directory: no separators, no leading dot. */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return cleaned === '' ? '_' : cleaned.startsWith('.') ? `_${cleaned}` : cleaned;
}

/** A relative path whose every segment is a safeName: a log bundle keeps its folders, nothing escapes. */
export function safePath(path: string): string {
  return path.split('/').filter((seg) => seg !== '' && seg !== '.').map(safeName).join('/') || '_';
}

export function evidenceDir(outDir: string, id: string): string {
  return join(outDir, 'evidence', safeName(id));
}

/** Write one scenario's evidence; throws SecretLeakError (and removes the leaking files) if a secret got through. */
export async function writeEvidence(result: ScenarioResult, outDir: string, opts: { secrets?: readonly Secret[] } = {}): Promise<{ files: string[] }> {
  const dir = evidenceDir(outDir, result.plan.id);
  await mkdir(dir, { recursive: true });
  const contents = new Map<string, string>();
  for (const [name, text] of Object.entries(result.evidence)) {
    let file = safePath(name);
    for (let n = 2; contents.has(file); n++) file = `${safePath(name)}.${n}`;
    contents.set(file, text);
  }
  if (!contents.has('verdict.txt')) contents.set('verdict.txt', formatSides(result.verdict) + '\n');
  const files: string[] = [];
  for (const [name, text] of contents) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    files.push(path);
  }
  await assertNoLeaks(files, opts.secrets ?? []);
  return { files };
}
