import { GenericContainer, Wait } from 'testcontainers';
import { describe, expect, it } from 'vitest';
import { sourceSettings } from '../cli/run-settings.ts';
import { debianMirrorOf, ensureExtraImage } from '../kind/images/build.ts';
import { vaultImageSpec } from '../kind/images/vault-image.ts';
import { binaryPath } from '../provision/artifacts.ts';
import { loadVersions } from '../scenarios/versions.ts';
import { createVaultClient } from '../vault/client.ts';

process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

// The locally built Vault/OpenBao images behave like the official ones in dev mode, configured exactly as
// testcontainers' Vault module configures a container (@testcontainers/vault needs Node >= 22, so its settings
// are applied here by hand): VAULT_ADDR, <PREFIX>_DEV_ROOT_TOKEN_ID, VAULT_TOKEN, IPC_LOCK, port 8200, health wait.
const versions = loadVersions();
const { source, debianMirror } = sourceSettings();
const cases = [
  { engine: 'vault' as const, version: versions.vault.default, program: 'vault', prefix: 'VAULT' },
  { engine: 'openbao' as const, version: versions.openbao.default, program: 'bao', prefix: 'BAO' },
];

describe('Vault images in dev mode', () => {
  for (const c of cases) {
    it(`${c.engine} ${c.version}: no command = dev server on 0.0.0.0:8200 with the root token from the environment`, async () => {
      const binary = await binaryPath(c.engine === 'vault' ? 'vault' : 'openbao', c.version, c.program);
      const image = await ensureExtraImage(vaultImageSpec(c.engine, c.version, binary), () => undefined, { policy: source, ...debianMirrorOf({ debianMirror }) });
      const token = `tc-${c.engine}-root`;
      const started = await new GenericContainer(image.ref)
        .withExposedPorts(8200)
        .withEnvironment({ VAULT_ADDR: 'http://0.0.0.0:8200', [`${c.prefix}_DEV_ROOT_TOKEN_ID`]: token, VAULT_TOKEN: token, BAO_ADDR: 'http://0.0.0.0:8200', BAO_TOKEN: token })
        .withAddedCapabilities('IPC_LOCK')
        .withLabels({ 'io.cm-vault-e2e': 'true' })
        .withWaitStrategy(Wait.forHttp('/v1/sys/health', 8200).forStatusCode(200))
        .withStartupTimeout(60_000)
        .start();
      try {
        const client = createVaultClient({ address: `http://${started.getHost()}:${started.getMappedPort(8200)}`, token });
        await client.write('secret/data/hello', { data: { message: 'world' } });
        const read = (await client.read('secret/data/hello')) as { data: { data: { message: string } } };
        expect(read.data.data.message).toBe('world');
        // the CLI inside the container finds the server and the token through the same variables
        const cli = await started.exec([c.program, 'kv', 'get', '-field=message', 'secret/hello']);
        expect(cli.output.trim()).toBe('world');
      } finally {
        await started.stop({ remove: true });
      }
    });
  }
});
