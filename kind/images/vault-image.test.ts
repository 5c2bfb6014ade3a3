import { execa } from 'execa';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../lib/test-support/temp-dir.ts';
import { entrypointScript } from './vault-image.ts';

const dir = useTempDir('entrypoint');

describe("the Vault image's entrypoint", () => {
  for (const [engine, program, variable] of [['vault', 'vault', 'VAULT_DEV_ROOT_TOKEN_ID'], ['openbao', 'bao', 'BAO_DEV_ROOT_TOKEN_ID']] as const) {
    it(`${engine}: leaves the dev root token in the environment, where the server reads it, not in argv`, async () => {
      // a stand-in for the server that prints what `ps` would show and what its environment holds
      await writeFile(join(dir(), program), `#!/bin/sh\necho "argv: $*"\necho "env: $${variable}"\n`);
      await chmod(join(dir(), program), 0o755);
      await writeFile(join(dir(), 'entrypoint.sh'), entrypointScript(engine));
      const r = await execa('/bin/sh', [join(dir(), 'entrypoint.sh')], { env: { PATH: `${dir()}:/usr/bin:/bin`, [variable]: 'the-root-token' }, extendEnv: false });
      expect(r.stdout).toBe('argv: server -dev -dev-listen-address=0.0.0.0:8200\nenv: the-root-token');
    });
  }
});
