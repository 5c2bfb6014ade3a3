import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ledgerFile, type Resource } from '../lib/ledger.ts';
import { dockerHas, dockerLeftovers, ledgerOf, names, runsDir, startRun, survivors, tempDirsOf, waitForMoment, type StartedRun } from './kill.ts';

/**
 * How CI cancels a job, on each backend that runs its own cluster (issue 29 finding 9): SIGTERM (GitLab,
 * Kubernetes), and SIGINT then SIGTERM a few seconds later (GitHub Actions) in mid-scenario. The run unwinds by
 * itself — no program, container, kind cluster, temp dir or ledger of it is left for a later run to reap — and
 * exits 128 + the first signal. The existing backend's case is in existing/existing.e2e.ts. The kind case creates
 * a kind cluster: run it alone where runs share a Docker host.
 *
 *   npx vitest run --project e2e e2e/sigterm.e2e.ts
 */
const SCENARIO = 'k8s-role-audience-mismatch';

const container = (rs: Resource[]) => rs.find((r): r is Extract<Resource, { kind: 'container' }> => r.kind === 'container');
const cluster = (rs: Resource[]) => rs.find((r): r is Extract<Resource, { kind: 'kind-cluster' }> => r.kind === 'kind-cluster');

/** Vault up and the scenario under way: the ledger names every kind of thing a run of that backend makes. */
const MID_SCENARIO = {
  local: (rs: Resource[]) => names(rs).some((n) => n.startsWith('vault')) && names(rs).some((n) => n.startsWith('cert-manager')),
  // the cluster made (`kind` has returned) and the Vault container running beside it
  kind: async (rs: Resource[]) => !!cluster(rs) && !names(rs).includes('kind') && !!container(rs) && (await dockerHas({ name: container(rs)!.name })),
} as const;

async function cancelled(backend: keyof typeof MID_SCENARIO, run: StartedRun, signals: NodeJS.Signals[], expectedExit: number) {
  expect(await waitForMoment(run, MID_SCENARIO[backend], 900_000), `the moment never came:\n${run.output()}`).toBe(true);
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
  if (backend === 'kind') {
    expect(await dockerLeftovers(run.id), run.output()).toEqual([]);
    expect(await dockerHas({ kindCluster: cluster(held)!.name }), run.output()).toBe(false);
  }
}

describe.each(['local', 'kind'] as const)('a cancelled run (%s)', (backend) => {
  const args = [SCENARIO, '--backend', backend, '--no-provision'];

  it('SIGTERM in mid-scenario: unwinds, exits 143, leaves nothing', async () => {
    await cancelled(backend, await startRun(args), ['SIGTERM'], 143);
  }, 1_200_000);

  it("SIGINT then SIGTERM (GitHub Actions' cancel): the second does not cut the unwinding short; exits 130, leaves nothing", async () => {
    await cancelled(backend, await startRun(args), ['SIGINT', 'SIGTERM'], 130);
  }, 1_200_000);
});
