/**
 * A Vault placement's scratch directory (its listener's CA and key, a process's data and config). With the run's
 * ledger the directory is recorded there, so a run killed meanwhile leaves it for the next run to reap instead of a
 * CA key in the system temp dir for good; without one (a placement used on its own), a plain temp dir.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunLedger } from '../../lib/ledger.ts';

export interface VaultTempDir {
  path: string;
  remove(): Promise<void>;
}

/** `label` names the directory in the run's temp dir prefix (lib/ledger.ts tempDir). */
export async function vaultTempDir(ledger: RunLedger | undefined, label: string): Promise<VaultTempDir> {
  if (ledger) {
    const path = await ledger.tempDir(label);
    return { path, remove: () => ledger.removeDir(path) };
  }
  const path = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-vault-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
