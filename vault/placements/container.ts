/**
 * Vault (or OpenBao) as a Docker container beside a cluster: dev mode behind a TLS listener whose certificate
 * names the container's IP, on a given Docker network, so this host (the admin client) and the cluster's pods
 * both reach https://<ip>:8200 and verify it. Knows Docker, not the cluster: the caller passes the network and
 * an image holding the binary at /usr/local/bin/{vault,bao} with a POSIX shell.
 */
import { execa } from 'execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { createCa, issueLeaf } from '../../lib/pki.ts';
import type { VaultEngine } from '../../scenarios/types.ts';
import { redact } from '../redact.ts';
import { devServerScript, LISTENER_PORT, listenerConfig, newRootToken, TLS_DIR, waitHealthy } from './dev-server.ts';
import type { RunningVault } from './placement.ts';

export interface ContainerVaultOptions {
  engine: VaultEngine;
  version: string;
  image: string;
  name: string;
  network: string;
  /** Extra `docker run` labels (k=v), so `clean` finds the container after a killed run. */
  labels?: string[];
  startupTimeoutMs?: number;
}

export interface ContainerVault extends RunningVault {
  container: string;
  ip: string;
}

export async function startVaultContainer(opts: ContainerVaultOptions): Promise<ContainerVault> {
  const container = opts.name;
  const what = `${opts.engine} ${opts.version} (container ${container})`;
  await execa('docker', ['rm', '-f', container], { reject: false });
  const labels = (opts.labels ?? []).flatMap((l) => ['--label', l]);
  await dockerOut(what, ['run', '-d', '--name', container, '--hostname', container, '--network', opts.network, ...labels, '--entrypoint', '/bin/sh', opts.image, '-c', devServerScript(opts.engine)]);
  const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-vault-'));
  const rootToken = newRootToken();
  const stop = async () => {
    await execa('docker', ['rm', '-f', container], { reject: false });
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ip = await dockerOut(what, ['inspect', '--format', `{{ (index .NetworkSettings.Networks "${opts.network}").IPAddress }}`, container]);
    const ca = await createCa(dir, `cm-vault-e2e ${opts.engine} ${opts.version} listener CA`);
    await issueLeaf(ca, dir, { name: 'listener', commonName: container, dnsNames: [container, 'localhost'], ipAddresses: [ip, '127.0.0.1'], usage: 'server' });
    await writeFile(join(dir, 'token'), rootToken, { mode: 0o644 });
    await writeFile(join(dir, 'listener.hcl'), listenerConfig());
    await dockerOut(what, ['cp', `${dir}/.`, `${container}:${TLS_DIR}`]);
    await dockerOut(what, ['exec', '-u', '0', container, 'sh', '-c', `chmod -R a+rX ${TLS_DIR} && : > ${TLS_DIR}/ready`]);
    const address = `https://${ip}:${LISTENER_PORT}`;
    await waitHealthy(address, ca.certPem, opts.startupTimeoutMs ?? 60_000, async () => {
      const r = await execa('docker', ['inspect', '--format', '{{.State.Running}}', container], { reject: false });
      return r.stdout.trim() === 'true' ? undefined : `container ${container} stopped`;
    }).catch(async (err: Error) => {
      const logs = await containerLogs(container, rootToken);
      throw new EnvironmentError(what, err.message, `docker logs ${container}`, logs.slice(-20));
    });
    return { address, caPem: ca.certPem, rootToken, logFile: `docker logs ${container}`, logLines: () => containerLogs(container, rootToken), stop, container, ip };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function dockerOut(what: string, args: string[]): Promise<string> {
  const r = await execa('docker', args, { reject: false, all: true });
  if (r.exitCode !== 0) throw new EnvironmentError(what, `docker ${args[0]} failed`, 'check `cm-vault-e2e doctor` (is dockerd up?)', (r.all ?? '').split('\n').slice(-10));
  return r.stdout.trim();
}

/** The server's log, root token and JWTs redacted (the server writes one stream: see devServerScript). */
async function containerLogs(container: string, rootToken: string): Promise<string[]> {
  const r = await execa('docker', ['logs', container], { reject: false, stderr: 'ignore' });
  return (r.stdout ?? '').split('\n').filter(Boolean).map((l) => redact(l, [rootToken]));
}
