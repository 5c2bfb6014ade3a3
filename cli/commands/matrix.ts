import type { Command } from 'commander';
import { InputError } from '../../lib/errors.ts';
import { clusterOfEnvironment, FILTER_HELP, filterPlans, loadPlansFor, type GlobalOptions } from '../../scenarios/plan.ts';
import type { Plan } from '../../scenarios/types.ts';

interface Job {
  name: string;
  /** The environment key, or with `--group-by cluster` the cluster part of it (profile and audiences, Kubernetes). */
  environment: string;
  /** A --filter expression that selects exactly this job's scenarios. */
  filter: string;
  scenarios: number;
}

export function registerMatrix(program: Command): void {
  program
    .command('matrix')
    .description('a CI job matrix: one job per cluster (or environment) the selected scenarios need (split by --max-per-job)')
    .option('--format <format>', 'output format: github (GitHub Actions strategy.matrix JSON)', 'github')
    .option('--group-by <what>', 'cluster: a job per cluster, its environments handing it on inside the job (fewest clusters); environment: a job per environment (most jobs side by side)', 'cluster')
    .option('--filter <expr>', `select scenarios: ${FILTER_HELP}`)
    .option('--max-per-job <n>', 'at most this many scenarios per job; larger environments are split')
    .action((opts: { format: string; filter?: string; maxPerJob?: string; groupBy: string }, cmd: Command) => {
      if (opts.format !== 'github') {
        throw new InputError({ file: 'command line', field: '--format' }, `unknown format \`${opts.format}\``, 'use --format github');
      }
      if (opts.groupBy !== 'cluster' && opts.groupBy !== 'environment') {
        throw new InputError({ file: 'command line', field: '--group-by' }, `unknown grouping \`${opts.groupBy}\``, 'use --group-by cluster or --group-by environment');
      }
      const max = opts.maxPerJob === undefined ? Infinity : Number(opts.maxPerJob);
      if (!Number.isInteger(max) && max !== Infinity) throw badMax(opts.maxPerJob);
      if (max < 1) throw badMax(opts.maxPerJob);
      const plans = filterPlans(loadPlansFor(cmd.optsWithGlobals() as GlobalOptions), opts.filter);
      if (!plans.length) process.stderr.write('warning: no scenario matches; GitHub Actions rejects an empty matrix\n');
      process.stdout.write(JSON.stringify({ include: jobs(plans, max, opts.filter, opts.groupBy) }) + '\n');
    });
}

function badMax(value: string | undefined): InputError {
  return new InputError({ file: 'command line', field: '--max-per-job' }, `\`${value}\` is not a positive whole number`, 'pass e.g. --max-per-job 10');
}

/**
 * One job per cluster or environment key, in a stable order; a group larger than `max` is split into chunks in
 * environment order, so each chunk spans as few environments as it can.
 */
export function jobs(plans: Plan[], max: number, filter: string | undefined, groupBy: 'cluster' | 'environment' = 'cluster'): Job[] {
  const keyOf = (p: Plan) => (groupBy === 'cluster' ? clusterOfEnvironment(p.environmentKey) : p.environmentKey);
  const groups = new Map<string, Plan[]>();
  const ordered = [...plans].sort((a, b) => (a.environmentKey < b.environmentKey ? -1 : a.environmentKey > b.environmentKey ? 1 : 0));
  for (const p of ordered) groups.set(keyOf(p), [...(groups.get(keyOf(p)) ?? []), p]);
  const keys = [...groups.keys()].sort();
  const names = uniqueNames(keys);
  const selector = (key: string) => (groupBy === 'cluster' ? `env=${key}/*` : `env=${key}`);
  return keys.flatMap((key) => {
    const group = groups.get(key)!;
    if (group.length <= max) {
      return [{ name: names.get(key)!, environment: key, filter: filter?.trim() ? `${selector(key)},${filter.trim()}` : selector(key), scenarios: group.length }];
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
