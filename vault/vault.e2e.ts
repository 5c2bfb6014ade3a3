// Runs against the real provisioned Vault of the default pin (CM_VAULT_E2E_VAULT_BIN=/path/to/vault-or-bao picks
// another binary, e.g. OpenBao's `bao`).
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryPath } from '../provision/artifacts.ts';
import { loadVersions } from '../scenarios/versions.ts';
import { createVaultClient, type VaultClient } from './client.ts';
import { configureJwtAuth, writeJwtRole } from './configure/jwt-auth.ts';
import { configureKubernetesAuth, writeKubernetesRole } from './configure/kubernetes-auth.ts';
import { login } from './test-support/login.ts';
import { DEFAULT_PKI_ROLE, enablePki } from './configure/pki.ts';
import { writeIssuerPolicy } from './configure/policy.ts';
import { authFailureReason, findAuthLines, parseVaultLog } from './test-support/log.ts';
import { LocalVault, type LocalRunningVault } from './placements/local-process.ts';
import { RunLedger } from '../lib/ledger.ts';
import { freePort } from '../lib/ports.ts';
import { serviceAccountClaims, signedTestJwt, testJwtPublicKeyPem } from './test-support/jwt.ts';
import {
  INVALID_AUDIENCE as KUBERNETES_ROLE_AUDIENCE_ERROR,
  JWT_BOUND_AUDIENCE_ERROR,
  JWT_NO_BOUND_AUDIENCES_ERROR,
  LOGIN_UNAUTHORIZED as KUBERNETES_LOGIN_UNAUTHORIZED,
  PERMISSION_DENIED,
} from '../scenarios/oracle/messages.ts';

const versions = loadVersions();
const binary = process.env.CM_VAULT_E2E_VAULT_BIN ?? (await binaryPath('vault', versions.vault.default, 'vault'));

const NAMESPACE = 'sandbox';
const SERVICE_ACCOUNT = 'vault-issuer';
const POLICY = 'cm-vault-e2e-issuer';
const sa = (audiences: string[]) =>
  signedTestJwt(serviceAccountClaims({ namespace: NAMESPACE, serviceAccount: SERVICE_ACCOUNT, audiences }));

