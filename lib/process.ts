import { execa, type ResultPromise } from 'execa';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from './errors.ts';
import { poll, waiting } from './wait.ts';

/** A real program run by the suite: its output goes to a log file, its pid to the runs directory for `clean`. */
export class ManagedProcess {
  private child?: ResultPromise;
  private exited?: { code: number | null; signal: string | null };
  readonly logFile: string;

  constructor(
    readonly name: string,
    readonly binary: string,
    readonly args: string[],
    private readonly opts: { dir: string; runsDir: string; env?: Record<string, string>; redact?: (line: string) => string },
  ) {
    this.logFile = join(opts.dir, `${name}.log`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<this> {
    await mkdir(this.opts.dir, { recursive: true });
    const log = createWriteStream(this.logFile, { flags: 'a' });
    this.child = execa(this.binary, this.args, {
      env: this.opts.env,
      reject: false,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      detached: false,
      cleanup: true,
    });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    // 'exit', not the result promise: a grandchild holding the pipes must not keep us waiting.
    this.child.once('exit', (code, signal) => {
      this.exited = { code, signal };
    });
    void this.child.catch(() => undefined);
    await mkdir(this.opts.runsDir, { recursive: true });
    await writeFile(this.stateFile(), JSON.stringify({ name: this.name, pid: this.child.pid, binary: this.binary, parent: process.pid, dir: this.opts.dir }));
    return this;
  }

  private stateFile(): string {
    return join(this.opts.runsDir, `proc-${this.child?.pid}.json`);
  }

  async lastLines(n = 20): Promise<string[]> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    const lines = text.trimEnd().split('\n').slice(-n);
    return this.opts.redact ? lines.map(this.opts.redact) : lines;
  }

  async logLines(): Promise<string[]> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    const lines = text.split('\n');
    return this.opts.redact ? lines.map(this.opts.redact) : lines;
  }

  /** Polls `ready` until it resolves true; fails fast, with the log tail, if the process exits first. */
  async waitReady(what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const r = await poll(async () => {
      if (this.exited) throw new EnvironmentError(this.name, `exited early (code ${this.exited.code ?? this.exited.signal}) before ${what}`, `read ${this.logFile}`, await this.lastLines());
      try {
        return (await ready()) ? true : waiting();
      } catch (err) {
        return waiting((err as Error).message);
      }
    }, { timeoutMs, intervalMs: 200 });
    if (r.ok) return;
    throw new EnvironmentError(this.name, `not ${what} after ${timeoutMs / 1000}s${r.last ? ` (last probe: ${r.last})` : ''}`, `read ${this.logFile}`, await this.lastLines());
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && !this.exited) {
      const exited = new Promise<void>((r) => (this.exited ? r() : child.once('exit', () => r())));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (!this.exited) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    await rm(this.stateFile(), { force: true });
  }
}
