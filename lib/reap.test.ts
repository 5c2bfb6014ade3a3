import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './test-support/temp-dir.ts';
import { readKept, readLedgers, RunLedger, type Resource } from './ledger.ts';
import { discardKept, orphanContainers, planReap, reap, tempDirsOf, type Removers } from './reap.ts';
import type { ProcessIdentity } from './run-identity.ts';

const dir = useTempDir('reap');
const deadOwner = { pid: 1001, start: '1', boot: 'b' };
const liveOwner = { pid: 1002, start: '2', boot: 'b' };
const alive = (o: ProcessIdentity) => o.pid === liveOwner.pid && o.start === liveOwner.start;
const etcd: Resource = { kind: 'process', name: 'etcd', pid: 2001, start: '9' };
const vault: Resource = { kind: 'container', name: 'cmve-rdead1-vault' };

/** Removers that record what they were asked, in order; nothing real is touched. */
function fakeRemovers() {
  const calls: string[] = [];
  const removers: Removers = {
    killProcess: async (r) => (calls.push(`kill ${r.name}`), 'removed'),
    removeContainer: async (n) => (calls.push(`rm ${n}`), 'removed'),
    deleteKindCluster: async (n) => (calls.push(`kind delete ${n}`), 'removed'),
    removeNetwork: async (n) => (calls.push(`network rm ${n}`), 'in use'),
    removeDir: async (p) => (calls.push(`rm -r ${p}`), 'removed'),
    uninstallHelmRelease: async (r) => (calls.push(`helm uninstall ${r.namespace}/${r.name}`), 'removed'),
    deleteClusterObjects: async (r) => (calls.push(`delete -l run=${r.run}`), 'removed'),
  };
  return { calls, removers };
}

describe('planReap', () => {
  const ledgers = [
    { id: 'rdead1', file: 'a', header: { run: 'rdead1', owner: deadOwner, startedAt: '', command: '' }, resources: [etcd, vault] },
    { id: 'rlive1', file: 'b', header: { run: 'rlive1', owner: liveOwner, startedAt: '', command: '' }, resources: [etcd] },
    { id: 'rtorn1', file: 'c', resources: [vault] },
    { id: 'rself1', file: 'd', header: { run: 'rself1', owner: deadOwner, startedAt: '', command: '' }, resources: [etcd] },
  ];

  it('reaps dead and ownerless runs, spares live ones, itself, and what a kept environment names', () => {
    const plan = planReap(ledgers, new Set(['container:cmve-rdead1-vault']), alive, { self: 'rself1' });
    expect(plan.dead.map((d) => [d.id, d.resources])).toEqual([['rdead1', [etcd]], ['rtorn1', []]]);
    expect(plan.live).toEqual([{ id: 'rlive1', owner: liveOwner }]);
  });

  it('with includeLive (clean --all) takes live runs too, never itself', () => {
    expect(planReap(ledgers, new Set(), alive, { self: 'rself1', includeLive: true }).dead.map((d) => d.id)).toEqual(['rdead1', 'rlive1', 'rtorn1']);
  });
});

describe('orphanContainers', () => {
  const cs = [
    { name: 'a', run: 'rdead1', owner: '1001:1:b' },
    { name: 'b', run: 'rlive1', owner: '1002:2:b' },
    { name: 'c', run: 'rlive1', owner: '1002:3:b' }, // pid reused since: its owner is gone
    { name: 'd', run: 'rself1', owner: '1001:1:b' },
    { name: 'e', run: 'rdead1', owner: 'garbled' },
    { name: 'kept', run: 'rdead1', owner: '1001:1:b' },
  ];
  it('are those whose owner is gone and no kept environment names', () => {
    expect(orphanContainers(cs, new Set(['container:kept']), alive, { self: 'rself1' }).map((c) => c.name)).toEqual(['a', 'c', 'e']);
    expect(orphanContainers(cs, new Set(), alive, { self: 'rself1', includeLive: true }).map((c) => c.name)).toEqual(['a', 'b', 'c', 'e', 'kept']);
  });

  it('never include a kind node, whose run and owner labels are its image\'s, nor a container with a blank run label', () => {
    const nodes = [
      { name: 'cmve-kind-x-rlive1-control-plane', run: 'image-build', owner: '1001:1:b', kindCluster: 'cmve-kind-x-rlive1' },
      { name: 'cmve-kind-y-rlive1-control-plane', run: '', owner: '', kindCluster: 'cmve-kind-y-rlive1' },
      { name: 'blank', run: '', owner: '' },
    ];
    expect(orphanContainers(nodes, new Set(), alive)).toEqual([]);
    expect(orphanContainers(nodes, new Set(), alive, { includeLive: true })).toEqual([]);
  });
});

describe('tempDirsOf', () => {
  it('picks the temp dirs named after the given runs only', () => {
    expect(tempDirsOf(['cm-vault-e2e-rdead1-kind-abc', 'cm-vault-e2e-rlive1-vault-1', 'cm-vault-e2e-proc-test-x', 'other'], new Set(['rdead1']))).toEqual(['cm-vault-e2e-rdead1-kind-abc']);
  });
});

