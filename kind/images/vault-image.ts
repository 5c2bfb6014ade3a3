import type { VaultEngine } from '../../scenarios/types.ts';
import type { ComponentSpec } from './components.ts';

/**
 * The entrypoint of the locally built Vault/OpenBao image, written for this project to behave like the official
 * images' in dev mode: no arguments = `server -dev`; with -dev, `<PREFIX>_DEV_LISTEN_ADDRESS` (default
 * 0.0.0.0:8200) becomes the matching flag — what testcontainers' Vault module sets. `<PREFIX>_DEV_ROOT_TOKEN_ID`
 * stays in the environment, where the server reads it itself (the flag's EnvVar): as a flag it would be in argv,
 * which `ps` shows every user of the host. A first argument that is an option or not a program here is a
 * subcommand of the binary.
 */
export function entrypointScript(engine: VaultEngine): string {
  const program = engine === 'vault' ? 'vault' : 'bao';
  const prefix = engine === 'vault' ? 'VAULT' : 'BAO';
  return `#!/bin/sh
set -e
[ "$#" -eq 0 ] && set -- server -dev
if [ "$1" = server ]; then
  shift
  dev=
  for a in "$@"; do [ "$a" = -dev ] && dev=1; done
  if [ -n "$dev" ]; then
    set -- "$@" "-dev-listen-address=\${${prefix}_DEV_LISTEN_ADDRESS:-0.0.0.0:8200}"
  fi
  exec ${program} server "$@"
fi
case "$1" in
  -*) exec ${program} "$@" ;;
esac
command -v "$1" >/dev/null 2>&1 && exec "$@"
exec ${program} "$@"
`;
}

/** An image holding the provisioned Vault/OpenBao binary, busybox's shell and the entrypoint above. */
export function vaultImageSpec(engine: VaultEngine, version: string, binary: string): ComponentSpec {
  const program = engine === 'vault' ? 'vault' : 'bao';
  return {
    name: `cm-vault-e2e-${engine}`,
    ref: `cm-vault-e2e/${engine}:${version}`,
    files: [{ src: binary, dest: `/usr/local/bin/${program}` }],
    fromRootfs: ['/bin/busybox'],
    links: ['sh', 'sleep', 'cat', 'test', '[', 'mkdir', 'ls', 'echo'].map((a) => ({ dest: `/bin/${a}`, target: 'busybox' })),
    write: [
      { dest: '/usr/local/bin/docker-entrypoint.sh', content: entrypointScript(engine), mode: 0o755 },
      // dev mode writes the root token to ~/.vault-token
      { dest: '/home/vault/.keep', content: '' },
    ],
    env: ['HOME=/home/vault', 'PATH=/usr/local/bin:/usr/bin:/bin'],
    entrypoint: ['/usr/local/bin/docker-entrypoint.sh'],
    cmd: ['server', '-dev'],
  };
}
