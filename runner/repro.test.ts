import { describe, expect, it } from 'vitest';
import { reproLines } from './repro.ts';

const vault = { where: 'local process', address: 'https://127.0.0.1:8201', tokenFile: '/k/vault.token', caFile: '/k/ca.pem', logCommand: 'cat /k/vault.log' };
const repro = {
  name: 'kind@5c1e9a0d/k8s-v1.34.4/cm-v1.16.5',
  what: 'process cluster',
  kubeconfig: '/k/admin.kubeconfig',
  inspect: ['grep -n x /k/apiserver.log'],
  vaults: [
    { engine: 'vault' as const, version: 'v1.21.0', ...vault },
    { engine: 'openbao' as const, version: 'v2.4.4', ...vault, reach: ['kubectl port-forward deploy/vault 8200:8200 &'] },
  ],
  done: 'npx cm-vault-e2e clean',
};

describe('reproLines', () => {
  it('runs the provisioned CLI by its path, with the address, CA and token file it needs', async () => {
    const lines = await reproLines(repro, async (engine, version) => `/cache/${engine}/${version}/${engine === 'vault' ? 'vault' : 'bao'}`);
    expect(lines[0]).toBe('# environment kind@5c1e9a0d/k8s-v1.34.4/cm-v1.16.5 (process cluster)');
    expect(lines).toContain('export KUBECONFIG=/k/admin.kubeconfig');
    expect(lines).toContain('/cache/vault/v1.21.0/vault auth list && /cache/vault/v1.21.0/vault read auth/kubernetes/config && /cache/vault/v1.21.0/vault read auth/kubernetes/role/cm-vault-e2e');
    expect(lines).toContain('export VAULT_ADDR=https://127.0.0.1:8201 VAULT_CACERT=/k/ca.pem VAULT_TOKEN=$(cat /k/vault.token)');
    // OpenBao's CLI: its own variables too, after the line that makes it reachable
    const bao = lines.findIndex((l) => l.startsWith('# openbao'));
    expect(lines[bao + 1]).toBe('kubectl port-forward deploy/vault 8200:8200 &');
    expect(lines[bao + 2]).toContain('BAO_ADDR=https://127.0.0.1:8201 BAO_CACERT=/k/ca.pem BAO_TOKEN=$(cat /k/vault.token)');
    expect(lines.at(-1)).toBe('# when done: npx cm-vault-e2e clean');
    expect(lines.join('\n')).not.toMatch(/VAULT_TOKEN=[a-z0-9]/);
  });

  it('falls back to the CLI on PATH where nothing is provisioned (an existing cluster)', async () => {
    const lines = await reproLines(repro, async () => Promise.reject(new Error('not provisioned')));
    expect(lines.some((l) => l.startsWith('vault auth list'))).toBe(true);
    expect(lines.some((l) => l.startsWith('bao auth list'))).toBe(true);
  });
});
