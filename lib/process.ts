import { spawn, type ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import { createWriteStream } from 'node:fs';
import { closeSync, existsSync, openSync } from 'node:fs';
import { access, constants, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AppendingLog } from './appending-log.ts';
import { EnvironmentError } from './errors.ts';
import { processResource, type Resource, type RunLedger } from './ledger.ts';
import { isAlive } from './run-identity.ts';
import { poll, waiting, within } from './wait.ts';

const SETPRIV = '/usr/bin/setpriv';

/**
 * The command that runs `binary` so that it dies with this process. Node cannot set PR_SET_PDEATHSIG on a child
 * itself; util-linux's `setpriv --pdeathsig KILL` sets it and then execs the program in place (same pid, same
 * start time, and the setting survives exec). It is the only way a child also dies when the runner is killed
 * with SIGKILL — a process group killed on exit needs an exit handler, and SIGKILL runs none. The signal comes
 * when the thread that spawned the child ends; Node spawns from its main thread, so that is the runner's end.
 * Without setpriv (another OS) the child runs plain and the next run's reaping stops it.
 */
export function dieWithParent(binary: string, args: string[], setpriv: string | null = parentDeathWrapper()): [string, string[]] {
  return setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', binary, ...args]] : [binary, args];
}

let wrapper: string | null | undefined;
/** setpriv where it is, else null. */
export function parentDeathWrapper(): string | null {
  if (wrapper === undefined) wrapper = process.platform === 'linux' && existsSync(SETPRIV) ? SETPRIV : null;
  return wrapper;
}

export interface ProcessOptions {
  /** Its working directory. */
  dir: string;
  /** The run's ledger: the process is recorded there while it runs, so a killed run's next run reaps it. */
  ledger?: RunLedger;
  /** Added to this process's environment, or, with `extendEnv: false`, the whole environment. */
  env?: NodeJS.ProcessEnv;
  extendEnv?: boolean;
  /** Default `<dir>/<name>.log`. */
  logFile?: string;
  /** Applied to every output line before it is written (secrets a program prints must never reach the disk). */
  redactOutput?: (line: string) => string;
  /** Applied to every line read back. */
  redact?: (line: string) => string;
  /** SIGTERM, then SIGKILL after this long (default 5 s). */
  stopTimeoutMs?: number;
  /**
   * Outlive the runner (a `run --reuse` environment is kept for the next run): its own session, output straight
   * into the log file (no pipe through this process to break; so no `redactOutput`), and no death signal. A killed
   * run's kept-to-be processes are still in its ledger, so the next run reaps them.
   */
  outlive?: boolean;
}

/**
 * A real program run by the suite (etcd, kube-apiserver, cert-manager's controller, Vault): its output goes to a
 * log file line by line, its pid to the run's ledger, and it is killed if this process exits first.
 */
export class ManagedProcess {
  private child?: ChildProcess;
  private exit?: string;
  private exitedPromise: Promise<string> = new Promise(() => undefined);
  private logClosed: Promise<void> = Promise.resolve();
  private record?: Resource;
  private log?: AppendingLog;
  readonly logFile: string;

  constructor(
    readonly name: string,
    readonly binary: string,
    readonly args: string[],
    private readonly opts: ProcessOptions,
  ) {
    this.logFile = opts.logFile ?? join(opts.dir, `${name}.log`);
  }

  get pid(): number | undefined {
    return this.child?.pid ?? this.adopted?.pid;
  }

  /** The ledger entry of this process while it runs. */
  get resource(): Resource | undefined {
    return this.record;
  }

  /** How it ended (`exited with code 1`, `was killed by SIGKILL`, `could not be started: …`), or undefined while it runs. */
  get exitReason(): string | undefined {
    if (this.adopted && !this.exit && !isAlive(this.adopted)) this.exit = 'exited';
    return this.exit;
  }

  private adopted?: Extract<Resource, { kind: 'process' }>;

  /** A process a kept environment handed over (started by an earlier run, not this one's child). */
  static adopt(name: string, record: Extract<Resource, { kind: 'process' }>, logFile: string, opts: ProcessOptions): ManagedProcess {
    const p = new ManagedProcess(name, '', [], { ...opts, logFile });
    p.adopted = record;
    p.record = record;
    return p;
  }

  async start(): Promise<this> {
    await mkdir(this.opts.dir, { recursive: true });
    if (this.opts.outlive) return this.startOutliving();
    // setpriv would start and then fail to exec a missing program: say it as a failed spawn says it
    const missing = this.binary.includes('/') ? await access(this.binary, constants.X_OK).then(() => undefined, (err: NodeJS.ErrnoException) => err.code ?? 'ENOENT') : undefined;
    if (missing) {
      this.exit = `could not be started: spawn ${this.binary} ${missing}`;
      this.exitedPromise = Promise.resolve(this.exit);
      return this;
    }
    // cleanup: killed when this process exits or is killed by a catchable signal; dieWithParent: also by SIGKILL
    const [file, args] = dieWithParent(this.binary, this.args);
    const child = execa(file, args, { env: this.opts.env, extendEnv: this.opts.extendEnv !== false, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false, cleanup: true });
    this.child = child;
    this.exitedPromise = Promise.race([
      // 'exit', not the result: a grandchild holding the pipes must not keep us waiting
      new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`))),
      child.then((r) => (r.failed && r.exitCode === undefined && !r.signal ? `could not be started: ${r.originalMessage ?? r.shortMessage}` : new Promise<string>(() => undefined))),
    ]).then((reason) => (this.exit = reason));
    this.logClosed = this.pipeOutput(child);
    if (this.opts.ledger && child.pid !== undefined) {
      // recorded as soon as the pid exists (it dies with the runner before that anyway, see dieWithParent)
      this.record = processResource(this.name, child.pid);
      await this.opts.ledger.record(this.record);
    }
    return this;
  }

  private async startOutliving(): Promise<this> {
    const fd = openSync(this.logFile, 'a', 0o600);
    try {
      const env = this.opts.extendEnv === false ? this.opts.env : { ...process.env, ...this.opts.env };
      const child = spawn(this.binary, this.args, { env, stdio: ['ignore', fd, fd], detached: true });
      child.once('error', () => undefined);
      child.unref();
      this.child = child;
      this.exitedPromise = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`))).then((reason) => (this.exit = reason));
      if (this.opts.ledger && child.pid !== undefined) {
        this.record = processResource(this.name, child.pid);
        await this.opts.ledger.record(this.record);
      }
    } finally {
      closeSync(fd);
    }
    return this;
  }

  /** stdout and stderr into the log file, line by line (redacted first when asked). */
  private pipeOutput(child: ChildProcess): Promise<void> {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const redact = this.opts.redactOutput ?? ((l: string) => l);
    const done = [child.stdout, child.stderr]
      .filter((s) => s !== null)
      .map((input) => new Promise<void>((resolve) => createInterface({ input, crlfDelay: Infinity }).on('line', (l) => log.write(`${redact(l)}\n`)).once('close', resolve)));
    return Promise.all(done).then(() => new Promise<void>((resolve) => log.end(resolve)));
  }

  async lastLines(n = 20): Promise<string[]> {
    return (await this.logLines()).slice(-n);
  }

  /** The log's complete lines so far (redacted when asked), read as the file grows. */
  logLines(): Promise<string[]> {
    this.log ??= new AppendingLog(this.logFile, this.opts.redact);
    return this.log.lines();
  }

  /** Polls `ready` until it resolves true; fails fast, with the log tail, if the process exits first. */
  async waitReady(what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const r = await poll(async () => {
      if (this.exit) throw new EnvironmentError(this.name, `${this.exit} before ${what}`, `read ${this.logFile}`, await this.lastLines());
      try {
        return (await ready()) ? true : waiting();
      } catch (err) {
        return waiting((err as Error).message);
      }
    }, { timeoutMs, intervalMs: 200 });
    if (r.ok) return;
    throw new EnvironmentError(this.name, `not ${what} after ${timeoutMs / 1000}s${r.last ? ` (last probe: ${r.last})` : ''}`, `read ${this.logFile}`, await this.lastLines());
  }

  /** SIGTERM, SIGKILL if it lingers; then its log is complete and its pid forgotten. */
  async stop(): Promise<void> {
    if (this.adopted) return this.stopAdopted(this.adopted);
    const child = this.child;
    if (child && !this.exit && child.pid !== undefined) {
      child.kill('SIGTERM');
      const gone = await within(this.exitedPromise, this.opts.stopTimeoutMs ?? 5000);
      if (!gone) {
        child.kill('SIGKILL');
        await this.exitedPromise;
      }
    }
    // the last lines flushed; a grandchild still holding the pipes must not keep us waiting
    await within(this.logClosed, 1000);
    if (this.record) await this.opts.ledger?.drop(this.record);
  }

  private async stopAdopted(r: Extract<Resource, { kind: 'process' }>): Promise<void> {
    const gone = async (ms: number) => (await poll(async () => (isAlive(r) ? waiting() : true), { timeoutMs: ms, intervalMs: 50 })).ok;
    if (isAlive(r)) {
      process.kill(r.pid, 'SIGTERM');
      if (!(await gone(this.opts.stopTimeoutMs ?? 5000)) && isAlive(r)) {
        process.kill(r.pid, 'SIGKILL');
        await gone(5000);
      }
    }
    await this.opts.ledger?.drop(r);
  }
}
