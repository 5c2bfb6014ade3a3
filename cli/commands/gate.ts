import type { Command } from 'commander';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gate } from '../../reports/gate.ts';

export function registerGate(program: Command): void {
  program
    .command('gate <reports...>')
    .description('merge run reports (report.json files or directories) and compare them with a known-good one; exit 1 on a regression')
    .option('--baseline <file>', 'known-good report.json')
    .option('--merged <file>', 'write the merged report.json there')
    .option('--summary <file>', 'append the Markdown summary there (e.g. $GITHUB_STEP_SUMMARY)')
    .action(async (reports: string[], opts: { baseline?: string; merged?: string; summary?: string }) => {
      const result = await gate(reports, opts.baseline ? { baseline: opts.baseline } : {});
      if (opts.merged) {
        await mkdir(dirname(opts.merged), { recursive: true });
        await writeFile(opts.merged, JSON.stringify(result.merged, null, 2) + '\n');
      }
      if (opts.summary) await appendFile(opts.summary, result.markdown + '\n');
      process.stdout.write(result.text);
      process.exitCode = result.code;
    });
}
