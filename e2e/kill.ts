import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { ledgerFile, parseLedger, RUN_LABEL_KEY, type Resource } from '../lib/ledger.ts';
import { KIND_CLUSTER_LABEL } from '../lib/reap.ts';
import { isAlive, type ProcessIdentity } from '../lib/run-identity.ts';
import { poll, sleep, waiting } from '../lib/wait.ts';
import { cacheLayout } from '../provision/cache.ts';

/**
 * Kill tests' moves: a real `run` started as its own process, watched through its ledger until a moment comes
 * (what it has recorded so far says where it is), then `kill -9`; and what a killed run may have left behind.
 */
export const runsDir = cacheLayout().runs;

export interface StartedRun {
  child: ReturnType<typeof cli>;
  id: string;
  owner: ProcessIdentity;
  output: () => string;
}

/** The CLI as its own process; `env` adds to (or overrides) the test's environment. */
export function cli(args: string[], env: Record<string, string> = {}) {
  return execa('node', ['bin/cm-vault-e2e.js', ...args], { all: true, reject: false, stdin: 'ignore', timeout: 15 * 60_000, env: { FORCE_COLOR: '0', ...env } });
}

/** Starts `run …` and waits until its ledger names it (run id, owner pid and start time). */
export async function startRun(args: string[], env: Record<string, string> = {}): Promise<StartedRun> {
  const child = cli(['run', ...args], env);
  let out = '';
  child.all?.on('data', (b: Buffer) => (out += b.toString()));
  const r = await poll(async () => {
    const id = /^run (r[0-9a-z]{5}) \(pid \d+\)$/m.exec(out)?.[1];
    if (!id || !existsSync(ledgerFile(runsDir, id))) return waiting(out.slice(-300));
    const header = parseLedger(await readFile(ledgerFile(runsDir, id), 'utf8')).header;
    return header ? { id, owner: header.owner } : waiting('no header yet');
  }, { timeoutMs: 120_000, intervalMs: 50 });
  if (!r.ok) throw new Error(`the run did not start: ${r.last}`);
  return { child, ...r.value, output: () => out };
}

export async function ledgerOf(id: string): Promise<Resource[]> {
  return parseLedger(await readFile(ledgerFile(runsDir, id), 'utf8').catch(() => '')).resources;
}

/**
 * Waits (polling every 20 ms) until the run's ledger satisfies `moment`; false when the run ended first, or got
 * past its scenarios (a verdict line printed: from there on it only tears down, and a ledger that still names a
 * program is no longer the moment asked for).
 */
export async function waitForMoment(run: StartedRun, moment: (rs: Resource[]) => boolean | Promise<boolean>, timeoutMs = 300_000): Promise<boolean> {
  const r = await poll(async () => {
    if (run.child.exitCode !== null || VERDICT_LINE.test(run.output())) return false;
    return (await moment(await ledgerOf(run.id))) ? true : waiting();
  }, { timeoutMs, intervalMs: 20 });
  return r.ok && r.value;
}

/** A scenario's verdict line in a run's output (`✓  id`, `✗  id`, `!  id could not run`). */
const VERDICT_LINE = /^[✓✗!] {2}\S/m;

/** Kills the runner; answers what its ledger names then, which nothing can change any more. */
export async function kill9(run: StartedRun): Promise<Resource[]> {
  process.kill(run.owner.pid, 'SIGKILL');
  await run.child;
  return ledgerOf(run.id);
}

export const processes = (rs: Resource[]) => rs.filter((r): r is Extract<Resource, { kind: 'process' }> => r.kind === 'process');
export const names = (rs: Resource[]) => processes(rs).map((p) => p.name);

/** Processes of the list still running (same pid and start time). */
export async function survivors(rs: Resource[], graceMs = 3000): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const left = processes(rs).filter((p) => isAlive(p)).map((p) => `${p.name} (pid ${p.pid})`);
    if (!left.length || Date.now() > deadline) return left;
    await sleep(100);
  }
}

/** Temp dirs named after the run. */
export async function tempDirsOf(id: string): Promise<string[]> {
  return (await readdir(tmpdir())).filter((n) => n.startsWith(`cm-vault-e2e-${id}-`));
}

/** Whether Docker has a container of that name, or the node of that kind cluster. */
export async function dockerHas(filter: { name: string } | { kindCluster: string }): Promise<boolean> {
  const f = 'name' in filter ? `name=^/?${filter.name}$` : `label=${KIND_CLUSTER_LABEL}=${filter.kindCluster}`;
  return (await execa('docker', ['ps', '-aq', '--filter', f], { reject: false })).stdout.trim() !== '';
}

/** Docker containers and kind clusters whose name or run label is the run's. */
export async function dockerLeftovers(id: string): Promise<string[]> {
  const r = await execa('docker', ['ps', '-a', '--format', `{{.Names}}\t{{.Label "${RUN_LABEL_KEY}"}}\t{{.Label "${KIND_CLUSTER_LABEL}"}}`], { reject: false });
  return r.stdout.split('\n').filter((l) => l.split('\t').some((f) => f === id || f.endsWith(`-${id}`) || f.includes(`-${id}-`)));
}
