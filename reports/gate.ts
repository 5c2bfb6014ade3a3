// The nightly's last step: merge the shards' report.json files, compare with the known-good report,
// write the Markdown job summary, and exit non-zero when the gate fails.
//   tsx reports/gate.ts [--baseline known-good.json] [--merged out.json] [--summary $GITHUB_STEP_SUMMARY] REPORT_OR_DIR...
import { existsSync, statSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
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
    const ok = merged.summary.failed === 0;
    return { code: ok ? 0 : 1, merged, text: `${note}\n${notJudgedLine(merged)}gate: ${ok ? 'OK' : `FAILED (${merged.summary.failed} failing)`}\n`, markdown: `${summary}\n> ${note}\n` };
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

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { baseline: { type: 'string' }, merged: { type: 'string' }, summary: { type: 'string' } } });
  if (!positionals.length) {
    process.stderr.write('usage: gate.ts [--baseline FILE] [--merged FILE] [--summary FILE] REPORT_OR_DIR...\n');
    return 2;
  }
  const result = await gate(positionals, values.baseline ? { baseline: values.baseline } : {});
  if (values.merged) {
    await mkdir(dirname(values.merged), { recursive: true });
    await writeFile(values.merged, JSON.stringify(result.merged, null, 2) + '\n');
  }
  if (values.summary) await appendFile(values.summary, result.markdown + '\n');
  process.stdout.write(result.text);
  return result.code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`gate: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
