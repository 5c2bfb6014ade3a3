import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createCa, issueLeaf } from '../lib/pki.ts';
import { cliHarness } from './testing.ts';

const DATA = join(import.meta.dirname, '..', 'diagnose', 'testdata');
const dir = mkdtempSync(join(tmpdir(), 'cm-vault-e2e-diagnose-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = cliHarness();

describe('diagnose (offline)', () => {
  it('names the class, prints the fix and writes two scenarios', async () => {
    const outDir = join(dir, 'mount');
    const r = await cli('diagnose', '--issuer-file', join(DATA, 'vault-mount-path', 'issuer.yaml'), '--vault-auth-list', join(DATA, 'vault-mount-path', 'auth-list.json'), '--out', outDir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Diagnosis: vault-mount-path (certain');
    expect(r.stdout).toContain('"mountPath":"/v1/auth/kubernetes"');
    expect(readFileSync(join(outDir, 'failure.yaml'), 'utf8')).toContain('failure: vault-mount-path');
    expect(readFileSync(join(outDir, 'fix.yaml'), 'utf8')).toContain('ready: true');
  });

  it('--json carries the class, the fix and the scenario paths', async () => {
    const r = await cli('diagnose', '--issuer-file', join(DATA, 'token-request-forbidden', 'issuer.yaml'), '--out', join(dir, 'tr'), '--json');
    const json = JSON.parse(r.stdout) as { outcome: string; confidence: string; fixes: Array<{ fix: { title: string } }>; scenarios: { ids: string[] } };
    expect(json.outcome).toBe('token-request-forbidden');
    expect(json.confidence).toBe('certain');
    expect(json.fixes[0]!.fix.title).toMatch(/Role \+ RoleBinding/);
    expect(json.scenarios.ids).toHaveLength(2);
  });

  it('bad input: one error naming the file, the field and the fix; exit 2; nothing written', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: x, namespace: y}\nspec: {vault: {server: s, auth: {kubernetes: {serviceAccountRef: {name: sa}}}}}\n');
    const r = await cli('diagnose', '--issuer-file', bad, '--out', join(dir, 'never'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: ${bad} (spec.vault.auth.kubernetes.role): is missing\n  fix: set spec.vault.auth.kubernetes.role to the Vault role\n`);
    expect(() => readFileSync(join(dir, 'never', 'failure.yaml'))).toThrow();
  });

  it('live and offline options do not mix; nothing to diagnose is bad input', async () => {
    const mixed = await cli('diagnose', '--issuer-file', join(DATA, 'vault-mount-path', 'issuer.yaml'), '--vault-token-file', 'x');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('(--vault-token-file): is an option of live diagnose');
    expect((await cli('diagnose')).code).toBe(2);
  });

  it('an unreachable cluster is one clear error and exit 2', async () => {
    const kc = join(dir, 'kubeconfig');
    writeFileSync(kc, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    const r = await cli('diagnose', '--kubeconfig', kc, '--issuer', 'team-a/vault-issuer');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*kubeconfig \(--kubeconfig\): the API server https:\/\/127\.0\.0\.1:1 cannot be reached: /);
  });
});

describe('diagnose (live) against listeners on 127.0.0.1: where the Vault token goes', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    vi.unstubAllEnvs();
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise<void>((done) => s.close(() => done()));
    }
  });

  /** A listener recording every request and the token it carried; `answer` is its reply (https with `tls`). */
  async function listener(answer: (path: string) => { status: number; body: unknown }, tls?: { cert: string; key: string }): Promise<{ url: string; seen: Array<{ path: string; token?: string }> }> {
    const seen: Array<{ path: string; token?: string }> = [];
    const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      const token = req.headers['x-vault-token'];
      seen.push({ path: req.url ?? '', ...(typeof token === 'string' ? { token } : {}) });
      const a = answer(req.url ?? '');
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    };
    const server = tls ? createHttpsServer(tls, handler) : createServer(handler);
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  }

  /** An API server (https: client-node speaks nothing else) answering every read 404: the live path runs to Vault. */
  async function emptyCluster(): Promise<string> {
    const pki = join(dir, `pki-${servers.length}`);
    const ca = await createCa(pki, 'api-ca');
    const leaf = await issueLeaf(ca, pki, { name: 'api', commonName: 'api', ipAddresses: ['127.0.0.1'], usage: 'server' });
    const api = await listener(() => ({ status: 404, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 } }), { cert: readFileSync(leaf.certFile, 'utf8'), key: readFileSync(leaf.keyFile, 'utf8') });
    const kc = join(dir, `kubeconfig-${servers.length}`);
    writeFileSync(kc, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${api.url}", certificate-authority-data: ${Buffer.from(ca.certPem).toString('base64')}}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
    return kc;
  }

  /** The apiserver-audience Issuer, pointing at `server`. */
  function issuerNaming(server: string): string {
    const file = join(dir, `issuer-${servers.length}.yaml`);
    writeFileSync(file, readFileSync(join(DATA, 'apiserver-audience', 'issuer.yaml'), 'utf8').replace('server: https://vault.example.com:8200', `server: ${server}`));
    return file;
  }

  const fakeVault = () => listener((path) => (path === '/v1/sys/auth' ? { status: 200, body: { data: { 'kubernetes/': { type: 'kubernetes' } } } } : { status: 404, body: { errors: [] } }));

  it('a plain http listener named by the Issuer receives no token; the output says how to give an address', async () => {
    const named = await fakeVault();
    vi.stubEnv('VAULT_TOKEN', 'hvs.admin-token');
    vi.stubEnv('VAULT_ADDR', undefined);
    const r = await cli('diagnose', '--kubeconfig', await emptyCluster(), '--issuer-file', issuerNaming(named.url), '--out', join(dir, 'live-named'));
    expect(named.seen).toEqual([]);
    expect(r.stdout).toContain(`note: Vault not read: a token goes only to an address you give (--vault-addr URL or VAULT_ADDR), never to the Issuer's spec.vault.server (${named.url})`);
    expect(r.stdout + r.stderr).not.toContain('hvs.admin-token');
  });

  it("VAULT_ADDR is the operator's address: read there (with --vault-insecure-http), the Issuer's listener untouched, the mismatch a finding", async () => {
    const named = await fakeVault();
    const operators = await fakeVault();
    vi.stubEnv('VAULT_TOKEN', 'hvs.admin-token');
    vi.stubEnv('VAULT_ADDR', operators.url);
    const r = await cli('diagnose', '--kubeconfig', await emptyCluster(), '--issuer-file', issuerNaming(named.url), '--vault-insecure-http', '--out', join(dir, 'live-operator'));
    expect(named.seen).toEqual([]);
    expect(operators.seen[0]).toEqual({ path: '/v1/sys/auth', token: 'hvs.admin-token' });
    expect(r.stdout).toContain(`Vault read at ${operators.url} (VAULT_ADDR); the Issuer's server is ${named.url}`);
    expect(r.stdout).toContain(`Finding: the Issuer points at ${named.url}, you asked me to read ${operators.url} (VAULT_ADDR)`);
  });

  it('a plain http --vault-addr without --vault-insecure-http is bad input (exit 2), nothing sent', async () => {
    const operators = await fakeVault();
    vi.stubEnv('VAULT_TOKEN', 'hvs.admin-token');
    const r = await cli('diagnose', '--kubeconfig', await emptyCluster(), '--issuer-file', issuerNaming(operators.url), '--vault-addr', operators.url, '--out', join(dir, 'live-http'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: command line (--vault-addr): ${operators.url} is plain http`);
    expect(operators.seen).toEqual([]);
  });

  it('an unreachable cluster with --issuer-file is one clear error and exit 2, not an RBAC guess', async () => {
    const kc = join(dir, 'kubeconfig-unreachable');
    writeFileSync(kc, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    const r = await cli('diagnose', '--kubeconfig', kc, '--issuer-file', join(DATA, 'apiserver-audience', 'issuer.yaml'), '--out', join(dir, 'unreachable'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*kubeconfig-unreachable \(--kubeconfig\): the API server https:\/\/127\.0\.0\.1:1 cannot be reached: .*ECONNREFUSED/);
    expect(r.stdout).not.toContain('no TokenRequest allowed');
  });
});