describe.sequential('Vault on a real binary', () => {
  let vault: LocalRunningVault;
  let admin: VaultClient;
  let anonymous: VaultClient;
  let stateDir: string;
  let ledger: RunLedger;
  let rootCaPem: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-it-state-'));
    ledger = new RunLedger(stateDir);
    vault = await new LocalVault(binary, { logLevel: 'debug', ledger }).start();
    console.info(`vault started in ${vault.startupMs} ms at ${vault.address} (pid ${vault.pid})`);
    admin = createVaultClient({ address: vault.address, caPem: vault.caPem, token: vault.rootToken });
    anonymous = createVaultClient({ address: vault.address, caPem: vault.caPem });
  }, 60_000);

  afterAll(async () => {
    await vault?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('starts healthy over TLS and records its pid', async () => {
    expect(vault.address).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await admin.health();
    expect(health).toMatchObject({ initialized: true, sealed: false });
    expect(ledger.resources).toContainEqual(expect.objectContaining({ kind: 'process', name: 'vault', pid: vault.pid }));
  });

  it('enables PKI with a root CA generated inside Vault, once per mount', async () => {
    rootCaPem = await enablePki(admin, { mount: 'pki', commonName: 'cm-vault-e2e root' });
    await writeIssuerPolicy(admin, { name: POLICY, pkiMount: 'pki', role: DEFAULT_PKI_ROLE });
    expect(new X509Certificate(rootCaPem).subject).toContain('CN=cm-vault-e2e root');
    expect(await enablePki(admin, { mount: 'pki', commonName: 'cm-vault-e2e root' })).toBe(rootCaPem);
  });

  // cert-manager only ever signs CSRs, with RSA (its default) or ECDSA keys.
  it.for([
    ['RSA', ['-newkey', 'rsa:2048']],
    ['ECDSA', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']],
  ] as const)('signs a %s CSR through pki/sign/<role>', async ([, keyArgs], ctx) => {
    const openssl = await execa('openssl', ['version'], { reject: false });
    if (openssl.exitCode !== 0) ctx.skip('openssl is not installed: it makes the CSR');
    const keyDir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-csr-'));
    try {
      const { stdout: csr } = await execa('openssl', [
        'req', '-new', ...keyArgs, '-nodes', '-keyout', join(keyDir, 'key.pem'), '-subj', '/CN=signed.example',
        '-addext', 'subjectAltName=DNS:signed.example,IP:10.0.0.7', '-outform', 'PEM',
      ]);
      const signed = await admin.write(`pki/sign/${DEFAULT_PKI_ROLE}`, { csr, ttl: '1h' });
      const leaf = new X509Certificate(String(signed.data.certificate));
      expect(leaf.verify(new X509Certificate(rootCaPem).publicKey)).toBe(true);
      expect(leaf.subjectAltName).toContain('DNS:signed.example');
      expect(leaf.subjectAltName).toContain('IP Address:10.0.0.7');
    } finally {
      await rm(keyDir, { recursive: true, force: true });
    }
  });

  describe('kubernetes auth (client-jwt, API server unreachable)', () => {
    let since: Date;

    beforeAll(async () => {
      // A closed loopback port: Vault's TokenReview call is refused at once.
      const kubernetesHost = `https://127.0.0.1:${await freePort()}`;
      await configureKubernetesAuth(admin, {
        mount: 'k8s-e2e',
        kubernetesHost,
        kubernetesCaPem: vault.caPem,
        tokenReviewer: 'client-jwt',
      });
      const common = { mount: 'k8s-e2e', serviceAccountName: SERVICE_ACCOUNT, namespace: NAMESPACE, policies: [POLICY] };
      await writeKubernetesRole(admin, { ...common, role: 'aud-a', audience: 'a' });
      since = new Date();
    });

    it('refuses a token whose aud is not the role audience, with 403 and the exact text', async () => {
      const result = await login(anonymous, { mount: 'k8s-e2e', role: 'aud-a', jwt: sa(['b']) });
      expect(result).toEqual({ ok: false, status: 403, errors: [KUBERNETES_ROLE_AUDIENCE_ERROR] });
      expect(result.errors[0]).toBe('invalid audience (aud) claim: audience claim does not match any expected audience');
    });

    it('passes the audience check, then logs why the TokenReview failed', async () => {
      const result = await login(anonymous, { mount: 'k8s-e2e', role: 'aud-a', jwt: sa(['a']) });
      expect(result).toEqual({ ok: false, status: 403, errors: [PERMISSION_DENIED] });
      const lines = await waitForAuthLines(vault, since);
      expect(lines.map((e) => e.message)).toContain(KUBERNETES_LOGIN_UNAUTHORIZED);
      const reason = authFailureReason(lines.at(-1)!);
      expect(reason).toMatch(/tokenreviews.*connection refused/);
      console.info(`vault log line: ${lines.at(-1)!.raw}`);
    });
  });

  describe('jwt auth', () => {
    beforeAll(async () => {
      await configureJwtAuth(admin, { mount: 'jwt-e2e', jwtValidationPubkeys: [testJwtPublicKeyPem] });
      const common = {
        mount: 'jwt-e2e',
        boundSubject: `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`,
        policies: [POLICY],
      };
      await writeJwtRole(admin, { ...common, role: 'aud-a', boundAudiences: ['a'] });
      await writeJwtRole(admin, { ...common, role: 'unbound', boundAudiences: [] });
    });

    it('logs in when aud matches bound_audiences', async () => {
      const result = await login(anonymous, { mount: 'jwt-e2e', role: 'aud-a', jwt: sa(['x', 'a']) });
      expect(result.ok).toBe(true);
      expect(result.policies).toContain(POLICY);
    });

    it('refuses an aud outside bound_audiences with 400 and the exact text', async () => {
      const result = await login(anonymous, { mount: 'jwt-e2e', role: 'aud-a', jwt: sa(['b']) });
      expect(result).toEqual({ ok: false, status: 400, errors: [JWT_BOUND_AUDIENCE_ERROR] });
    });

    it('refuses any aud when the role binds none', async () => {
      const result = await login(anonymous, { mount: 'jwt-e2e', role: 'unbound', jwt: sa(['b']) });
      expect(result).toEqual({ ok: false, status: 400, errors: [JWT_NO_BOUND_AUDIENCES_ERROR] });
    });
  });

  it('keeps the root token, the unseal key and JWTs out of its log', async () => {
    // The dev banner comes a moment after sys/health turns healthy.
    let text = '';
    for (let i = 0; i < 50 && !text.includes('Root Token:'); i++) {
      text = (await vault.logLines()).join('\n');
      if (!text.includes('Root Token:')) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(text).toContain('Root Token: <redacted:root-token>');
    expect(text).toMatch(/Unseal Key: <redacted:unseal-key>/);
    expect(text).not.toContain(vault.rootToken);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
  });

  it('stops: the process, its temp dir and its ledger entries are gone', async () => {
    const { pid } = vault;
    const tempDir = dirname(vault.logFile);
    await vault.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(tempDir)).toBe(false);
    expect(ledger.resources).toEqual([]);
    expect(await ledger.close()).toEqual([]);
    expect(existsSync(ledger.file)).toBe(false);
  });
});

// Vault writes the line just before it answers, but the pipe to our log file may lag a little.
async function waitForAuthLines(vault: LocalRunningVault, since: Date) {
  for (let i = 0; i < 50; i++) {
    const lines = findAuthLines(parseVaultLog(await vault.logLines()), { method: 'kubernetes', since });
    if (lines.length > 0) return lines;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no auth line in the Vault log');
}
