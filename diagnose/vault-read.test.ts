// Live diagnose's Vault reads against listeners on 127.0.0.1 (no cluster, no Vault): which of them the token reaches.
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCa, issueLeaf } from '../lib/pki.ts';
import { inputErrorFrom as refused } from '../lib/test-support/input-error.ts';
import { useTempDir } from '../lib/test-support/temp-dir.ts';
import type { IssuerFacts } from './model.ts';
import { vaultFacts, type VaultAccess } from './vault-read.ts';

const TOKEN = 'hvs.operator-admin-token';

interface Listener {
  url: string;
  /** Every request it received, with the token header it carried. */
  seen: Array<{ path: string; token: string | undefined }>;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((done) => s.close(() => done()));
  }
});

async function listen(server: Server, scheme: 'http' | 'https', seen: Listener['seen']): Promise<Listener> {
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** A fake Vault: answers sys/auth and the kubernetes mount's config and role, recording who asked with what. */
function vaultHandler(seen: Listener['seen']) {
  return (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ path: req.url ?? '', token: req.headers['x-vault-token'] as string | undefined });
    res.setHeader('content-type', 'application/json');
    const body: Record<string, unknown> = {
      '/v1/sys/auth': { data: { 'kubernetes/': { type: 'kubernetes' } } },
      '/v1/auth/kubernetes/config': { data: { disable_local_ca_jwt: false, token_reviewer_jwt_set: false } },
      '/v1/auth/kubernetes/role/cert-manager': { data: { audience: 'vault', bound_service_account_names: ['vault-issuer'], bound_service_account_namespaces: ['team-a'], token_policies: ['pki'] } },
    };
    const answer = body[req.url ?? ''];
    res.statusCode = answer ? 200 : 404;
    res.end(JSON.stringify(answer ?? { errors: [] }));
  };
}

function fakeVault(): Promise<Listener> {
  const seen: Listener['seen'] = [];
  return listen(createHttpServer(vaultHandler(seen)), 'http', seen);
}

function issuerAt(server: string): IssuerFacts {
  return { kind: 'Issuer', name: 'vault-issuer', namespace: 'team-a', server, mount: 'kubernetes', role: 'cert-manager', serviceAccount: 'vault-issuer' };
}

const access = (o: Partial<VaultAccess> = {}): VaultAccess => ({ token: TOKEN, tokenSource: 'VAULT_TOKEN', insecureHttp: false, ...o });

