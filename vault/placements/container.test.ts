import { describe, expect, it } from 'vitest';
import { CONTAINER_ENTRYPOINT, containerCommand, containerFiles, ROOT_TOKEN_FILE } from './container.ts';
import { devServerScript } from './dev-server.ts';

const ROOT_TOKEN = 'f3b0c44298fc1c149afbf4c8996fb924';

describe('Vault container: the root token stays out of argv and the container configuration', () => {
  it('the dev server script passes no token flag: the server reads its environment', () => {
    for (const engine of ['vault', 'openbao'] as const) {
      expect(devServerScript(engine)).not.toContain('root-token-id');
      expect(devServerScript(engine, { rootTokenFile: '/tls/t' })).not.toContain('root-token-id');
    }
    expect(devServerScript('vault', { rootTokenFile: '/tls/t' })).toContain('VAULT_DEV_ROOT_TOKEN_ID="$(cat /tls/t)" || exit 1; export VAULT_DEV_ROOT_TOKEN_ID; exec vault server -dev ');
    expect(devServerScript('openbao', { rootTokenFile: '/tls/t' })).toContain('export BAO_DEV_ROOT_TOKEN_ID; exec bao server -dev ');
  });

  it('starts with no token in its command (what `ps` and `docker inspect` show) and gets it as a 0600 file', () => {
    const argv = [...CONTAINER_ENTRYPOINT, ...containerCommand('vault')];
    expect(argv.join(' ')).not.toContain('root-token-id');
    expect(argv.join(' ')).toContain(`$(cat ${ROOT_TOKEN_FILE})`);
    const files = containerFiles('vault', ROOT_TOKEN, { certPem: 'c', keyPem: 'k' });
    expect(files.filter((f) => f.content.includes(ROOT_TOKEN))).toEqual([{ content: ROOT_TOKEN, target: ROOT_TOKEN_FILE, mode: 0o600 }]);
    expect(files.at(-1)!.target).toBe('/tls/ready');
  });
});
