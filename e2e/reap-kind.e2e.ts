import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ledgerFile, type Resource } from '../lib/ledger.ts';
import { cli, dockerHas, dockerLeftovers, kill9, names, runsDir, startRun, survivors, tempDirsOf, waitForMoment } from './kill.ts';

/**
 * `kill -9` of a real kind run: while `kind create cluster` runs, while cert-manager installs, while a Vault
 * container starts. `kind` dies with the runner; the next run reaps the cluster, the container and the temp dirs
 * and leaves nothing of the killed run. Creates kind clusters: run it alone (one lock around kind runs) where
 * runs share a Docker host. CM_VAULT_E2E_KILL_REPEAT=N repeats each moment N times.
 */
const SCENARIO = 'k8s-role-audience-mismatch';
const repeat = Number(process.env.CM_VAULT_E2E_KILL_REPEAT ?? '1');
const run = [SCENARIO, '--backend', 'kind', '--no-provision'];

const cluster = (rs: Resource[]) => rs.find((r): r is Extract<Resource, { kind: 'kind-cluster' }> => r.kind === 'kind-cluster');
const container = (rs: Resource[]) => rs.find((r): r is Extract<Resource, { kind: 'container' }> => r.kind === 'container');
const MOMENTS: Array<{ name: string; at: (rs: Resource[]) => boolean | Promise<boolean> }> = [
  // `kind` runs and has made the node container
  { name: 'kind create cluster', at: async (rs) => !!cluster(rs) && names(rs).includes('kind') && (await dockerHas({ kindCluster: cluster(rs)!.name })) },
  // the cluster is up (`kind` has returned) and no Vault yet: Helm is installing cert-manager. The node must exist
  // in Docker: the ledger records the cluster before `kind` starts, so the ledger alone also matches that instant.
  { name: 'cert-manager install', at: async (rs) => !!cluster(rs) && !names(rs).includes('kind') && !container(rs) && (await dockerHas({ kindCluster: cluster(rs)!.name })) },
  // the Vault container exists and is not yet serving
  { name: 'Vault container start', at: async (rs) => !!container(rs) && (await dockerHas({ name: container(rs)!.name })) },
];

describe('kill -9 of a kind run', () => {
  const cases = MOMENTS.flatMap((m) => Array.from({ length: repeat }, (_, i) => ({ ...m, round: i + 1 })));
  it.each(cases)('during $name (round $round): kind dies with it, and the next run reaps the cluster and the rest', async ({ at }) => {
    const started = await startRun(run);
    // a moment late in a kind start-up is long: the cert-manager moment waits a little into the install
    expect(await waitForMoment(started, at, 900_000), `the moment never came:\n${started.output()}`).toBe(true);
    const left = await kill9(started);
    expect(started.output()).not.toMatch(/\d+ passed/);
    const kindCluster = cluster(left)!;
    expect(kindCluster).toBeDefined();
    expect(await survivors(left)).toEqual([]);

    const next = await cli(['run', ...run]);
    expect(next.exitCode, next.all).toBe(0);
    expect(next.all).toContain(`reaping run ${started.id}: its runner pid ${started.owner.pid} is gone`);
    expect(next.all).toContain(`reaped: kind cluster ${kindCluster.name} of run ${started.id}`);
    const vault = container(left);
    if (vault) expect(next.all).toContain(`reaped: container ${vault.name} of run ${started.id}`);
    expect(existsSync(ledgerFile(runsDir, started.id))).toBe(false);
    expect(await tempDirsOf(started.id)).toEqual([]);
    expect(await dockerLeftovers(started.id)).toEqual([]);
    expect(await dockerHas({ kindCluster: kindCluster.name })).toBe(false);
    console.info(`killed run ${started.id} holding ${left.map((r) => (r.kind === 'process' ? r.name : r.kind)).join(', ')}; next run reaped:\n${next.all?.split('\n').filter((l) => l.startsWith('reap')).join('\n')}`);
  }, 1_800_000);
});
