import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ledgerFile } from '../lib/ledger.ts';
import { cli, runsDir } from './kill.ts';

/**
 * Clusters handed on inside a run (runner/cluster-handoff.ts, runner/handover.ts): two environments of one profile
 * and Kubernetes with different cert-manager releases, one after another. The second starts on the first's cluster
 * — cert-manager v1.19.5 uninstalled, its CRDs gone, the cluster checked back to its bare state — and both verdicts
 * hold; with `--cluster-per-environment` nothing is handed on. Either way the run leaves nothing behind. The kind
 * case creates a kind cluster: run it alone (one lock around kind runs) where runs share a Docker host.
 */
const IDS = ['k8s-client-jwt-default-audience-refused', 'k8s-cm-v1.21.2-client-jwt-aud-unset'];

async function runOnce(backend: 'local' | 'kind', extra: string[] = []) {
  const r = await cli(['run', ...IDS, '--backend', backend, '--no-provision', '--concurrency', '1', ...extra]);
  const out = r.all ?? '';
  const id = /^run (r[0-9a-z]{5}) \(pid \d+\)$/m.exec(out)?.[1];
  return { exitCode: r.exitCode, out, id };
}

const CLUSTER_WORDS = { local: 'process cluster', kind: 'kind cluster' } as const;

describe.each(['local', 'kind'] as const)('clusters handed on inside a run (%s)', (backend) => {
  it("the second environment takes the first one's cluster, clean, and both verdicts hold", async () => {
    const r = await runOnce(backend);
    expect(r.out, r.out).toMatch(/2 passed, 0 failed/);
    const handed = r.out.match(new RegExp(`${CLUSTER_WORDS[backend]} (\\S+) handed on clean`, 'g')) ?? [];
    expect(handed, r.out).toHaveLength(1);
    expect(r.out).not.toMatch(/not handed on/);
    if (backend === 'kind') {
      // the cluster was made from a node image stocked with both releases' images (kind/images/stocked.ts): neither
      // environment loaded them
      expect(r.out).toMatch(/kind: creating \S+ \(profile kind, cm-vault-e2e\/kind-node-stocked:/);
      expect(r.out.match(/images on the node in [\d.]+s \(the node image holds them\)/g) ?? [], r.out).toHaveLength(2);
    }
    expect(r.exitCode).toBe(0);
    // the run cleaned up after itself: its ledger is gone with everything it recorded
    expect(leftLedger(r.id!), r.out).toBe('');
  });
});

describe('a kind cluster handed on with cert-manager running', () => {
  // a v1.19.5 environment, then an upgrade scenario starting from v1.19.5 (same Helm, same images): both releases are
  // in versions.yaml's `ci` set, so a cold CI has them
  const ids = ['jwt-cm-v1.19.5-bound-server', 'upgrade-v1.19.5-to-v1.20.3-jwt-server-audience'];

  it('the upgrade takes the cluster with v1.19.5 as installed, reset and checked healthy, not installed again, and both verdicts hold', async () => {
    const r = await cli(['run', ...ids, '--backend', 'kind', '--no-provision', '--concurrency', '1']);
    const out = r.all ?? '';
    expect(out, out).toMatch(/2 passed, 0 failed/);
    expect(out.match(/kind cluster \S+ handed on with cert-manager v1\.19\.5 running, after a [\d.]+s reset \(nothing beyond its state right after the install\)/g) ?? [], out).toHaveLength(1);
    // installed once, then upgraded in place by the scenario
    expect(out.match(/helm upgrade --install v1\.19\.5 /g) ?? [], out).toHaveLength(1);
    expect(out.match(/helm upgrade --install v1\.20\.3 /g) ?? [], out).toHaveLength(1);
    expect(out).not.toMatch(/not handed on|not clean|does not answer healthy/);
    expect(r.exitCode).toBe(0);
    const id = /^run (r[0-9a-z]{5}) \(pid \d+\)$/m.exec(out)?.[1];
    expect(leftLedger(id!), out).toBe('');
  });
});

/** What the run's ledger still records ('' when the run removed it, having undone everything). */
const leftLedger = (id: string) => (existsSync(ledgerFile(runsDir, id)) ? readFileSync(ledgerFile(runsDir, id), 'utf8') || '(empty ledger)' : '');

describe('clusters handed on inside a run, turned off', () => {
  it('--cluster-per-environment hands nothing on', async () => {
    const r = await runOnce('local', ['--cluster-per-environment']);
    expect(r.out, r.out).toMatch(/2 passed, 0 failed/);
    expect(r.out).not.toMatch(/handed on/);
    expect(leftLedger(r.id!), r.out).toBe('');
  });
});
