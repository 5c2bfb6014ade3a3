import type { VaultEngine } from '../../scenarios/types.ts';
import type { ComponentSpec } from './components.ts';

/** An image holding the provisioned Vault/OpenBao binary and busybox's shell (what the dev-server script needs). */
export function vaultImageSpec(engine: VaultEngine, version: string, binary: string): ComponentSpec {
  const program = engine === 'vault' ? 'vault' : 'bao';
  return {
    name: `cm-vault-e2e-${engine}`,
    ref: `cm-vault-e2e/${engine}:${version}`,
    files: [{ src: binary, dest: `/usr/local/bin/${program}` }],
    fromRootfs: ['/bin/busybox'],
    links: ['sh', 'sleep', 'cat', 'test', '['].map((a) => ({ dest: `/bin/${a}`, target: 'busybox' })),
    entrypoint: ['/bin/sh', '-c'],
  };
}
