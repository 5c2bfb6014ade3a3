import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ledgerFile, type Resource } from '../lib/ledger.ts';
import { ledgerOf, names, runsDir, startRun, survivors, tempDirsOf, waitForMoment, type StartedRun } from './kill.ts';

/**
 * How CI cancels a job, on the process cluster (issue 29 finding 9): SIGTERM (GitLab, Kubernetes), and SIGINT
 * then SIGTERM a few seconds later (GitHub Actions) in mid-scenario. The run unwinds by itself — no program, temp
 * dir or ledger of it is left for a later run to reap — and exits 128 + the first signal.
 *
 *   npx vitest run --project e2e e2e/sigterm-local.e2e.ts
 */
const SCENARIO = 'k8s-role-audience-mismatch';

/** Vault up and the scenario under way: the ledger names every kind of thing a process-cluster run makes. */
const midScenario = (rs: Resource[]) => names(rs).some((n) => n.startsWith('vault')) && names(rs).some((n) => n.startsWith('cert-manager'));

async function cancelled(run: StartedRun, signals: NodeJS.Signals[], expectedExit: number) {
  expect(await waitForMoment(run, midScenario), `the moment never came:\n${run.output()}`).toBe(true);
  const held = await ledgerOf(run.id);
  for (const [i, s] of signals.entries()) {
    if (i) await new Promise((r) => setTimeout(r, 2_000));
    process.kill(run.owner.pid, s);
  }
  const r = await run.child;
  expect(r.exitCode, run.output()).toBe(expectedExit);
  expect(run.output()).toContain(`interrupted (${signals[0]}): stopping environments and removing what this run made`);
  expect(run.output()).not.toMatch(/exiting now/);
  // nothing of it remains, and nothing waits for the next run's reaping
  expect(await survivors(held, 0)).toEqual([]);
  expect(await tempDirsOf(run.id)).toEqual([]);
  expect(existsSync(ledgerFile(runsDir, run.id)), run.output()).toBe(false);
}

describe('a cancelled process-cluster run', () => {
  it('SIGTERM in mid-scenario: unwinds, exits 143, leaves nothing', async () => {
    await cancelled(await startRun([SCENARIO, '--no-provision']), ['SIGTERM'], 143);
  }, 600_000);

  it("SIGINT then SIGTERM (GitHub Actions' cancel): the second does not cut the unwinding short; exits 130, leaves nothing", async () => {
    await cancelled(await startRun([SCENARIO, '--no-provision']), ['SIGINT', 'SIGTERM'], 130);
  }, 600_000);
});
