import type { Command } from 'commander';
import { InputError } from '../../lib/errors.ts';
import { FILTER_HELP, filterPlans, loadPlansFor, type GlobalOptions } from '../../scenarios/plan.ts';
import type { Plan } from '../../scenarios/types.ts';

interface Job {
  name: string;
  environment: string;
  /** A --filter expression that selects exactly this job's scenarios. */
  filter: string;
  scenarios: number;
}

export function registerMatrix(program: Command): void {
  program
    .command('matrix')
    .description('a CI job matrix: one job per environment the selected scenarios need (split by --max-per-job)')
    .option('--format <format>', 'output format: github (GitHub Actions strategy.matrix JSON)', 'github')
    .option('--filter <expr>', `select scenarios: ${FILTER_HELP}`)
    .option('--max-per-job <n>', 'at most this many scenarios per job; larger environments are split')
    .action((opts: { format: string; filter?: string; maxPerJob?: string }, cmd: Command) => {
      if (opts.format !== 'github') {
        throw new InputError({ file: 'command line', field: '--format' }, `unknown format \`${opts.format}\``, 'use --format github');
      }
      const max = opts.maxPerJob === undefined ? Infinity : Number(opts.maxPerJob);
      if (!Number.isInteger(max) && max !== Infinity) throw badMax(opts.maxPerJob);
      if (max < 1) throw badMax(opts.maxPerJob);
      const plans = filterPlans(loadPlansFor(cmd.optsWithGlobals() as GlobalOptions), opts.filter);
      if (!plans.length) process.stderr.write('warning: no scenario matches; GitHub Actions rejects an empty matrix\n');
      process.stdout.write(JSON.stringify({ include: jobs(plans, max, opts.filter) }) + '\n');
    });
}

function badMax(value: string | undefined): InputError {
  return new InputError({ file: 'command line', field: '--max-per-job' }, `\`${value}\` is not a positive whole number`, 'pass e.g. --max-per-job 10');
}

/** One job per environment key (split into chunks of `max`), in a stable order. */
export function jobs(plans: Plan[], max: number, filter: string | undefined): Job[] {
  const groups = new Map<string, Plan[]>();
  for (const p of plans) groups.set(p.environmentKey, [...(groups.get(p.environmentKey) ?? []), p]);
  const keys = [...groups.keys()].sort();
  const names = uniqueNames(keys);
  return keys.flatMap((key) => {
    const group = groups.get(key)!;
    if (group.length <= max) {
      return [{ name: names.get(key)!, environment: key, filter: filter?.trim() ? `env=${key},${filter.trim()}` : `env=${key}`, scenarios: group.length }];
    }
    const chunks = Math.ceil(group.length / max);
    return Array.from({ length: chunks }, (_, i) => {
      const chunk = group.slice(i * max, (i + 1) * max);
      return { name: `${names.get(key)} (${i + 1}/${chunks})`, environment: key, filter: `id=${chunk.map((p) => p.id).join('|')}`, scenarios: chunk.length };
    });
  });
}

/** A readable job name per key: the key without the profile's audience hash, unless that would be ambiguous. */
function uniqueNames(keys: string[]): Map<string, string> {
  const short = (key: string) => key.replace(/@[0-9a-f]+/, '').replaceAll('/', ' ');
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(short(k), (counts.get(short(k)) ?? 0) + 1);
  return new Map(keys.map((k) => [k, counts.get(short(k))! > 1 ? k.replaceAll('/', ' ') : short(k)]));
}
