import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ledgerFile } from '../lib/ledger.ts';
import { cacheLayout } from '../provision/cache.ts';
import { cli, names, runsDir, startRun, waitForMoment } from './kill.ts';

/**
 * `clean --cache` beside a process-cluster run in progress: the run still passes, its ledger and everything it
 * runs on stay, and clean says what it spared. It frees the build caches (go, staging, work) of the real suite
 * cache: the next cold build regenerates them.
 */
const SCENARIO = 'k8s-role-audience-mismatch';

describe('clean --cache beside a run in progress', () => {
  it('spares the run: its ledger, artifacts and manifest stay, and it passes', async () => {
    const run = await startRun([SCENARIO, '--no-provision']);
    expect(await waitForMoment(run, (rs) => names(rs).some((n) => n.startsWith('vault'))), `the moment never came:\n${run.output()}`).toBe(true);
    const clean = await cli(['clean', '--cache']);
    expect(clean.exitCode, clean.all).toBe(0);
    expect(clean.all).toContain(`clean: spared run ${run.id} in progress`);
    expect(clean.all).toMatch(new RegExp(`^clean: spared artifacts: run ${run.id} in progress$`, 'm'));
    expect(clean.all).toMatch(/^clean: spared runs: it holds \d+ run ledger\(s\)/m);
    expect(existsSync(ledgerFile(runsDir, run.id))).toBe(true);
    expect(existsSync(cacheLayout().manifest)).toBe(true);
    const done = await run.child;
    expect(done.exitCode, run.output()).toBe(0);
    expect(run.output()).toMatch(/1 passed/);
  }, 600_000);
});
