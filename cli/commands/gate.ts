import type { Command } from 'commander';
import { gate } from '../../reports/gate.ts';

export function registerGate(program: Command): void {
  program
    .command('gate <reports...>')
    .description('compare run reports (report.json files or directories) with a known-good one; exit 1 on a regression')
    .option('--baseline <file>', 'known-good report.json')
    .action(async (reports: string[], opts: { baseline?: string }) => {
      const result = await gate(reports, opts.baseline ? { baseline: opts.baseline } : {});
      process.stdout.write(result.text);
      process.exitCode = result.code;
    });
}
