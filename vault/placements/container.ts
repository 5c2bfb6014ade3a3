/**
 * Vault (or OpenBao) as a container beside a cluster, through testcontainers: dev mode behind a TLS listener
 * whose certificate names the container's IP on the given Docker network, so this host (the admin client) and
 * the cluster's pods both reach https://<ip>:8200 and verify it. Knows Docker, not the cluster: the caller passes
 * the network and an image holding the binary at /usr/local/bin/{vault,bao} with a POSIX shell.
 *
 * testcontainers' reaper (Ryuk) is an image no registry here serves, so it is switched off: every container
 * carries the caller's labels and `cm-vault-e2e clean` removes labelled containers a killed run left.
 *
 * The root token reaches the server through a file, not the container's configuration: neither `-e` nor an
 * `--env-file` (both land in Config.Env, which `docker inspect` prints to anyone with the Docker socket and keeps
 * for the container's life) nor the flag (argv: `ps` on the host shows it to every user). It is copied in with
 * the TLS files, mode 0600 for the image's user (root in the images the suite builds and in the official ones,
 * whose entrypoint this one replaces), and the shell exports it into the server's environment alone
 * (dev-server.ts), which only root reads (/proc/<pid>/environ). Whoever may `docker exec` may read it: root on
 * this host already can.
 */
import { execa } from 'execa';
import { createCa, issueLeaf } from '../../lib/pki.ts';
import { EnvironmentError } from '../../lib/errors.ts';
import { FollowedLines } from '../../lib/followed-lines.ts';
import type { VaultEngine } from '../../scenarios/types.ts';
import { redact } from '../redact.ts';
import { devServerScript, LISTENER_PORT, SERVER_CONFIG, serverConfig, newRootToken, TLS_DIR, WAITING_LINE, waitHealthy } from './dev-server.ts';
import type { RunningVault } from './placement.ts';
import { readFile } from 'node:fs/promises';
import type { RunLedger } from '../../lib/ledger.ts';
import { vaultTempDir } from './temp-dir.ts';

/** Where the root token is copied in, for the server's environment (see above). */
export const ROOT_TOKEN_FILE = `${TLS_DIR}/root-token`;

export const CONTAINER_ENTRYPOINT = ['/bin/sh'];

/** The container's command: the dev server script, which takes the root token from ROOT_TOKEN_FILE. */
export function containerCommand(engine: VaultEngine): string[] {
  return ['-c', devServerScript(engine, { rootTokenFile: ROOT_TOKEN_FILE })];
}

/** What is copied in once the container's IP is known (for the listener certificate); `ready` last, as it starts the server. */
export function containerFiles(engine: VaultEngine, rootToken: string, listener: { certPem: string; keyPem: string }): Array<{ content: string; target: string; mode: number }> {
  return [
    { content: listener.certPem, target: `${TLS_DIR}/listener.crt`, mode: 0o644 },
    { content: listener.keyPem, target: `${TLS_DIR}/listener.key`, mode: 0o644 },
    { content: serverConfig(engine), target: `${TLS_DIR}/${SERVER_CONFIG}`, mode: 0o644 },
    { content: rootToken, target: ROOT_TOKEN_FILE, mode: 0o600 },
    { content: '', target: `${TLS_DIR}/ready`, mode: 0o644 },
  ];
}

/** testcontainers, loaded on first use: it is large, and most commands start no container. */
async function testcontainers() {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  return import('testcontainers');
}

export interface ContainerVaultOptions {
  engine: VaultEngine;
  version: string;
  image: string;
  name: string;
  network: string;
  labels?: Record<string, string>;
  startupTimeoutMs?: number;
  /** The run's ledger: the listener's CA is made in a directory it records (temp-dir.ts). */
  ledger?: RunLedger;
}

export interface ContainerVault extends RunningVault {
  container: string;
  ip: string;
}

export async function startVaultContainer(opts: ContainerVaultOptions): Promise<ContainerVault> {
  const what = `${opts.engine} ${opts.version} (container ${opts.name})`;
  const rootToken = newRootToken();
  const { GenericContainer, PullPolicy, Wait } = await testcontainers();
  const started = await new GenericContainer(opts.image)
    .withName(opts.name)
    .withNetworkMode(opts.network)
    .withLabels(opts.labels ?? {})
    .withEntrypoint(CONTAINER_ENTRYPOINT)
    .withCommand(containerCommand(opts.engine))
    .withPullPolicy(PullPolicy.defaultPolicy())
    .withWaitStrategy(Wait.forLogMessage(WAITING_LINE))
    .withStartupTimeout(opts.startupTimeoutMs ?? 60_000)
    .start()
    .catch((err: Error) => {
      throw new EnvironmentError(what, `could not start: ${err.message}`, `is ${opts.image} in \`docker images\`, and is dockerd up (\`cm-vault-e2e doctor\`)?`);
    });
  // one stream (see devServerScript), followed from the container's start: every scenario polls it, and a
  // `docker logs` per poll re-read the whole log; should the stream end while the container runs, `docker logs` it is
  const keep = (l: string) => (l ? redact(l, [rootToken]) : undefined);
  const followed = new FollowedLines(await started.logs(), keep);
  const logLines = async () => {
    if (followed.following) return followed.lines();
    const r = await execa('docker', ['logs', started.getId()], { reject: false, stderr: 'ignore' });
    return (r.stdout ?? '').split('\n').flatMap((l) => keep(l) ?? []);
  };
  const stop = async () => {
    await started.stop({ remove: true, timeout: 2_000 }).catch(() => undefined);
  };
  const tls = await vaultTempDir(opts.ledger, 'vault-tls');
  const dir = tls.path;
  try {
    const ip = started.getIpAddress(opts.network);
    const ca = await createCa(dir, `cm-vault-e2e ${opts.engine} ${opts.version} listener CA`);
    const leaf = await issueLeaf(ca, dir, { name: 'listener', commonName: opts.name, dnsNames: [opts.name, 'localhost'], ipAddresses: [ip, '127.0.0.1'], usage: 'server' });
    await started.copyContentToContainer(containerFiles(opts.engine, rootToken, { certPem: leaf.certPem, keyPem: await readFile(leaf.keyFile, 'utf8') }));
    const address = `https://${ip}:${LISTENER_PORT}`;
    await waitHealthy(address, ca.certPem, opts.startupTimeoutMs ?? 60_000, async () => undefined).catch(async (err: Error) => {
      throw new EnvironmentError(what, err.message, `docker logs ${opts.name}`, (await logLines()).slice(-20));
    });
    return { address, caPem: ca.certPem, rootToken, logCommand: `docker logs ${opts.name}`, logLines, stop, container: opts.name, ip };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    await tls.remove();
  }
}
