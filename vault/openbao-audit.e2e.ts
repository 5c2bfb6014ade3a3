// OpenBao's audit device, declared in the server configuration, on each pinned OpenBao release this machine has
// (real `bao`): the API refuses to create one, the declared one is listed, hashes values, and writes entries the
// suite parses. CI's releases (versions.yaml `ci`, which `npm run test:e2e` provisions) always run: one missing fails.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vaultBinary } from '../provision/artifacts.ts';
import { loadVersions } from '../scenarios/versions.ts';
import { createVaultClient, type VaultClient } from './client.ts';
import { parseAuditLine, scenarioEntries } from './audit-log.ts';
import { AUDIT_DEVICE, auditHash, declaredAuditConfig, enableFileAudit } from './configure/audit.ts';
import { LocalVault, type LocalRunningVault } from './placements/local-process.ts';
import { poll, waiting } from '../lib/wait.ts';
import { RunLedger } from '../lib/ledger.ts';

const openbao = loadVersions().openbao;
const provisioned = await Promise.all(openbao.versions.map((v) => vaultBinary('openbao', v).then(() => v, () => undefined)));
const versions = [...new Set([...openbao.ci, ...provisioned.filter((v): v is string => !!v)])];

describe.sequential.each(versions)('OpenBao %s with its declared audit device', (version) => {
  let bao: LocalRunningVault;
  let admin: VaultClient;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-it-state-'));
    bao = await new LocalVault(await vaultBinary('openbao', version), { ledger: new RunLedger(stateDir), config: declaredAuditConfig('openbao') }).start();
    admin = createVaultClient({ address: bao.address, caPem: bao.caPem, token: bao.rootToken });
  }, 60_000);

  afterAll(async () => {
    await bao?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('refuses a device created through the API', async () => {
    const err = await admin.write('sys/audit/api-made', { type: 'file', options: { file_path: 'stdout' } }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toContain('cannot enable audit device via API; use declarative, config-based audit device management instead');
  });

  it('lists the declared device, so enabling it is a no-op', async () => {
    const listed = (await admin.read('sys/audit')) as { data?: Record<string, { type?: string; options?: Record<string, string> }> };
    expect(listed.data?.[`${AUDIT_DEVICE.path}/`]).toMatchObject({ type: AUDIT_DEVICE.type, options: { file_path: AUDIT_DEVICE.filePath } });
    expect(await enableFileAudit(admin)).toBeUndefined();
  });

  it('writes entries the suite parses: a login found by its role\'s HMAC (sys/audit-hash), its error HMAC\'d', async () => {
    await admin.write('sys/auth/kubernetes', { type: 'kubernetes' });
    const role = `probe-${version}`;
    await admin.write('auth/kubernetes/login', { role, jwt: 'not-a-jwt' }).catch(() => undefined);
    const roleHmac = await auditHash(admin, role);
    expect(roleHmac).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    // the server's output reaches its log file a moment after the answer
    const read = await poll(async () => {
      const entries = (await bao.logLines()).map(parseAuditLine).filter((e) => e !== undefined);
      const found = scenarioEntries(entries, { roleHmac, signPath: 'pki/sign/none' });
      return found.length >= 2 ? found : waiting();
    }, { timeoutMs: 5_000, intervalMs: 100 });
    const login = read.ok ? read.value : [];
    expect(login.map((e) => e.type)).toEqual(['request', 'response']);
    // an unknown role is an error response: its text is response data, HMAC'd like the rest
    expect(login[1]?.responseError).toMatch(/^hmac-sha256:/);
    // neither the role nor the JWT in clear, nor the root token
    const out = (await bao.logLines()).join('\n');
    expect(out).not.toContain(bao.rootToken);
    expect(out).not.toContain('not-a-jwt');
  });
});
