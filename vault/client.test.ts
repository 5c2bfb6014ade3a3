import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCa, issueLeaf } from '../lib/pki.ts';
import { createVaultClient } from './client.ts';

describe('createVaultClient', () => {
  let server: Server | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps one TLS connection for successive calls', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-client-test-'));
    const ca = await createCa(dir, 'test-ca');
    const leaf = await issueLeaf(ca, dir, { name: 'vault', commonName: 'vault', ipAddresses: ['127.0.0.1'], usage: 'server' });
    let connections = 0;
    server = createServer({ cert: await readFile(leaf.certFile), key: await readFile(leaf.keyFile) }, (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { ok: true } }));
    });
    server.on('secureConnection', () => connections++);
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const client = createVaultClient({ address: `https://127.0.0.1:${port}`, caPem: ca.certPem, token: 'test-token' });
    for (let i = 0; i < 3; i++) expect(await client.read('secret/one')).toEqual({ data: { ok: true } });
    expect(connections).toBe(1);
    server.closeAllConnections();
  });
});
