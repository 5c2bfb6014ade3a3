import type { KubernetesObject } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { keptFile, readKept, type KeptEnvironment } from '../lib/ledger.ts';
import { Kube, kubeConfigFor } from '../lib/kube.ts';
import { MANAGED_BY } from '../lib/names.ts';
import { isAlive } from '../lib/run-identity.ts';
import { leftovers, type Baseline } from '../runner/reset.ts';
import { cli, runsDir, startRun } from './kill.ts';

/**
 * `run --reuse` on the process cluster: the first run keeps its environment; objects of every kind a scenario
 * makes are then planted in it by hand; the next run adopts it, and the reset leaves nothing beyond the baseline
 * (runner/reset.ts `leftovers` is the proof, and it sees the planted objects first). `clean` removes it whole;
 * a run in progress is spared by `clean`.
 */
const SCENARIO = 'k8s-role-audience-mismatch';
const run = ['run', SCENARIO, '--no-provision', '--reuse'];

interface LocalState {
  cluster: { dir: string; server: string; files: { ca: string; adminCert: string; adminKey: string }; procs: Array<{ record: { name: string; pid: number; start?: string } }> };
  baseline: Baseline;
}

async function keptLocal(): Promise<KeptEnvironment & { file: string; state: LocalState }> {
  const kept = (await readKept(runsDir)).filter((k) => k.backend === 'local' && k.summary.includes('cert-manager'));
  expect(kept).toHaveLength(1);
  return kept[0] as KeptEnvironment & { file: string; state: LocalState };
}

async function kubeOf(state: LocalState): Promise<Kube> {
  const [caPem, certPem, keyPem] = await Promise.all([state.cluster.files.ca, state.cluster.files.adminCert, state.cluster.files.adminKey].map((f) => readFile(f, 'utf8')));
  return new Kube(kubeConfigFor({ server: state.cluster.server, caPem: caPem!, client: { certPem: certPem!, keyPem: keyPem! } }));
}

/** One object of every kind the reset must remove, in a namespace of the baseline and in one of its own. */
function planted(): KubernetesObject[] {
  const ns = 'reuse-planted';
  const issuer = (kind: string, namespace?: string) => ({
    apiVersion: 'cert-manager.io/v1',
    kind,
    metadata: { name: 'planted', ...(namespace ? { namespace } : {}) },
    spec: { selfSigned: {} },
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ...MANAGED_BY } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'planted', namespace: ns } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'planted', namespace: 'cert-manager' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'planted', namespace: 'cert-manager' }, stringData: { a: 'b' } } as KubernetesObject,
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'planted', namespace: ns }, rules: [] } as KubernetesObject,
    issuer('Issuer', ns),
    issuer('ClusterIssuer'),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'cm-vault-e2e-planted', labels: { ...MANAGED_BY } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'planted', namespace: ns }],
    } as KubernetesObject,
  ];
}

describe('run --reuse on the process cluster', () => {
  afterAll(async () => {
    await cli(['clean']);
  }, 120_000);

  it('keeps the environment, adopts it in the next run after a reset that removes what was planted, and clean removes it', async () => {
    const first = await cli(run);
    expect(first.exitCode, first.all).toBe(0);
    expect(first.all).toMatch(/reuse: kept the process cluster/);
    const kept = await keptLocal();
    const kube = await kubeOf(kept.state);
    expect(await leftovers(kube, kept.state.baseline)).toEqual([]);

    for (const o of planted()) await kube.apply(o);
    const seen = await leftovers(kube, kept.state.baseline);
    for (const what of ['ServiceAccount reuse-planted/planted', 'ServiceAccount cert-manager/planted', 'Secret cert-manager/planted', 'Role reuse-planted/planted', 'Issuer reuse-planted/planted', 'ClusterIssuer planted', 'ClusterRoleBinding cm-vault-e2e-planted']) {
      expect(seen).toContain(what);
    }

    const second = await cli(run);
    expect(second.exitCode, second.all).toBe(0);
    expect(second.all).toContain('reuse: adopted the process cluster');
    expect(second.all).toMatch(/environment \S+: up in \d+\.\ds/);
    const again = await keptLocal();
    // the same processes serve on: adopted, not restarted
    expect(again.state.cluster.procs.map((p) => p.record.pid)).toEqual(kept.state.cluster.procs.map((p) => p.record.pid));
    expect(await leftovers(kube, again.state.baseline)).toEqual([]);

    const clean = await cli(['clean']);
    expect(clean.exitCode, clean.all).toBe(0);
    expect(clean.all).toMatch(/1 kept environment\(s\) removed/);
    expect(existsSync(keptFile(runsDir, again.name))).toBe(false);
    expect(existsSync(again.state.cluster.dir)).toBe(false);
    for (const p of again.state.cluster.procs) expect(isAlive(p.record), p.record.name).toBe(false);
  }, 900_000);

  it('clean spares a run in progress', async () => {
    const live = await startRun([SCENARIO, '--no-provision']);
    const clean = await cli(['clean']);
    expect(clean.all).toContain(`clean: spared run ${live.id} in progress (pid ${live.owner.pid})`);
    const done = await live.child;
    expect(done.exitCode, live.output()).toBe(0);
    expect(live.output()).toMatch(/1 passed/);
  }, 600_000);
});
