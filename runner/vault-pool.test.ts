import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleaner } from '../lib/cleaner.ts';
import type { VaultHandle } from './environment.ts';
import { VaultPool, type PooledVault } from './vault-pool.ts';

const stopped: string[] = [];
function fake(engine: 'vault' | 'openbao', version: string): PooledVault {
  const running = { address: 'https://x', caPem: `ca-${version}`, rootToken: `root-${version}`, logCommand: '', logLines: async () => [], stop: async () => void stopped.push(version) };
  return { handle: { engine, version } as VaultHandle, running };
}

describe('VaultPool', () => {
  afterEach(() => void stopped.splice(0));

  it('starts each id once, even for concurrent callers', async () => {
    const pool = new VaultPool<PooledVault>(new Cleaner());
    let starts = 0;
    const start = async () => (starts++, fake('vault', 'v1.21.0'));
    const [a, b] = await Promise.all([pool.handle('vault@v1.21.0', start), pool.handle('vault@v1.21.0', start)]);
    expect(starts).toBe(1);
    expect(a).toBe(b);
  });

  it('keeps the root tokens it is told about, and registers their stops with the Cleaner (newest first), skipping a start that failed', async () => {
    const cleaner = new Cleaner();
    cleaner.add('cluster', async () => void stopped.push('cluster'));
    const pool = new VaultPool<PooledVault>(cleaner);
    for (const v of ['v1', 'v2']) {
      await pool.handle(v, async () => {
        const f = fake('vault', v);
        pool.remember(f.running);
        return f;
      });
    }
    await expect(pool.handle('broken', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(pool.rootTokens()).toEqual(['root-v1', 'root-v2']);
    expect(await cleaner.unwind()).toEqual([]);
    expect(stopped).toEqual(['v2', 'v1', 'cluster']);
  });

  it('writes each root token 0600 and its CA for --keep instructions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-pool-'));
    try {
      const pool = new VaultPool<PooledVault & { where: string }>(new Cleaner());
      await pool.handle('o', async () => ({ ...fake('openbao', 'v2.6.2'), where: 'container c' }));
      const [v] = await pool.withReproFiles(dir);
      expect(v!.where).toBe('container c');
      expect(v!.tokenFile).toBe(join(dir, 'openbao-v2.6.2.token'));
      expect(await readFile(v!.tokenFile, 'utf8')).toBe('root-v2.6.2');
      expect((await stat(v!.tokenFile)).mode & 0o777).toBe(0o600);
      expect(await readFile(v!.caFile, 'utf8')).toBe('ca-v2.6.2');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
