import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './test-support/temp-dir.ts';
import { readKept, readLedgers, RunLedger, type Resource } from './ledger.ts';
import { discardKept, HEADERLESS_GRACE_MS, planReap, reap, sortContainers, tempDirsOf, type Removers } from './reap.ts';
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
  it('never takes a young ledger without a header for dead: its run may be in progress, with no owner to check', () => {
    const now = Date.parse('2025-01-02T00:00:00Z');
    const young = { id: 'ryoung', file: 'y', resources: [vault], modifiedMs: now - 60_000 };
    const old = { id: 'rold01', file: 'o', resources: [vault], modifiedMs: now - HEADERLESS_GRACE_MS - 1 };
    const plan = planReap([young, old], new Set(), alive, { now });
    expect(plan.dead.map((d) => d.id)).toEqual(['rold01']);
    expect(plan.left).toEqual([{ id: 'ryoung', why: expect.stringMatching(/^its ledger has no header, so no owner to check, and was written 1 min ago/) }]);
    // clean --all stops runs in progress anyway
    expect(planReap([young], new Set(), alive, { now, includeLive: true }).dead.map((d) => d.id)).toEqual(['ryoung']);
  });

  it("leaves a run whose runner ran on another host or container, even for clean --all: its pid means nothing here", () => {
    const here = 'ci-1/m/4026532451';
    const theirs = { id: 'rjob2x', file: 'j', header: { run: 'rjob2x', owner: { ...liveOwner, host: 'ci-2/m/4026532999' }, startedAt: '', command: '' }, resources: [etcd] };
    const mine = { id: 'rjob1x', file: 'k', header: { run: 'rjob1x', owner: { ...deadOwner, host: here }, startedAt: '', command: '' }, resources: [etcd] };
    for (const includeLive of [false, true]) {
      const plan = planReap([theirs, mine], new Set(), () => false, { host: here, includeLive });
      expect(plan.dead.map((d) => d.id)).toEqual(['rjob1x']);
      expect(plan.left).toEqual([{ id: 'rjob2x', why: 'its runner (pid 1002) ran on another host or container (ci-2/m/4026532999), whose processes this one cannot see' }]);
    }
  });
});

