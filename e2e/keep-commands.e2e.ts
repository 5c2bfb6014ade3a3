import { execa } from 'execa';
import { existsSync, readdirSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ledgerFile } from '../lib/ledger.ts';
import { poll, waiting } from '../lib/wait.ts';
import { ledgerOf, runsDir, startRun, survivors, tempDirsOf, type StartedRun } from './kill.ts';

/**
 * `run --keep` on the process cluster prints how to look inside the kept environment. Every printed command runs
 * as given — in a shell whose PATH has no kubectl (the process cluster needs none, so a user may well have none) —
 * and exits 0; the held scenario's isolated names are the ones it reads. Then the environment goes the way the
 * print says (Ctrl-C in the run that holds it), leaving nothing.
 *
 *   npx vitest run --project e2e e2e/keep-commands.e2e.ts
 */
const SCENARIO = 'k8s-role-audience-mismatch';
const KEPT = 'process-cluster environment kept: press Ctrl-C to stop it';

/** A directory standing for the test's PATH minus kubectl: a link to the first of every other program's name. */
async function pathWithoutKubectl(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cmve-keep-path-'));
  const seen = new Set(['kubectl']);
  for (const d of (process.env.PATH ?? '').split(delimiter).filter((d) => d && existsSync(d))) {
    for (const name of readdirSync(d)) {
      if (seen.has(name)) continue;
      seen.add(name);
      symlinkSync(join(d, name), join(dir, name));
    }
  }
  return dir;
}

/** The printed block: from `# environment …` to `# when done: …`. */
function printedBlock(output: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.startsWith('# environment '));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('# when done: '));
  expect(start, output).toBeGreaterThanOrEqual(0);
  expect(end, output).toBeGreaterThan(start);
  return lines.slice(start, end + 1);
}

/** Runs the commands in one shell, in order (an `export` holds for the lines after it); each one's exit status. */
async function runEach(commands: string[], path: string) {
  const marker = (i: number) => `__cmve_rc ${i} $?`;
  const script = commands.map((c, i) => `${c}\necho "${marker(i)}"`).join('\n');
  const r = await execa('bash', ['-c', script], { env: { PATH: path, HOME: process.env.HOME ?? '/root' }, extendEnv: false, all: true, reject: false, timeout: 120_000 });
  const statuses = new Map([...r.all.matchAll(/^__cmve_rc (\d+) (\d+)$/gm)].map((m) => [commands[Number(m[1])]!, Number(m[2])]));
  return { output: r.all, statuses };
}

describe('run --keep prints commands that run as given', () => {
  const made: string[] = [];
  let holder: StartedRun | undefined;
  afterAll(async () => {
    // a failed assertion leaves the run holding its environment: stop it as the print says
    if (holder && holder.child.exitCode === null) {
      process.kill(holder.owner.pid, 'SIGINT');
      await holder.child;
    }
    for (const d of made) await rm(d, { recursive: true, force: true });
  }, 120_000);

  it('each printed command exits 0 with no kubectl on PATH, reads the isolated names, and Ctrl-C removes the environment', async () => {
    const path = await pathWithoutKubectl();
    made.push(path);
    expect(existsSync(join(path, 'kubectl'))).toBe(false);
    const run = (holder = await startRun([SCENARIO, '--no-provision', '--keep'], { PATH: path }));
    const kept = await poll(async () => (run.output().includes(KEPT) ? true : run.child.exitCode !== null ? false : waiting()), { timeoutMs: 600_000, intervalMs: 200 });
    expect(kept.ok && kept.value, run.output()).toBe(true);

    const block = printedBlock(run.output());
    const commands = block.filter((l) => l.trim() && !l.startsWith('#'));
    const { output, statuses } = await runEach(commands, path);
    for (const c of commands) expect(statuses.get(c), `${c}\n${output}`).toBe(0);
    // the kubectl lines reached the cluster and found the held Issuer under its isolated name
    const describe = commands.find((c) => / describe issuer /.test(c));
    const isolatedIssuer = / describe issuer (\S+)/.exec(describe ?? '')?.[1];
    expect(isolatedIssuer, block.join('\n')).toMatch(/^vault-issuer-[0-9a-z]+$/);
    expect(output).toContain(`Name:         ${isolatedIssuer}`);
    // and the Vault lines read the isolated mount's role (its audience is the scenario's)
    expect(output).toMatch(/^audience\s+vault:\/\/team-a\/other$/m);

    // "when done": Ctrl-C in the run that holds it
    expect(block.at(-1)).toMatch(/^# when done: Ctrl-C in the run that holds it/);
    const held = await ledgerOf(run.id);
    process.kill(run.owner.pid, 'SIGINT');
    const done = await run.child;
    expect(done.exitCode, run.output()).toBe(0);
    expect(await survivors(held)).toEqual([]);
    expect(await tempDirsOf(run.id)).toEqual([]);
    expect(existsSync(ledgerFile(runsDir, run.id)), run.output()).toBe(false);
  }, 900_000);
});
