import { describe, expect, it } from 'vitest';
import { RunLedger } from '../lib/ledger.ts';
import { reap } from '../lib/reap.ts';
import { useTempDir } from '../lib/test-support/temp-dir.ts';
import { backendRemovers, reapBeforeRun } from './reaping.ts';

const dir = useTempDir('reap-before-run');

describe("a run's reaping says what it could not remove (issue 29 finding 9)", () => {
  it('one line per failure and where it is left, instead of dropping them; the run goes on', async () => {
    // a dead run's objects on a cluster whose kubeconfig is gone: reaping cannot reach it
    const dead = new RunLedger(dir(), 'rdead7', { pid: 2 ** 30, start: '1', boot: 'gone' });
    await dead.record({ kind: 'cluster-objects', run: 'rdead7', server: 'https://gone.example:6443', kubeconfig: '/nonexistent/kubeconfig', context: 'gone' });
    const lines: string[] = [];
    const result = await reapBeforeRun({ runsDir: dir(), self: 'rself7', log: (l) => lines.push(l), reap: (o) => reap({ ...o, docker: false, alive: () => false, removers: backendRemovers }) });
    expect(result.failures).toHaveLength(1);
    expect(lines[0]).toMatch(/^reaping: could not remove objects labelled io\.cm-vault-e2e\.run=rdead7 on https:\/\/gone\.example:6443 of run rdead7: its kubeconfig \/nonexistent\/kubeconfig cannot be read .*; run by hand: kubectl --kubeconfig \/nonexistent\/kubeconfig --context gone delete /);
    expect(lines.at(-1)).toBe('reaping: left in its ledger for the next run, or `npx cm-vault-e2e clean`; this run goes on');
  });

  it('says nothing more when everything went', async () => {
    const lines: string[] = [];
    await reapBeforeRun({ runsDir: dir(), self: 'rself7', log: (l) => lines.push(l), reap: (o) => reap({ ...o, docker: false, alive: () => false, removers: backendRemovers }) });
    expect(lines).toEqual([]);
  });
});