describe('sortContainers', () => {
  const here = 'ci-1/3d1219c7c4c5/4026532451';
  const there = 'ci-2/3d1219c7c4c5/4026532999';
  const cs = [
    { name: 'a', run: 'rdead1', owner: '1001:1:b', ownerHost: here },
    { name: 'b', run: 'rlive1', owner: '1002:2:b', ownerHost: here },
    { name: 'c', run: 'rlive1', owner: '1002:3:b', ownerHost: here }, // pid reused since: its owner is gone
    { name: 'd', run: 'rself1', owner: '1001:1:b', ownerHost: here },
    { name: 'e', run: 'rdead1', owner: 'garbled' },
    { name: 'kept', run: 'rdead1', owner: '1001:1:b', ownerHost: here },
  ];
  const names = (x: { remove: Array<{ name: string }> }) => x.remove.map((c) => c.name);
  it('are removed when their owner on this host is gone and no kept environment names them', () => {
    expect(names(sortContainers(cs, new Set(['container:kept']), alive, { self: 'rself1', host: here, recorded: new Set(['rdead1']) }))).toEqual(['a', 'c', 'e']);
    expect(names(sortContainers(cs, new Set(), alive, { self: 'rself1', host: here, includeLive: true, recorded: new Set(['rdead1', 'rlive1']) }))).toEqual(['a', 'b', 'c', 'e', 'kept']);
  });

  it("are left, and said, when their owner runs on another host or container: its pid means nothing here (CI jobs sharing one Docker daemon)", () => {
    // job 2's runner pid 1002 does not exist in job 1's pid namespace: before, job 1 took its live Vault for an orphan
    const theirs = [{ name: 'cmve-rjob2x-vault', run: 'rjob2x', owner: '1002:2:b', ownerHost: there }];
    const sorted = sortContainers(theirs, new Set(), () => false, { host: here });
    expect(sorted.remove).toEqual([]);
    expect(sorted.left).toEqual([{ container: theirs[0], why: `its run's runner (pid 1002) runs on another host or container (${there})` }]);
    // not even clean --all takes them
    expect(sortContainers(theirs, new Set(), () => false, { host: here, includeLive: true }).remove).toEqual([]);
  });

  it('take an owner label without a host (an older suite) for this host only when its run is recorded here', () => {
    const legacy = [{ name: 'old', run: 'rold01', owner: '1001:1:b' }];
    expect(names(sortContainers(legacy, new Set(), alive, { host: here, recorded: new Set(['rold01']) }))).toEqual(['old']);
    const sorted = sortContainers(legacy, new Set(), alive, { host: here });
    expect(sorted.remove).toEqual([]);
    expect(sorted.left[0]!.why).toMatch(/names no host and no ledger here records its run/);
  });

  it("with includeLive (clean --all) leave a live run's container that no ledger in this cache records: another checkout's", () => {
    const live = [{ name: 'cmve-rother-vault', run: 'rother', owner: '1002:2:b', ownerHost: here }];
    const sorted = sortContainers(live, new Set(), alive, { host: here, includeLive: true, recorded: new Set(['rmine1']) });
    expect(sorted.remove).toEqual([]);
    expect(sorted.left[0]!.why).toBe("its run is in progress and recorded by no ledger in this cache (another checkout's)");
  });

  it('never include a kind node, whose run and owner labels are its image\'s, nor a container with a blank run label', () => {
    const nodes = [
      { name: 'cmve-kind-x-rlive1-control-plane', run: 'image-build', owner: '1001:1:b', kindCluster: 'cmve-kind-x-rlive1' },
      { name: 'cmve-kind-y-rlive1-control-plane', run: '', owner: '', kindCluster: 'cmve-kind-y-rlive1' },
      { name: 'blank', run: '', owner: '' },
    ];
    expect(sortContainers(nodes, new Set(), alive, { recorded: new Set(['rlive1', 'image-build']) })).toEqual({ remove: [], left: [] });
    expect(sortContainers(nodes, new Set(), alive, { includeLive: true, recorded: new Set(['rlive1', 'image-build']) })).toEqual({ remove: [], left: [] });
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
    const work = join(tmpdir(), 'cm-vault-e2e-rdead4-existing-x');
    await dead.record({ kind: 'dir', path: work });
    await dead.record({ kind: 'helm-release', name: 'cert-manager', namespace: 'cert-manager', helmVersion: 'v3.19.0', ...cluster });
    const { calls, removers } = fakeRemovers();
    const lines: string[] = [];
    const r = await reap({ runsDir: runs, docker: false, removers, alive, log: (l) => lines.push(l) });
    expect(calls).toEqual(['helm uninstall cert-manager/cert-manager', 'delete -l run=rdead4', `rm -r ${work}`]);
    expect(lines).toContain('reaped: Helm release cert-manager/cert-manager on https://aks.example:443 of run rdead4');
    expect(lines).toContain('reaped: objects labelled io.cm-vault-e2e.run=rdead4 on https://aks.example:443 of run rdead4');
    expect(r.failures).toEqual([]);
    expect(existsSync(dead.file)).toBe(false);
  });

  it("removes a dir only when it is a temp dir of that run: directly in the temp dir, named with the run's prefix", async () => {
    const runs = join(dir(), 'runs');
    const tmp = join(dir(), 'tmp');
    const dead = new RunLedger(runs, 'rdead5', deadOwner);
    const own = join(tmp, 'cm-vault-e2e-rdead5-kind-x1');
    const handedOn = join(tmp, 'cm-vault-e2e-rolder-local-y2');
    const home = join(dir(), 'home', 'me');
    const otherRuns = join(tmp, 'cm-vault-e2e-rlive1-kind-z3');
    const nested = join(tmp, 'sub', 'cm-vault-e2e-rdead5-kind-x2');
    await dead.record({ kind: 'dir', path: own });
    await dead.record({ kind: 'dir', path: handedOn, run: 'rolder' });
    for (const path of [home, otherRuns, nested]) await dead.record({ kind: 'dir', path });
    const { calls, removers } = fakeRemovers();
    const lines: string[] = [];
    const r = await reap({ runsDir: runs, docker: false, removers, alive, tmp, log: (l) => lines.push(l) });
    expect(calls).toEqual([`rm -r ${handedOn}`, `rm -r ${own}`]);
    expect(r.left).toEqual([
      `temp dir ${nested} of run rdead5: refused to remove it: not directly in the system temp dir ${tmp}`,
      `temp dir ${otherRuns} of run rdead5: refused to remove it: its name does not start with cm-vault-e2e-rdead5-`,
      `temp dir ${home} of run rdead5: refused to remove it: not directly in the system temp dir ${tmp}`,
    ]);
    expect(lines).toContain(`left: temp dir ${home} of run rdead5: refused to remove it: not directly in the system temp dir ${tmp}`);
    // refused is said, not retried forever: the ledger goes
    expect(existsSync(dead.file)).toBe(false);
  });

  it('says what a remover leaves on purpose, and counts the run done', async () => {
    const runs = join(dir(), 'runs');
    const dead = new RunLedger(runs, 'rdead6', deadOwner);
    const release: Resource = { kind: 'helm-release', name: 'cert-manager', namespace: 'cert-manager', helmVersion: 'v3.19.0', server: 'https://127.0.0.1:6443', kubeconfig: '/k', context: 'kind' };
    await dead.record(release);
    const lines: string[] = [];
    const r = await reap({ runsDir: runs, docker: false, removers: { uninstallHelmRelease: async () => ({ left: 'someone else\'s' }) }, alive, log: (l) => lines.push(l) });
    expect(r).toMatchObject({ removed: 0, failures: [], left: ["Helm release cert-manager/cert-manager on https://127.0.0.1:6443 of run rdead6: someone else's"] });
    expect(lines).toEqual(['reaping run rdead6: its runner pid 1001 is gone', "left: Helm release cert-manager/cert-manager on https://127.0.0.1:6443 of run rdead6: someone else's"]);
    expect(existsSync(dead.file)).toBe(false);
  });

  it("keeps a Helm release and labelled objects for a caller with their backend's removers (lib imports no backend)", async () => {
    const runs = join(dir(), 'runs');
    const dead = new RunLedger(runs, 'rdead8', deadOwner);
    const at = { server: 'https://127.0.0.1:6443', kubeconfig: '/k', context: 'kind' };
    await dead.record({ kind: 'helm-release', name: 'cert-manager', namespace: 'cert-manager', helmVersion: 'v3.19.0', ...at });
    await dead.record({ kind: 'cluster-objects', run: 'rdead8', ...at });
    const r = await reap({ runsDir: runs, docker: false, alive, log: () => undefined });
    expect(r.failures).toEqual([
      expect.stringMatching(/^Helm release cert-manager\/cert-manager on https:\/\/127\.0\.0\.1:6443 of run rdead8: no remover for a helm-release was handed in: its backend's is \(cli\/reaping\.ts\)/),
      expect.stringMatching(/^objects labelled .* of run rdead8: no remover for a cluster-objects was handed in/),
    ]);
    expect(existsSync(dead.file)).toBe(true);
  });

  it("beside a live run: a reaper never takes its ledger for dead, and one removed under it (clean --all) is written again whole, never headerless", async () => {
    const runs = join(dir(), 'runs');
    const live = new RunLedger(runs, 'rlive2', liveOwner);
    const said: string[] = [];
    live.onRecreated = (l) => said.push(l);
    await live.record(vault);
    const { calls, removers } = fakeRemovers();
    // clean --all stops it and drops its ledger while its runner goes on
    await reap({ runsDir: runs, docker: true, includeLive: true, removers, listContainers: async () => [], alive, log: () => undefined });
    expect(calls).toEqual([`rm ${vault.name}`]);
    expect(existsSync(live.file)).toBe(false);
    await live.record(etcd);
    expect(said).toEqual([expect.stringContaining(`run rlive2: its ledger ${live.file} was removed while the run went on`)]);
    const [again] = await readLedgers(runs);
    expect(again).toMatchObject({ id: 'rlive2', header: { run: 'rlive2', owner: liveOwner }, resources: [vault, etcd] });
    // so the next ordinary reaper spares it while its runner lives
    const next = fakeRemovers();
    expect(await reap({ runsDir: runs, docker: true, removers: next.removers, listContainers: async () => [], alive, log: () => undefined })).toMatchObject({ runs: [], spared: [{ id: 'rlive2' }] });
    expect(next.calls).toEqual([]);
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
