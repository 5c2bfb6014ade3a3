import { chmod, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { useTempDir } from '../../lib/test-support/temp-dir.ts';
import { EnvironmentError } from '../../lib/errors.ts';
import { LocalVault } from './local-process.ts';

// Fake `vault` binaries: shell scripts that fail the way a real server can.
const dir = useTempDir('fake', 'file');
async function fakeBinary(name: string, body: string): Promise<string> {
  const path = join(dir(), name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

async function startError(vault: LocalVault): Promise<EnvironmentError> {
  const error = await vault.start().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EnvironmentError);
  return error as EnvironmentError;
}

function certDirIn(lines: string[]): string | undefined {
  return lines.join('\n').match(/-dev-tls-cert-dir=(\S+)/)?.[1];
}


describe('LocalVault start failures', () => {
  it('reports an early exit with the last log lines, root token redacted, and cleans up', async () => {
    const binary = await fakeBinary(
      'exits',
      'echo "args: $*"; echo "Root Token: $VAULT_DEV_ROOT_TOKEN_ID / $BAO_DEV_ROOT_TOKEN_ID" >&2; exit 3',
    );
    const error = await startError(new LocalVault(binary));
    expect(error.problem).toMatch(/exited with code 3 before it became healthy/);
    const evidence = error.evidence.join('\n');
    expect(evidence).toContain('Root Token: <redacted:root-token> / <redacted:root-token>');
    expect(evidence).not.toContain('root-token-id');
    expect(evidence).toContain('-dev-tls -dev-tls-cert-dir=');
    expect(evidence).toContain('-log-level=debug');
    const certDir = certDirIn(error.evidence);
    expect(certDir).toBeDefined();
    expect(existsSync(certDir!)).toBe(false);
  });

  it('runs the server with the Go runtime settings it is given, and without the caller\'s VAULT_ variables', async () => {
    const binary = await fakeBinary('env', 'echo "gc=$GOGC limit=$GOMEMLIMIT addr=${VAULT_ADDR:-unset}"; exit 4');
    vi.stubEnv('VAULT_ADDR', 'https://elsewhere:8200');
    try {
      const error = await startError(new LocalVault(binary, { goRuntime: { GOGC: '400', GOMEMLIMIT: '1GiB' } }));
      expect(error.evidence.join('\n')).toContain('gc=400 limit=1GiB addr=unset');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('names a busy port when the server says so', async () => {
    const binary = await fakeBinary(
      'busy',
      'echo "Error initializing listener of type tcp: listen tcp 127.0.0.1:8200: bind: address already in use" >&2; exit 1',
    );
    const error = await startError(new LocalVault(binary));
    expect(error.problem).toMatch(/^port 127\.0\.0\.1:\d+ is busy$/);
    expect(error.evidence.at(-1)).toContain('address already in use');
  });

  it('refuses a fixed port that is already taken, before starting anything', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const error = await startError(new LocalVault(await fakeBinary('unused', 'exit 0'), { port }));
      expect(error.problem).toBe(`port 127.0.0.1:${port} is busy`);
    } finally {
      server.close();
    }
  });

  it('gives up after the startup timeout and kills the process', async () => {
    const binary = await fakeBinary('hangs', 'echo "pid $$ $*"; exec sleep 30');
    const error = await startError(new LocalVault(binary, { startupTimeoutMs: 500 }));
    expect(error.problem).toMatch(/did not answer sys\/health on 127\.0\.0\.1:\d+ within 500 ms/);
    const pid = Number(error.evidence.join('\n').match(/pid (\d+)/)?.[1]);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(certDirIn(error.evidence)!)).toBe(false);
  });

  it('says when the binary cannot be started', async () => {
    const error = await startError(new LocalVault(join(dir(), 'no-such-vault')));
    expect(error.problem).toMatch(/could not be started: spawn .*no-such-vault ENOENT/);
  });
});
