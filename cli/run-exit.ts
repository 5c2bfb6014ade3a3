// How `run` ends (README, "Exit codes of run"). A run that proves nothing must not look like one that proved
// everything: a filter with a typo in a nightly, or a cluster that fits none of the scenarios, is not a green job.
import { InputError } from '../lib/errors.ts';
import { isSkipped, type Outcome } from '../runner/run.ts';

/**
 * 0 every scenario ran and agreed with the oracle (or was skipped beside some that did); 1 a failure or a scenario
 * that could not run; 4 nothing ran, every scenario selected was skipped. (2 bad input and 3 a broken component are
 * main.ts's, for every command.)
 */
export const RUN_EXIT = { ok: 0, failed: 1, nothingRan: 4 } as const;

export interface Selection {
  ids: string[];
  filter?: string;
}

const quoted = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** `selected` plans came out of the ids and --filter: none is bad input (exit 2), said before anything starts. */
export function checkSelection(selected: number, s: Selection): void {
  if (selected > 0 || s.filter === undefined) return;
  throw new InputError(
    { file: 'command line', field: '--filter' },
    `${quoted(s.filter)} selects no scenario${s.ids.length ? ` among ${s.ids.join(', ')}` : ''}`,
    `see what it selects: npx cm-vault-e2e list --filter ${quoted(s.filter)} (keys: id, profile, cm, vault, tag, ci, …; see \`list --help\`)`,
  );
}

/** The exit code of a finished run, and what to say when it is not plain pass or fail. */
export function runExit(outcomes: readonly Outcome[], s: Selection & { shard?: string }): { code: number; message?: string } {
  if (outcomes.some((o) => (isSkipped(o) ? o.broken : !o.verdict.pass))) return { code: RUN_EXIT.failed };
  // an empty shard is how sharding falls out when there are fewer environments than shards, not a mistake
  if (!outcomes.length) return { code: RUN_EXIT.ok, ...(s.shard ? { message: `shard ${s.shard} holds no scenario` } : {}) };
  if (outcomes.every(isSkipped)) {
    const by = s.filter !== undefined ? ` selected by --filter ${quoted(s.filter)}` : s.ids.length ? ' named' : '';
    return {
      code: RUN_EXIT.nothingRan,
      message:
        `error: no scenario ran: the ${outcomes.length}${by} were all skipped (the reasons are above)\n` +
        `  fix: choose scenarios this backend can run; \`npx cm-vault-e2e list${s.filter !== undefined ? ` --filter ${quoted(s.filter)}` : ''}\` shows what is selected`,
    };
  }
  return { code: RUN_EXIT.ok };
}
