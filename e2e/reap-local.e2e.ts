import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ledgerFile, type Resource } from '../lib/ledger.ts';
import { cli, kill9, names, runsDir, startRun, survivors, tempDirsOf, waitForMoment } from './kill.ts';

/**
 * `kill -9` of a real run on the process cluster at five moments; then the next run must say what it reaped and
 * leave nothing of the killed run: no process, no temp dir, no ledger. CM_VAULT_E2E_KILL_REPEAT=N repeats each
 * moment N times.
 */
const SCENARIO = 'k8s-role-audience-mismatch';
const repeat = Number(process.env.CM_VAULT_E2E_KILL_REPEAT ?? '1');

/** Whether Vault has enabled a scenario's auth mount yet (its debug log, in the cluster's temp dir or an environment's dir inside it). */
async function scenarioConfiguringVault(rs: Resource[]): Promise<boolean> {
  for (const r of rs) {
    if (r.kind !== 'dir') continue;
    for (const f of await readdir(r.path, { recursive: true }).catch(() => [] as string[])) {
      if (/(^|\/)(vault|openbao)-[^/]*\.log$/.test(f) && /enabled credential backend/.test(await readFile(join(r.path, f), 'utf8').catch(() => ''))) return true;
    }
  }
  return false;
}

const has = (rs: Resource[], prefix: string) => names(rs).some((n) => n.startsWith(prefix));
const MOMENTS: Array<{ name: string; at: (rs: Resource[]) => boolean | Promise<boolean> }> = [
  { name: 'etcd start', at: (rs) => has(rs, 'etcd') && !has(rs, 'kube-apiserver') },
  { name: 'kube-apiserver start', at: (rs) => has(rs, 'kube-apiserver') && !has(rs, 'cert-manager') },
  { name: 'cert-manager start', at: (rs) => has(rs, 'cert-manager') && !has(rs, 'vault') },
  { name: 'Vault start', at: (rs) => has(rs, 'vault') },
  { name: 'mid-scenario', at: (rs) => has(rs, 'vault') && scenarioConfiguringVault(rs) },
];

describe('kill -9 of a process-cluster run', () => {
  const cases = MOMENTS.flatMap((m) => Array.from({ length: repeat }, (_, i) => ({ ...m, round: i + 1 })));
  it.each(cases)('during $name (round $round): its children die with it, and the next run reaps the rest', async ({ at }) => {
    const run = await startRun([SCENARIO, '--no-provision']);
    expect(await waitForMoment(run, at), `the moment never came:\n${run.output()}`).toBe(true);
    const left = await kill9(run);
    expect(run.output()).not.toMatch(/\d+ passed/);
    expect(left.length).toBeGreaterThan(0);
    // setpriv --pdeathsig: every program of the killed run went down with it, before anyone reaped
    expect(await survivors(left)).toEqual([]);

    const next = await cli(['run', SCENARIO, '--no-provision']);
    expect(next.exitCode, next.all).toBe(0);
    expect(next.all).toContain(`reaping run ${run.id}: its runner pid ${run.owner.pid} is gone`);
    for (const r of left) {
      if (r.kind === 'dir') expect(next.all).toContain(`reaped: temp dir ${r.path} of run ${run.id}`);
      if (r.kind === 'process') expect(next.all).toContain(`reaped: ${r.name} (pid ${r.pid}) of run ${run.id} (already gone)`);
    }
    // nothing of the killed run remains
    expect(existsSync(ledgerFile(runsDir, run.id))).toBe(false);
    expect(await tempDirsOf(run.id)).toEqual([]);
    expect(await survivors(left, 0)).toEqual([]);
    console.info(`killed run ${run.id} holding ${left.map((r) => (r.kind === 'process' ? r.name : r.kind)).join(', ')}; next run reaped:\n${next.all?.split('\n').filter((l) => l.startsWith('reap')).join('\n')}`);
  }, 600_000);
});
