import { describe, expect, it } from 'vitest';
import { inputErrorOf } from '../lib/test-support/input-error.ts';
import { fixturePlan, readyPass, vaultNotProvisioned } from '../reports/fixtures.ts';
import type { Outcome } from '../runner/run.ts';
import { checkSelection, runExit } from './run-exit.ts';
import { cliHarness } from './testing.ts';

const skipped = (id: string): Outcome => ({ plan: fixturePlan(id), skipped: 'the cluster\'s issuer is not kind\'s' });
const failing = (): Outcome => {
  const r = readyPass();
  return { ...r, verdict: { ...r.verdict, pass: false } };
};

describe('how run ends', () => {
  it('a --filter that selects nothing is bad input naming the filter and `list --filter`', () => {
    expect(inputErrorOf(() => checkSelection(0, { ids: [], filter: 'tag=smoek' })).format()).toBe("error: command line (--filter): 'tag=smoek' selects no scenario\n  fix: see what it selects: npx cm-vault-e2e list --filter 'tag=smoek' (keys: id, profile, cm, vault, tag, ci, …; see `list --help`)");
    expect(() => checkSelection(3, { ids: [], filter: 'tag=smoke' })).not.toThrow();
  });

  it('0 when everything that ran agreed, skips beside it included', () => {
    expect(runExit([readyPass(), skipped('a')], { ids: [] })).toEqual({ code: 0 });
  });

  it('1 on a failure or a scenario that could not run', () => {
    expect(runExit([readyPass(), failing()], { ids: [] }).code).toBe(1);
    expect(runExit([readyPass(), vaultNotProvisioned()], { ids: [] }).code).toBe(1);
    expect(runExit([skipped('a'), vaultNotProvisioned()], { ids: [] }).code).toBe(1);
  });

  it('4 when every scenario was skipped (an existing cluster none fits), naming the filter and the fix', () => {
    const r = runExit([skipped('a'), skipped('b')], { ids: [], filter: 'profile=eks-like' });
    expect(r.code).toBe(4);
    expect(r.message).toBe("error: no scenario ran: the 2 selected by --filter 'profile=eks-like' were all skipped (the reasons are above)\n  fix: choose scenarios this backend can run; `npx cm-vault-e2e list --filter 'profile=eks-like'` shows what is selected");
  });

  it('an empty shard is not an error', () => {
    expect(runExit([], { ids: [], shard: '4/4' })).toEqual({ code: 0, message: 'shard 4/4 holds no scenario' });
  });
});

describe('run --filter matching nothing (the CLI)', () => {
  const cli = cliHarness();
  it('exits 2 before starting anything, saying how to see what the filter selects', async () => {
    const r = await cli('run', '--filter', 'id=no-such-scenario', '--no-provision');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: command line (--filter): 'id=no-such-scenario' selects no scenario\n  fix: see what it selects: npx cm-vault-e2e list --filter 'id=no-such-scenario' (keys: id, profile, cm, vault, tag, ci, …; see `list --help`)\n");
    expect(r.stdout).toBe('');
  });
});