describe('live diagnose reads Vault only where the operator said', () => {
  const dir = useTempDir('diagnose-vault-read');

  it('the Issuer names a plain http listener and the operator gave no address: it receives nothing, and the notes say how to give one', async () => {
    const named = await fakeVault();
    const notes: string[] = [];
    const facts = await vaultFacts(issuerAt(named.url), access(), notes);
    expect(named.seen).toEqual([]);
    expect(facts).toEqual({});
    expect(notes.join('\n')).toContain(`pass it yourself: --vault-addr ${named.url}`);
  });

  it("the operator's address is read, the Issuer's listener receives nothing, and the mismatch is a finding", async () => {
    const named = await fakeVault();
    const operators = await fakeVault();
    const notes: string[] = [];
    const facts = await vaultFacts(issuerAt(named.url), access({ address: { address: operators.url, from: 'VAULT_ADDR' }, insecureHttp: true }), notes);
    expect(named.seen).toEqual([]);
    expect(operators.seen.map((r) => r.path)).toEqual(['/v1/sys/auth', '/v1/auth/kubernetes/config', '/v1/auth/kubernetes/role/cert-manager']);
    expect(operators.seen.every((r) => r.token === TOKEN)).toBe(true);
    expect(facts.role).toMatchObject({ type: 'kubernetes', audience: 'vault' });
    expect(facts.readAt).toEqual({ address: operators.url, from: 'VAULT_ADDR', issuerServer: named.url, mismatch: expect.stringMatching(new RegExp(`^the Issuer points at ${named.url}, you asked me to read ${operators.url}`)) });
  });

  it('a plain http address without --vault-insecure-http is refused before anything is sent', async () => {
    const operators = await fakeVault();
    const e = await refused(vaultFacts(issuerAt(operators.url), access({ address: { address: operators.url, from: '--vault-addr' } }), []));
    expect(e.where.field).toBe('--vault-addr');
    expect(e.problem).toMatch(/plain http/);
    expect(operators.seen).toEqual([]);
  });

  it('a redirect is not followed: an error naming the Location, and the other host never sees the token', async () => {
    const elsewhere = await fakeVault();
    const seen: Listener['seen'] = [];
    const redirecting = await listen(
      createHttpServer((req, res) => {
        seen.push({ path: req.url ?? '', token: req.headers['x-vault-token'] as string | undefined });
        res.writeHead(307, { location: `${elsewhere.url}${req.url}` }).end();
      }),
      'http',
      seen,
    );
    const e = await refused(vaultFacts(issuerAt(redirecting.url), access({ address: { address: redirecting.url, from: '--vault-addr' }, insecureHttp: true }), []));
    expect(e.problem).toBe(`Vault at ${redirecting.url} answered 307 to GET /v1/sys/auth, redirecting to ${elsewhere.url}/v1/sys/auth: diagnose does not follow redirects, and the token was not sent there`);
    expect(seen).toHaveLength(1);
    expect(elsewhere.seen).toEqual([]);
  });

  it("the Issuer's caBundle does not make the operator's https address trusted: only --vault-ca does", async () => {
    const ca = await createCa(dir(), 'issuer-chosen-ca');
    const leaf = await issueLeaf(ca, dir(), { name: 'vault', commonName: 'vault', ipAddresses: ['127.0.0.1'], usage: 'server' });
    const seen: Listener['seen'] = [];
    const tls = await listen(createHttpsServer({ cert: await readFile(leaf.certFile), key: await readFile(leaf.keyFile) }, vaultHandler(seen)), 'https', seen);
    // vaultFacts takes no caBundle at all: the CA a caller could hand it is --vault-ca's, and without it the system's
    const e = await refused(vaultFacts(issuerAt(tls.url), access({ address: { address: tls.url, from: '--vault-addr' } }), []));
    expect(e.problem).toMatch(new RegExp(`^Vault at ${tls.url} cannot be reached: .*(certificate|self.signed)`, 'i'));
    expect(e.fix).toMatch(/--vault-ca/);
    expect(seen).toEqual([]);
    const facts = await vaultFacts(issuerAt(tls.url), access({ address: { address: tls.url, from: '--vault-addr' }, caPem: ca.certPem, caFile: 'ca.pem' }), []);
    expect(facts.mounts).toEqual({ kubernetes: 'kubernetes' });
    expect(facts.readAt?.mismatch).toBeUndefined();
    expect(seen.every((r) => r.token === TOKEN)).toBe(true);
  });

  it('a mount or role with a ".." segment is refused, not read with the token', async () => {
    const operators = await fakeVault();
    const e = await refused(vaultFacts({ ...issuerAt(operators.url), role: '../../../sys/policy/root' }, access({ address: { address: operators.url, from: '--vault-addr' }, insecureHttp: true }), []));
    expect(e.where.field).toBe('spec.vault.auth.kubernetes.role');
    expect(operators.seen).toEqual([]);
  });

  it('no token: Vault is not contacted, even at an address the operator gave', async () => {
    const operators = await fakeVault();
    const notes: string[] = [];
    expect(await vaultFacts(issuerAt(operators.url), access({ token: undefined, address: { address: operators.url, from: '--vault-addr' }, insecureHttp: true }), notes)).toEqual({});
    expect(operators.seen).toEqual([]);
    expect(notes[0]).toMatch(/^no Vault token/);
  });
});
