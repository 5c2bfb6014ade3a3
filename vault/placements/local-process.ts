// Vault (or OpenBao's `bao`) as a local process in dev mode with TLS: in-memory storage, unsealed,
// a CA and listener certificate generated into a temp dir, a root token we choose.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { freePort, isPortFree } from '../../lib/ports.ts';
import type { RunLedger } from '../../lib/ledger.ts';
import { ManagedProcess } from '../../lib/process.ts';
import { poll, waiting } from '../../lib/wait.ts';
import type { GoRuntime } from '../../lib/go-runtime.ts';
import { redact } from '../redact.ts';
import { SERVER_CONFIG } from './dev-server.ts';
import type { RunningVault, VaultPlacement } from './placement.ts';
import { vaultTempDir } from './temp-dir.ts';

export interface LocalRunningVault extends RunningVault {
  logFile: string;
  pid: number;
  /** From spawn to the first healthy `sys/health`. */
  startupMs: number;
}

const HOST = '127.0.0.1';
const CA_FILE = 'vault-ca.pem'; // command/server/config.go VaultDevCAFilename, same in OpenBao
const EVIDENCE_LINES = 20;

export type VaultLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LocalVaultOptions {
  logLevel?: VaultLogLevel;
  /** A fixed port; by default a free one is picked. */
  port?: number;
  /** The run's ledger: Vault's pid and temp dir are recorded there while it runs. */
  ledger?: RunLedger;
  /** Keep the log outside the temp dir, so it outlives `stop()`. */
  logFile?: string;
  startupTimeoutMs?: number;
  /** Server configuration (HCL) merged into the dev configuration with -config, e.g. OpenBao's declared audit device. */
  config?: string;
  /** The Go runtime settings the server runs with (lib/go-runtime.ts). */
  goRuntime?: GoRuntime;
}

export class LocalVault implements VaultPlacement {
  constructor(
    private readonly binary: string,
    private readonly o: LocalVaultOptions = {},
  ) {}

  async start(): Promise<LocalRunningVault> {
    const port = await this.choosePort();
    const scratch = await vaultTempDir(this.o.ledger, 'vault');
    const tempDir = scratch.path;
    const rootToken = randomBytes(16).toString('hex');
    const address = `https://${HOST}:${port}`;
    const args = [
      'server',
      '-dev',
      '-dev-tls',
      `-dev-tls-cert-dir=${tempDir}`,
      `-dev-listen-address=${HOST}:${port}`,
      '-dev-no-store-token',
      `-log-level=${this.o.logLevel ?? 'debug'}`,
    ];
    if (this.o.config) {
      const file = join(tempDir, SERVER_CONFIG);
      await writeFile(file, this.o.config);
      args.push(`-config=${file}`);
    }
    const startedAt = Date.now();
    const proc = new ManagedProcess('vault', this.binary, args, {
      dir: tempDir,
      ...(this.o.ledger ? { ledger: this.o.ledger } : {}),
      ...(this.o.logFile ? { logFile: this.o.logFile } : {}),
      env: { ...serverEnv(tempDir, rootToken), ...this.o.goRuntime },
      extendEnv: false,
      // the dev banner prints the root token and unseal key; redact knows the banner's shape
      redactOutput: (line) => redact(line, [rootToken]),
      stopTimeoutMs: 10_000,
    });
    const stop = async () => {
      await proc.stop();
      await scratch.remove();
    };
    const logLines = () => proc.logLines();
    try {
      await proc.start();
      const caPem = await this.waitUntilHealthy(port, tempDir, proc);
      return { address, caPem, rootToken, logFile: proc.logFile, logCommand: `cat ${proc.logFile}`, pid: proc.pid!, startupMs: Date.now() - startedAt, logLines, stop };
    } catch (error) {
      await stop();
      throw error;
    }
  }

  private async choosePort(): Promise<number> {
    if (this.o.port === undefined) return freePort(HOST);
    if (!(await isPortFree(this.o.port, HOST))) throw busyPort(this.o.port, []);
    return this.o.port;
  }

  private async waitUntilHealthy(port: number, tempDir: string, proc: ManagedProcess): Promise<string> {
    const timeoutMs = this.o.startupTimeoutMs ?? 30_000;
    const r = await poll(async () => {
      if (proc.exitReason !== undefined) {
        const lines = await proc.lastLines(EVIDENCE_LINES);
        if (lines.some((l) => l.includes('address already in use'))) throw busyPort(port, lines);
        throw new EnvironmentError('vault', `${this.binary} ${proc.exitReason} before it became healthy`, 'read the log lines below; check that the binary is a Vault or OpenBao server that supports -dev-tls', lines);
      }
      const caPem = await readFile(join(tempDir, CA_FILE), 'utf8').catch(() => undefined);
      return caPem && (await healthStatus(port, caPem)) === 200 ? caPem : waiting();
    }, { timeoutMs, intervalMs: 100 });
    if (r.ok) return r.value;
    throw new EnvironmentError(
      'vault',
      `${this.binary} did not answer sys/health on ${HOST}:${port} within ${timeoutMs} ms`,
      'read the log lines below; raise the startup timeout on a slow machine',
      await proc.lastLines(EVIDENCE_LINES),
    );
  }
}

function busyPort(port: number, evidence: string[]): EnvironmentError {
  return new EnvironmentError(
    'vault',
    `port ${HOST}:${port} is busy`,
    `stop what listens there (ss -ltnp 'sport = :${port}') or let the port be chosen freely`,
    evidence,
  );
}

// The server needs none of the caller's VAULT_*/BAO_* settings, and HOME points at the temp dir so
// nothing (a token helper, a CLI config) touches the user's files. The root token goes in through the
// environment (the -dev-root-token-id flag's EnvVar; BAO_ for OpenBao), not argv, where `ps` shows it.
function serverEnv(home: string, rootToken: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(VAULT|BAO)_/.test(key)) env[key] = value;
  }
  env.HOME = home;
  env.VAULT_DEV_ROOT_TOKEN_ID = rootToken;
  env.BAO_DEV_ROOT_TOKEN_ID = rootToken;
  return env;
}

function healthStatus(port: number, ca: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: HOST, port, path: '/v1/sys/health', method: 'GET', ca, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(undefined));
    req.end();
  });
}

