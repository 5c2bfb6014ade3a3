import type { Command } from 'commander';
import { judge, mismatchText, stagesText, type Judged } from '../../scenarios/outcome.ts';
import { FILTER_HELP, filterPlans, loadPlansFor, type GlobalOptions } from '../../scenarios/plan.ts';

export function registerList(program: Command): void {
  program
    .command('list')
    .description("list scenarios with the oracle's predicted outcome; exit 1 if a scenario's expect disagrees with it")
    .option('--filter <expr>', `select scenarios: ${FILTER_HELP}`)
    .option('--json', 'machine-readable output')
    .action((opts: { filter?: string; json?: boolean }, cmd: Command) => {
      const plans = filterPlans(loadPlansFor(cmd.optsWithGlobals() as GlobalOptions), opts.filter);
      const judged = plans.map(judge);
      const disagreeing = judged.filter((j) => !j.agrees);
      process.stdout.write(opts.json ? JSON.stringify(judged.map(toJson), null, 2) + '\n' : table(judged));
      if (disagreeing.length) {
        process.stderr.write(disagreeing.map((j) => mismatchText(j) + '\n').join(''));
        process.stderr.write(`!! ${disagreeing.length} scenario(s) disagree with the oracle\n`);
        process.exitCode = 1;
      }
    });
}

function table(judged: Judged[]): string {
  const rows = judged.map((j) => [j.agrees ? '' : '!! MISMATCH', j.plan.id, stagesText(j), j.plan.description] as const);
  const width = (i: 0 | 1 | 2) => Math.max(0, ...rows.map((r) => r[i].length));
  const [w0, w1, w2] = [width(0), width(1), width(2)];
  const lines = rows.map(([flag, id, outcome, description]) => `${w0 ? flag.padEnd(w0 + 1) : ''}${id.padEnd(w1)}  ${outcome.padEnd(w2)}  ${description}`.trimEnd());
  const environments = new Set(judged.map((j) => j.plan.environmentKey)).size;
  const bad = judged.filter((j) => !j.agrees).length;
  lines.push('', `${judged.length} scenario(s) in ${environments} environment(s); ${bad ? `!! ${bad} disagree` : 'all agree'} with the oracle (nominal facts)`);
  return lines.join('\n') + '\n';
}

function toJson(j: Judged) {
  const p = j.plan;
  return {
    id: p.id,
    description: p.description,
    tags: p.tags,
    environment: p.environmentKey,
    source: p.source,
    expect: p.expect,
    predicted: j.predicted,
    stages: j.stages.map((s) => ({ stage: s.stage, certManager: s.version, ready: s.prediction.ready, ...(s.prediction.failure ? { failure: s.prediction.failure } : {}) })),
    agrees: j.agrees,
  };
}
