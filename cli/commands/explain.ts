import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../../lib/errors.ts';
import { compareVersions } from '../../lib/semver.ts';
import { renderExplanation } from '../../scenarios/oracle/index.ts';
import { judge, mismatchText, outcomeText, type Judged } from '../../scenarios/outcome.ts';
import { loadPlans, loadPlansFor, type GlobalOptions } from '../../scenarios/plan.ts';
import { suggestion } from '../../scenarios/suggest.ts';
import type { Plan } from '../../scenarios/types.ts';

export function registerExplain(program: Command): void {
  program
    .command('explain <id|file>')
    .description("the oracle's prediction for a scenario and its reasoning step by step (a YAML file: every scenario in it)")
    .option('--json', 'machine-readable output')
    .action((target: string, opts: { json?: boolean }, cmd: Command) => {
      const judged = select(target, cmd.optsWithGlobals() as GlobalOptions).map(judge);
      process.stdout.write(opts.json ? JSON.stringify(judged.map(toJson), null, 2) + '\n' : judged.map(text).join('\n\n' + '='.repeat(100) + '\n\n') + '\n');
      const disagreeing = judged.filter((j) => !j.agrees);
      if (disagreeing.length) {
        process.stderr.write(disagreeing.map((j) => mismatchText(j) + '\n').join(''));
        process.exitCode = 1;
      }
    });
}

function select(target: string, globals: GlobalOptions): Plan[] {
  if (isFile(target) || /\.ya?ml$/.test(target)) {
    return loadPlans({ files: [target], ...(globals.versions ? { versionsFile: globals.versions } : {}) });
  }
  const plans = loadPlansFor(globals);
  const plan = plans.find((p) => p.id === target);
  if (!plan) {
    throw new InputError({ file: 'command line', field: 'id' }, `no scenario with id \`${target}\``, `${suggestion(target, plans.map((p) => p.id), 'id').replace(/ \(known ids:.*$/, '')} — \`cm-vault-e2e list\` shows every id`);
  }
  return [plan];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function text(j: Judged): string {
  const upgrade = j.plan.certManager.upgrade;
  const body = j.stages.map((s) =>
    upgrade
      ? `-- ${s.stage} the ${isDowngrade(upgrade) ? 'downgrade' : 'upgrade'}: cert-manager ${s.version} --\n${renderExplanation(j.plan, s.prediction, { nominal: true })}`
      : renderExplanation(j.plan, s.prediction, { nominal: true }),
  );
  const verdict = j.agrees ? `Expected: ${outcomeText(j.plan.expect)} — agrees with the oracle.` : mismatchText(j);
  return [body.join('\n\n'), '', `Scenario: ${j.plan.source.file}:${j.plan.source.line}`, verdict].join('\n');
}

function isDowngrade(u: { from: string; to: string }): boolean {
  return compareVersions(u.from, u.to) > 0;
}

function toJson(j: Judged) {
  return {
    id: j.plan.id,
    description: j.plan.description,
    source: j.plan.source,
    environment: j.plan.environmentKey,
    expect: j.plan.expect,
    predicted: j.predicted,
    agrees: j.agrees,
    stages: j.stages.map((s) => ({ stage: s.stage, certManager: s.version, prediction: s.prediction, explanation: renderExplanation(j.plan, s.prediction, { nominal: true }) })),
  };
}
