/**
 * Vault (or OpenBao) for a kind cluster: a container on the cmve-kind network, from an image made of the binary
 * the provisioner built, in dev mode behind a TLS listener whose certificate names the container's IP — so both
 * this host (the admin client) and pods in the cluster (cert-manager) reach https://<ip>:8200 and verify it, and
 * Vault reaches the API server at https://<node-ip>:6443 for TokenReview.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import { createCa, issueLeaf } from '../lib/pki.ts';
import { binaryPath } from '../provision/artifacts.ts';
import type { VaultEngine } from '../scenarios/types.ts';
import type { RunningVault } from '../vault/placements/placement.ts';
import { redact } from '../vault/redact.ts';
import { KIND_NETWORK } from './cluster.ts';
import { ensureExtraImage } from './images/build.ts';
import { docker, dockerMaybe, PROJECT_LABEL, stderrLogger, tailLines, type Logger } from './images/common.ts';
import type { ComponentSpec } from './images/components.ts';

const PORT = 8200;

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

/** Waits for the TLS files, then runs the dev server with an extra TLS listener on 0.0.0.0:8200. */
export function serverScript(engine: VaultEngine, logLevel = 'debug'): string {
  const program = engine === 'vault' ? 'vault' : 'bao';
  return [
    'until [ -f /tls/ready ]; do sleep 0.1; done',
    // one stream, so `docker logs` returns the lines in the order they were written (the runner slices by count)
    `exec ${program} server -dev -dev-root-token-id="$(cat /tls/token)" -dev-listen-address=127.0.0.1:8201 -dev-no-store-token -config=/tls/listener.hcl -log-level=${logLevel} 2>&1`,
  ].join('; ');
}

export interface ContainerVault extends RunningVault {
  container: string;
  ip: string;
}

export async function startVaultContainer(opts: { engine: VaultEngine; version: string; name: string; log?: Logger; startupTimeoutMs?: number }): Promise<ContainerVault> {
  const log = opts.log ?? stderrLogger;
  const binary = opts.engine === 'vault' ? await binaryPath('vault', opts.version, 'vault') : await binaryPath('openbao', opts.version, 'bao');
  const image = await ensureExtraImage(vaultImageSpec(opts.engine, opts.version, binary), log);
  const container = opts.name;
  await dockerMaybe(['rm', '-f', container]);
  await docker(['run', '-d', '--name', container, '--hostname', container, '--network', KIND_NETWORK, '--label', PROJECT_LABEL, image.ref, serverScript(opts.engine)], { what: `starting ${container}` });
  const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-kind-vault-'));
  const rootToken = randomBytes(16).toString('hex');
  const stop = async () => {
    await dockerMaybe(['rm', '-f', container]);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ip = await docker(['inspect', '--format', `{{ (index .NetworkSettings.Networks "${KIND_NETWORK}").IPAddress }}`, container]);
    const ca = await createCa(dir, `cm-vault-e2e ${opts.engine} ${opts.version} listener CA`);
    await issueLeaf(ca, dir, { name: 'listener', commonName: container, dnsNames: [container, 'localhost'], ipAddresses: [ip, '127.0.0.1'], usage: 'server' });
    await writeFile(join(dir, 'token'), rootToken, { mode: 0o644 });
    await writeFile(join(dir, 'listener.hcl'), `listener "tcp" {\n  address = "0.0.0.0:${PORT}"\n  tls_cert_file = "/tls/listener.crt"\n  tls_key_file = "/tls/listener.key"\n}\n`);
    await docker(['cp', `${dir}/.`, `${container}:/tls`], { what: 'copying the listener certificate into Vault' });
    await docker(['exec', '-u', '0', container, 'sh', '-c', 'chmod -R a+rX /tls && : > /tls/ready'], { what: 'releasing Vault' });
    const address = `https://${ip}:${PORT}`;
    await waitHealthy(address, ca.certPem, opts.startupTimeoutMs ?? 60_000, async () => {
      const running = await dockerMaybe(['inspect', '--format', '{{.State.Running}}', container]);
      return running === 'true' ? undefined : `container ${container} stopped`;
    }).catch(async (err: Error) => {
      const logs = await containerLogs(container, rootToken);
      throw new EnvironmentError(`${opts.engine} ${opts.version} (container ${container})`, err.message, `docker logs ${container}`, tailLines(logs.join('\n'), 20));
    });
    return { address, caPem: ca.certPem, rootToken, logFile: `docker logs ${container}`, logLines: () => containerLogs(container, rootToken), stop, container, ip };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The server's log, root token and JWTs redacted. The server writes everything to stdout (see serverScript):
 * merging docker's two streams would interleave them differently on each call.
 */
async function containerLogs(container: string, rootToken: string): Promise<string[]> {
  const r = await execa('docker', ['logs', container], { reject: false, stderr: 'ignore' });
  return (r.stdout ?? '').split('\n').filter(Boolean).map((l) => redact(l, [rootToken]));
}

function health(address: string, caPem: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${address}/v1/sys/health`, { ca: caPem, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitHealthy(address: string, caPem: string, timeoutMs: number, dead: () => Promise<string | undefined>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await health(address, caPem)) === 200) return;
    const why = await dead();
    if (why) throw new Error(why);
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${address}/v1/sys/health did not answer 200 within ${timeoutMs / 1000}s`);
}
