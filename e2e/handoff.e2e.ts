import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ledgerFile } from '../lib/ledger.ts';
import { cli, runsDir } from './kill.ts';

/**
 * Clusters handed on inside a run (runner/cluster-handoff.ts), on the process cluster: two environments of one
 * profile and Kubernetes with different cert-manager releases, one after another. The second starts on the first's
 * cluster — cert-manager v1.16.5 uninstalled, its CRDs gone, the cluster checked back to its bare state — and both
 * verdicts hold; with `--cluster-per-environment` nothing is handed on. Either way the run leaves nothing behind.
 */
const IDS = ['k8s-client-jwt-default-audience-refused', 'k8s-cm-v1.21.1-client-jwt-aud-unset'];
const base = ['run', ...IDS, '--no-provision', '--concurrency', '1'];

async function runOnce(extra: string[] = []) {
  const r = await cli([...base, ...extra]);
  const out = r.all ?? '';
  const id = /^run (r[0-9a-z]{5}) \(pid \d+\)$/m.exec(out)?.[1];
  return { exitCode: r.exitCode, out, id };
}

describe('clusters handed on inside a run (process cluster)', () => {
  it('the second environment takes the first one\'s cluster, clean, and both verdicts hold', async () => {
    const r = await runOnce();
    expect(r.out, r.out).toMatch(/2 passed, 0 failed/);
    const handed = r.out.match(/process cluster (\S+) handed on clean/g) ?? [];
    expect(handed, r.out).toHaveLength(1);
    expect(r.exitCode).toBe(0);
    // the run cleaned up after itself: its ledger is gone with everything it recorded
    expect(existsSync(ledgerFile(runsDir, r.id!))).toBe(false);
  });

  it('--cluster-per-environment hands nothing on', async () => {
    const r = await runOnce(['--cluster-per-environment']);
    expect(r.out, r.out).toMatch(/2 passed, 0 failed/);
    expect(r.out).not.toMatch(/handed on/);
    expect(existsSync(ledgerFile(runsDir, r.id!))).toBe(false);
  });
});
