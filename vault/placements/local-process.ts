// Vault (or OpenBao's `bao`) as a local process in dev mode with TLS: in-memory storage, unsealed,
// a CA and listener certificate generated into a temp dir, a root token we choose.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EnvironmentError } from '../../lib/errors.ts';
import type { VaultLogLevel } from '../log.ts';
import { redact } from '../redact.ts';
import { stateFilePath, writeStateFile } from './local-state.ts';
import type { RunningVault, VaultPlacement } from './placement.ts';
import { freePort, isPortFree } from '../../lib/ports.ts';

export interface LocalRunningVault extends RunningVault {
  logFile: string;
  pid: number;
  /** From spawn to the first healthy `sys/health`. */
  startupMs: number;
}

const HOST = '127.0.0.1';
const CA_FILE = 'vault-ca.pem'; // command/server/config.go VaultDevCAFilename, same in OpenBao
const EVIDENCE_LINES = 20;

export class LocalVault implements VaultPlacement {
  private logLevel: VaultLogLevel = 'debug';
  private port?: number;
  private stateDir?: string;
  private logFile?: string;
  private startupTimeoutMs = 30_000;

  constructor(private readonly binary: string) {}

  withLogLevel(level: VaultLogLevel): this {
    this.logLevel = level;
    return this;
  }

  /** A fixed port; by default a free one is picked. */
  withPort(port: number): this {
    this.port = port;
    return this;
  }

  /** Where `vault-<pid>.json` goes while Vault runs (for `clean`). */
  withStateDir(dir: string): this {
    this.stateDir = dir;
    return this;
  }

  /** Keep the log outside the temp dir, so it outlives `stop()`. */
  withLogFile(path: string): this {
    this.logFile = path;
    return this;
  }

  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    return this;
  }

  async start(): Promise<LocalRunningVault> {
    const port = await this.choosePort();
    const tempDir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-vault-'));
    const logFile = this.logFile ?? join(tempDir, 'vault.log');
    const rootToken = randomBytes(16).toString('hex');
    const address = `https://${HOST}:${port}`;
    const args = [
      'server',
      '-dev',
      '-dev-tls',
      `-dev-tls-cert-dir=${tempDir}`,
      `-dev-listen-address=${HOST}:${port}`,
      '-dev-no-store-token',
      `-log-level=${this.logLevel}`,
    ];

    const startedAt = Date.now();
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv(tempDir, rootToken) });
    const log = createWriteStream(logFile, { flags: 'a' });
    const logClosed = pipeRedacted(child, log, rootToken);
    const exited = new Promise<string>((resolve) => {
      child.once('error', (error) => resolve(`could not be started: ${error.message}`));
      child.once('exit', (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    });
    // Safety net if the caller dies without stop(): never leave a Vault behind.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);

    let stateFile: string | undefined;
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', killOnExit);
      await terminate(child, exited);
      await logClosed;
      if (stateFile) await rm(stateFile, { force: true });
      await rm(tempDir, { recursive: true, force: true });
    };
    const logLines = async () => readLines(logFile);

    try {
      const caPem = await this.waitUntilHealthy(port, tempDir, exited, logLines);
      const pid = child.pid!;
      if (this.stateDir) {
        stateFile = stateFilePath(this.stateDir, pid);
        await writeStateFile(this.stateDir, {
          pid,
          binary: this.binary,
          address,
          tempDir,
          logFile,
          startedAt: new Date(startedAt).toISOString(),
        });
      }
      return { address, caPem, rootToken, logFile, logCommand: `cat ${logFile}`, pid, startupMs: Date.now() - startedAt, logLines, stop };
    } catch (error) {
      await stop();
      throw error;
    }
  }

  private async choosePort(): Promise<number> {
    if (this.port === undefined) return freePort(HOST);
    if (!(await isPortFree(this.port, HOST))) throw busyPort(this.port, []);
    return this.port;
  }

  private async waitUntilHealthy(
    port: number,
    tempDir: string,
    exited: Promise<string>,
    logLines: () => Promise<string[]>,
  ): Promise<string> {
    const deadline = Date.now() + this.startupTimeoutMs;
    let exitReason: string | undefined;
    void exited.then((reason) => (exitReason = reason));
    while (Date.now() < deadline) {
      if (exitReason !== undefined) {
        const lines = await logLines();
        if (lines.some((l) => l.includes('address already in use'))) throw busyPort(port, lines.slice(-EVIDENCE_LINES));
        throw new EnvironmentError(
          'vault',
          `${this.binary} ${exitReason} before it became healthy`,
          'read the log lines below; check that the binary is a Vault or OpenBao server that supports -dev-tls',
          lines.slice(-EVIDENCE_LINES),
        );
      }
      const caPem = await readFile(join(tempDir, CA_FILE), 'utf8').catch(() => undefined);
      if (caPem && (await healthStatus(port, caPem)) === 200) return caPem;
      await sleep(100);
    }
    throw new EnvironmentError(
      'vault',
      `${this.binary} did not answer sys/health on ${HOST}:${port} within ${this.startupTimeoutMs} ms`,
      'read the log lines below; raise the startup timeout on a slow machine',
      (await logLines()).slice(-EVIDENCE_LINES),
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

/** stdout and stderr into the log file, line by line, redacted: the dev banner prints the root token and unseal key. */
function pipeRedacted(child: ChildProcess, log: WriteStream, rootToken: string): Promise<void> {
  const streams = [child.stdout, child.stderr].filter((s) => s !== null);
  const done = streams.map(
    (stream) =>
      new Promise<void>((resolve) => {
        const lines = createInterface({ input: stream, crlfDelay: Infinity });
        lines.on('line', (line) => log.write(`${redactDevBanner(redact(line, [rootToken]))}\n`));
        lines.once('close', resolve);
      }),
  );
  return Promise.all(done).then(() => new Promise<void>((resolve) => log.end(resolve)));
}

export function redactDevBanner(line: string): string {
  return line.replace(/^(Unseal Key(?: \d+)?: ).+$/, '$1<redacted:unseal-key>');
}

async function terminate(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const gone = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!gone) {
    child.kill('SIGKILL');
    await exited;
  }
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

async function readLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
