import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import type { VaultEngine } from '../../scenarios/types.ts';
import { declaredAuditConfig } from '../configure/audit.ts';
import { poll, waiting } from '../../lib/wait.ts';

/** Where the dev server listens with TLS inside its container or pod. */
export const LISTENER_PORT = 8200;
/** Where the files below are mounted. */
export const TLS_DIR = '/tls';

/** The configuration file beside the TLS files: the listener, and for OpenBao its audit device. */
export const SERVER_CONFIG = 'server.hcl';

/** What the script prints while it waits for its TLS files (a container runtime's "started" signal). */
export const WAITING_LINE = 'cm-vault-e2e: waiting for the listener certificate';

export function programOf(engine: VaultEngine): 'vault' | 'bao' {
  return engine === 'vault' ? 'vault' : 'bao';
}

/**
 * The variable the dev server reads its root token from: the `-dev-root-token-id` flag's EnvVar in
 * command/server.go (OpenBao renamed it with its other variables, and newer releases read no VAULT_ fallback).
 * The token goes in through it rather than the flag, which would put it in the server's argv, where `ps` on the
 * host or node shows it to every user; a process's environment only its own user and root may read.
 */
export function rootTokenVariable(engine: VaultEngine): 'VAULT_DEV_ROOT_TOKEN_ID' | 'BAO_DEV_ROOT_TOKEN_ID' {
  return engine === 'vault' ? 'VAULT_DEV_ROOT_TOKEN_ID' : 'BAO_DEV_ROOT_TOKEN_ID';
}

export interface DevServerScriptOptions {
  /**
   * A file the script reads the root token from into the server's environment (a container, which takes files
   * copied in after it starts); without one the environment already holds it (a pod, from a Secret).
   */
  rootTokenFile?: string;
  logLevel?: string;
}

/**
 * The dev server (in-memory, unsealed, root token from its environment) plus a TLS listener on 0.0.0.0:8200,
 * once the TLS files are in place. Everything goes to one stream so log readers see lines in the order they were
 * written (the runner slices logs by line count). The token is never in the script, so never in argv.
 */
export function devServerScript(engine: VaultEngine, o: DevServerScriptOptions = {}): string {
  const program = programOf(engine);
  const variable = rootTokenVariable(engine);
  return [
    `echo "${WAITING_LINE}"`,
    `until [ -f ${TLS_DIR}/ready ]; do sleep 0.1; done`,
    // an unreadable file would leave the variable empty, and the server would make up a root token of its own
    ...(o.rootTokenFile ? [`${variable}="$(cat ${o.rootTokenFile})" || exit 1`, `export ${variable}`] : []),
    `exec ${program} server -dev -dev-listen-address=127.0.0.1:8201 -dev-no-store-token -config=${TLS_DIR}/${SERVER_CONFIG} -log-level=${o.logLevel ?? 'debug'} 2>&1`,
  ].join('; ');
}

export function serverConfig(engine: VaultEngine): string {
  return listenerConfig() + declaredAuditConfig(engine);
}

function listenerConfig(): string {
  return `listener "tcp" {\n  address = "0.0.0.0:${LISTENER_PORT}"\n  tls_cert_file = "${TLS_DIR}/listener.crt"\n  tls_key_file = "${TLS_DIR}/listener.key"\n}\n`;
}

export function newRootToken(): string {
  return randomBytes(16).toString('hex');
}

/** GET /v1/sys/health: the status code, or 0 when nothing answers. */
export function healthStatus(address: string, caPem: string): Promise<number> {
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

/** Polls until the server answers 200, or `dead()` explains why it never will. */
export async function waitHealthy(address: string, caPem: string, timeoutMs: number, dead: () => Promise<string | undefined>): Promise<void> {
  const r = await poll(async () => {
    if ((await healthStatus(address, caPem)) === 200) return true;
    const why = await dead();
    if (why) throw new Error(why);
    return waiting();
  }, { timeoutMs, intervalMs: 300 });
  if (!r.ok) throw new Error(`${address}/v1/sys/health did not answer 200 within ${timeoutMs / 1000}s`);
}
