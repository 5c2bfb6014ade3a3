import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cleaner } from '../lib/cleaner.ts';
import type { RunningVault } from '../vault/placements/placement.ts';
import type { VaultHandle } from './environment.ts';

export interface PooledVault {
  handle: VaultHandle;
  running: RunningVault;
}

/**
 * The Vaults of one environment: each started once per id (concurrent scenarios share the start), root tokens
 * kept for redaction, and each stop registered with the environment's Cleaner. Backends differ only in how a
 * Vault starts.
 */
export class VaultPool<T extends PooledVault> {
  private readonly entries = new Map<string, Promise<T>>();
  private readonly tokens: string[] = [];

  constructor(private readonly cleaner: Cleaner) {}

  async handle(id: string, start: () => Promise<T>): Promise<VaultHandle> {
    let entry = this.entries.get(id);
    if (!entry) {
      entry = start();
      this.entries.set(id, entry);
    }
    return (await entry).handle;
  }

  /** Call as soon as a server runs, before configuring it: whatever fails next must still be redacted and stopped. */
  remember(running: RunningVault): void {
    this.tokens.push(running.rootToken);
    this.cleaner.add(`vault #${this.tokens.length}`, () => running.stop());
  }

  rootTokens(): string[] {
    return [...this.tokens];
  }

  /** Every Vault with its root token (0600) and listener CA written into `dir`, for `--keep` instructions. */
  async withReproFiles(dir: string): Promise<Array<T & { tokenFile: string; caFile: string }>> {
    const out: Array<T & { tokenFile: string; caFile: string }> = [];
    for (const entry of this.entries.values()) {
      const v = await entry;
      const tokenFile = join(dir, `${v.handle.engine}-${v.handle.version}.token`);
      const caFile = join(dir, `${v.handle.engine}-${v.handle.version}-ca.pem`);
      await writeFile(tokenFile, v.running.rootToken, { mode: 0o600 });
      await writeFile(caFile, v.running.caPem);
      out.push({ ...v, tokenFile, caFile });
    }
    return out;
  }
}

/** An environment's stop(): everything its Cleaner holds, newest first; what could not be undone is an error. */
export async function stopAll(cleaner: Cleaner): Promise<void> {
  const failures = await cleaner.unwind();
  if (failures.length) throw new Error(`cleanup incomplete: ${failures.join('; ')}`);
}
