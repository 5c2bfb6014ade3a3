// Everything a run leaves behind: junit.xml, report.json, report.html (+ report.png) and evidence/<id>/…,
// then one last scan of every text file written for JWTs and the run's secrets.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeEvidence } from './evidence.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { toJUnit } from './junit.ts';
import { assertNoLeaks, type Secret } from './leaks.ts';
import { isSkipped, type RunReport } from './model.ts';
import { renderPng } from './png.ts';

export type { RunReport } from './model.ts';
export { diffReports } from './diff.ts';
export { diffMarkdown, diffText } from './diff-format.ts';
export { parseJsonReport, toJsonReport, type JsonReport } from './json.ts';
export { mergeJsonReports } from './merge.ts';
export { summaryMarkdown } from './summary.ts';
export { SecretLeakError } from './leaks.ts';

export interface WriteOptions {
  /** Also render report.png with Chromium (/usr/bin/chromium). */
  png?: boolean;
  /** Values that must appear in no file written (the root token, reviewer JWTs, …). */
  secrets?: Secret[];
}

export async function writeReports(run: RunReport, outDir: string, opts: WriteOptions = {}): Promise<{ files: string[] }> {
  await mkdir(outDir, { recursive: true });
  const secrets = opts.secrets ?? [];
  const written: string[] = [];
  const write = async (name: string, text: string) => {
    const path = join(outDir, name);
    await writeFile(path, text);
    written.push(path);
    return path;
  };
  await write('junit.xml', toJUnit(run));
  await write('report.json', renderJson(run));
  const html = await write('report.html', renderHtml(run));
  await assertNoLeaks(written, secrets);
  // Each scenario's evidence is checked as it is written.
  const evidence: string[] = [];
  for (const r of run.results) if (!isSkipped(r)) evidence.push(...(await writeEvidence(r, outDir, { secrets })).files);
  if (opts.png) {
    const png = join(outDir, 'report.png');
    await renderPng(html, png);
    written.push(png);
  }
  return { files: [...written, ...evidence] };
}
