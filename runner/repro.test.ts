import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../lib/test-temp.ts';
import { cacheLayout } from '../provision/cache.ts';
import { ManifestWriter } from '../provision/manifest.ts';
import { loadPlans } from '../scenarios/plan.ts';
import { isolate, suffixOf } from './isolate.ts';
import { heldObjects, kubectlLines, reproLines, searchLog } from './repro.ts';

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
    expect(lines).toContain('/cache/vault/v1.21.0/vault auth list');
    expect(lines).toContain('export VAULT_ADDR=https://127.0.0.1:8201 VAULT_CACERT=/k/ca.pem VAULT_TOKEN=$(cat /k/vault.token)');
    // OpenBao's CLI: its own variables too, after the line that makes it reachable
    const bao = lines.findIndex((l) => l.startsWith('# openbao'));
    expect(lines[bao + 1]).toBe('kubectl port-forward deploy/vault 8200:8200 &');
    expect(lines[bao + 2]).toContain('BAO_ADDR=https://127.0.0.1:8201 BAO_CACERT=/k/ca.pem BAO_TOKEN=$(cat /k/vault.token)');
    expect(lines.at(-1)).toBe('# when done: npx cm-vault-e2e clean');
    expect(lines.join('\n')).not.toMatch(/VAULT_TOKEN=[a-z0-9]/);
    // a Vault log without a failed login is an answer, not a failing command
    expect(lines).toContain("cat /k/vault.log 2>&1 | grep -n 'login unauthorized' || echo 'no match'");
  });

  it("puts a kubectl on PATH before the first kubectl line: the cluster's version, as provisioned", async () => {
    const lines = await reproLines({ ...repro, kubernetes: 'v1.34.4' }, async (engine) => engine, async (k) => [`export PATH=/cache/kube-node/${k}:$PATH`]);
    const path = lines.indexOf('export PATH=/cache/kube-node/v1.34.4:$PATH');
    expect(path).toBeGreaterThan(lines.indexOf('export KUBECONFIG=/k/admin.kubeconfig'));
    expect(path).toBeLessThan(lines.findIndex((l) => l.startsWith('kubectl ')));
  });

  it('falls back to the CLI on PATH where nothing is provisioned (an existing cluster)', async () => {
    const lines = await reproLines(repro, async () => Promise.reject(new Error('not provisioned')));
    expect(lines.some((l) => l.startsWith('vault auth list'))).toBe(true);
    expect(lines.some((l) => l.startsWith('bao auth list'))).toBe(true);
  });

  it("names the held scenario's objects as it ran them: its isolated mount and namespace, not the written ones", async () => {
    const written = loadPlans().find((p) => p.id === 'k8s-role-audience-mismatch')!;
    const isolated = isolate(written, suffixOf(written.id));
    if (!('plan' in isolated)) throw new Error(`not isolated: ${isolated.exclusive}`);
    const actual = isolated.plan;
    expect(actual.auth.mount).not.toBe(written.auth.mount);
    const lines = await reproLines({ ...repro, held: heldObjects(actual) }, async (engine) => engine);
    const sfx = suffixOf(written.id);
    expect(lines).toContain(`# ${written.id}: its objects are in place, under the names it ran with`);
    expect(lines).toContain(`kubectl -n ${written.issuer.namespace}-${sfx} describe issuer ${actual.issuer.name}`);
    expect(lines).toContain(`vault auth list && vault read auth/${written.auth.mount}-${sfx}/config && vault read auth/${written.auth.mount}-${sfx}/role/cm-vault-e2e`);
    // the other Vault, which the scenario did not use, only lists its mounts
    expect(lines.filter((l) => l.startsWith('openbao '))).toEqual(['openbao auth list']);
  });
});

describe('kubectlLines', () => {
  it('puts the provisioned kubectl of the cluster version first on PATH', async () => {
    const layout = cacheLayout(testTempDir('cmve-repro-kubectl-'));
    const dir = layout.artifact('kube-node', 'v1.34.4');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'kubectl'), 'binary');
    const binaries = [{ name: 'kubectl', path: join(dir, 'kubectl'), sha256: 'x', size: 6, versionOutput: 'v1.34.4' }];
    await new ManifestWriter(layout.manifest).record({ name: 'kube-node', version: 'v1.34.4', modules: [], goVersion: 'go1.26', builtAt: '', buildSeconds: 1, binaries, extras: [] });
    expect(await kubectlLines('v1.34.4', layout)).toEqual([`export PATH=${dir}:$PATH   # kubectl v1.34.4, as provisioned`]);
  });

  it('where none is provisioned, fetches the pinned one only for a shell without a kubectl of its own', async () => {
    const layout = cacheLayout(testTempDir('cmve-repro-kubectl-'));
    expect(await kubectlLines('v1.34.4', layout)).toEqual([
      `command -v kubectl >/dev/null || { npx cm-vault-e2e provision --only kube-node@v1.34.4 && export PATH=${layout.artifact('kube-node', 'v1.34.4')}:$PATH; }`,
    ]);
  });

  it('says nothing where the suite pinned no Kubernetes (an existing cluster: its user brings kubectl)', async () => {
    expect(await kubectlLines(undefined, cacheLayout(testTempDir('cmve-repro-kubectl-')))).toEqual([]);
  });
});

describe('searchLog', () => {
  it('exits 0 when nothing matches, saying so', () => {
    expect(searchLog({ file: '/k/kube-apiserver.log' }, 'is invalid')).toBe("grep -n 'is invalid' /k/kube-apiserver.log || echo 'no match in /k/kube-apiserver.log'");
  });
});