describe('reap', () => {
  it('undoes a dead run newest first, processes before dirs, says so line by line, and drops its ledger; a live run is untouched', async () => {
    const runs = join(dir(), 'runs');
    const dead = new RunLedger(runs, 'rdead1', deadOwner);
    const work = join(tmpdir(), 'cm-vault-e2e-rdead1-kind-x');
    await mkdir(work, { recursive: true });
    await dead.record({ kind: 'network', name: 'cmve-kind' });
    await dead.record({ kind: 'kind-cluster', name: 'cmve-kind-1-rdead1', kindVersion: 'v0.31.0' });
    await dead.record({ kind: 'dir', path: work });
    await dead.record(etcd);
    await dead.record(vault);
    const live = new RunLedger(runs, 'rlive1', liveOwner);
    await live.record({ kind: 'process', name: 'vault', pid: 3003 });
    const { calls, removers } = fakeRemovers();
    const lines: string[] = [];
    const labelled = [{ name: 'cmve-rdead1-orphan', run: 'rdead1', owner: '1001:1:b' }, { name: vault.name, run: 'rdead1', owner: '1001:1:b' }, { name: 'cmve-rlive1-x', run: 'rlive1', owner: '1002:2:b' }];
    const r = await reap({ runsDir: runs, docker: true, removers, listContainers: async () => labelled, alive, log: (l) => lines.push(l), self: 'rself1' });
    expect(calls).toEqual(['kill etcd', `rm ${vault.name}`, 'kind delete cmve-kind-1-rdead1', 'network rm cmve-kind', `rm -r ${work}`, 'rm cmve-rdead1-orphan']);
    expect(lines[0]).toBe('reaping run rdead1: its runner pid 1001 is gone');
    expect(lines).toContain('reaped: etcd (pid 2001) of run rdead1');
    expect(lines).toContain('reaped: kind cluster cmve-kind-1-rdead1 of run rdead1');
    expect(r).toMatchObject({ runs: ['rdead1'], failures: [], spared: [{ id: 'rlive1' }] });
    expect((await readLedgers(runs)).map((l) => l.id)).toEqual(['rlive1']);
    await rm(work, { recursive: true, force: true });
  }, 20_000);

  it('on a cluster it did not make: the Helm release, then the labelled objects, before its processes\' dirs; no Docker needed', async () => {
    const runs = join(dir(), 'runs');
    const dead = new RunLedger(runs, 'rdead4', deadOwner);
    const cluster = { server: 'https://aks.example:443', kubeconfig: '/home/me/.kube/config', context: 'aks' };
    await dead.record({ kind: 'cluster-objects', run: 'rdead4', ...cluster });
    await dead.record({ kind: 'dir', path: '/tmp/cm-vault-e2e-rdead4-existing-x' });
    await dead.record({ kind: 'helm-release', name: 'cert-manager', namespace: 'cert-manager', helmVersion: 'v3.19.0', ...cluster });
    const { calls, removers } = fakeRemovers();
    const lines: string[] = [];
    const r = await reap({ runsDir: runs, docker: false, removers, alive, log: (l) => lines.push(l) });
    expect(calls).toEqual(['helm uninstall cert-manager/cert-manager', 'delete -l run=rdead4', 'rm -r /tmp/cm-vault-e2e-rdead4-existing-x']);
    expect(lines).toContain('reaped: Helm release cert-manager/cert-manager on https://aks.example:443 of run rdead4');
    expect(lines).toContain('reaped: objects labelled io.cm-vault-e2e.run=rdead4 on https://aks.example:443 of run rdead4');
    expect(r.failures).toEqual([]);
    expect(existsSync(dead.file)).toBe(false);
  });

  it('keeps a dead ledger whose things could not all be undone, with the reason', async () => {
    const runs = join(dir(), 'runs');
    const dead = new RunLedger(runs, 'rdead2', deadOwner);
    await dead.record(vault);
    const r = await reap({ runsDir: runs, docker: false, alive, log: () => undefined });
    expect(r.failures).toEqual([`container ${vault.name} of run rdead2: Docker does not answer`]);
    expect(existsSync(dead.file)).toBe(true);
  });

  it('spares what a kept environment holds, even in a dead run\'s ledger; clean (discardKept) removes it', async () => {
    const runs = join(dir(), 'runs');
    const cluster: Resource = { kind: 'kind-cluster', name: 'cmve-kind-2-rdead3', kindVersion: 'v0.31.0' };
    const dead = new RunLedger(runs, 'rdead3', deadOwner);
    await dead.record(cluster);
    // kept, then killed before its ledger dropped the cluster: the kill is simulated by writing the kept file by hand
    await new RunLedger(runs, 'rother', deadOwner).keep({ name: 'kind-9', backend: 'kind', summary: 'kind kind', resources: [cluster] });
    const { calls, removers } = fakeRemovers();
    await reap({ runsDir: runs, docker: true, removers, listContainers: async () => [], alive, log: () => undefined });
    expect(calls.filter((c) => c.startsWith('kind'))).toEqual([]);
    const lines: string[] = [];
    expect(await discardKept({ runsDir: runs, docker: true, removers, log: (l) => lines.push(l) })).toMatchObject({ discarded: ['kind-9'], removed: 1 });
    expect(lines).toEqual(['removed: kind cluster cmve-kind-2-rdead3 of kept environment kind-9 (kind kind)']);
    expect(await readKept(runs)).toEqual([]);
  }, 20_000);
});
