// The nightly's last step (`cm-vault-e2e gate`): merge the shards' report.json files, compare with the
// known-good report, and give the verdict as text and as a Markdown job summary.
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diffReports } from './diff.ts';
import { diffMarkdown, diffText } from './diff-format.ts';
import { parseJsonReport, type JsonReport } from './json.ts';
import { mergeJsonReports } from './merge.ts';
import { summaryMarkdown } from './summary.ts';

export interface GateResult {
  code: 0 | 1;
  text: string;
  markdown: string;
  merged: JsonReport;
}

async function reportFiles(path: string): Promise<string[]> {
  if (!statSync(path).isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name === 'report.json').map((e) => join(e.parentPath, e.name)).sort();
}

export async function gate(inputs: string[], opts: { baseline?: string } = {}): Promise<GateResult> {
  const files = (await Promise.all(inputs.map(reportFiles))).flat();
  if (!files.length) throw new Error(`no report.json under ${inputs.join(', ')}`);
  const merged = mergeJsonReports(await Promise.all(files.map(async (f) => parseJsonReport(await readFile(f, 'utf8'), f))));
  const summary = summaryMarkdown(merged);
  if (!opts.baseline || !existsSync(opts.baseline)) {
    const note = `No known-good report${opts.baseline ? ` at ${opts.baseline}` : ''}: gating on failures alone.`;
    // a scenario that could not run gave no evidence: the gate is not green on it
    const { failed, couldNotRun = 0 } = merged.summary;
    const ok = failed === 0 && couldNotRun === 0;
    const why = [...(failed ? [`${failed} failing`] : []), ...(couldNotRun ? [`${couldNotRun} could not run`] : [])].join(', ');
    return { code: ok ? 0 : 1, merged, text: `${note}\n${notJudgedLine(merged)}gate: ${ok ? 'OK' : `FAILED (${why})`}\n`, markdown: `${summary}\n> ${note}\n` };
  }
  const baseline = parseJsonReport(await readFile(opts.baseline, 'utf8'), opts.baseline);
  const d = diffReports(baseline, merged);
  const against = `Compared with the known-good run of ${baseline.startedAt} (${baseline.scenarios.length} scenarios).`;
  return { code: d.gate.ok ? 0 : 1, merged, text: `${against}\n${notJudgedLine(merged)}${diffText(d)}`, markdown: `${summary}\n${against}\n\n${diffMarkdown(d)}` };
}

/** Scenarios with a side that could not be observed: neither a pass nor a failure, so never counted as passing evidence. */
function notJudgedLine(r: JsonReport): string {
  const n = r.summary.notJudged ?? 0;
  return n ? `not judged: ${n} scenario${n > 1 ? 's have' : ' has'} a side the backend could not observe (not counted as passed evidence)\n` : '';
}
