import { describe, expect, it } from 'vitest';
import type { VaultClient } from '../vault/client.ts';
import { vaultLogMark } from './vault-mark.ts';

/** A Vault whose log stream delivers each line `lagMs` after it was written; the audit-hash request writes its entry. */
function laggingVault(written: string[], lagMs: number) {
  const arrived = [...written];
  const write = (l: string) => void setTimeout(() => arrived.push(l), lagMs);
  const hash = async (_: VaultClient, input: string) => {
    const h = `hmac-sha256:${Buffer.from(input).toString('hex').slice(-16)}`;
    write(`{"type":"request","request":{"path":"sys/audit-hash/cm-vault-e2e","data":{"input":"${h}"}}}`);
    return h;
  };
  return { vault: { admin: {} as VaultClient, logLines: async () => [...arrived] }, write, hash, arrived };
}

describe('vaultLogMark', () => {
  it("puts the mark past a line written before it that the stream delivers after it (the scenario before's late login)", async () => {
    const v = laggingVault(['boot'], 40);
    v.write('login of the scenario before');
    const mark = await vaultLogMark(v.vault, v.hash);
    expect(v.arrived.slice(0, mark)).toContain('login of the scenario before');
    expect(v.arrived[mark - 1]).toContain('sys/audit-hash');
  });

  it('counts the lines so far where the Vault has no audit device', async () => {
    const v = laggingVault(['a', 'b'], 0);
    let hashed = false;
    const mark = await vaultLogMark({ ...v.vault, auditUnavailable: 'refused' }, async () => ((hashed = true), 'x'));
    expect(mark).toBe(2);
    expect(hashed).toBe(false);
  });

  it('falls back to counting when the barrier entry never comes through', async () => {
    const v = laggingVault(['a', 'b', 'c'], 0);
    const mark = await vaultLogMark(v.vault, async () => 'hmac-sha256:never-written', 100);
    expect(mark).toBe(3);
  });
});
