import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../lib/test-support/temp-dir.ts';
import { cleanProcesses } from './clean.ts';
import { stateFilePath } from './process.ts';

const dir = useTempDir('clean');

const record = (runs: string, pid: number, binary: string, workDir: string) =>
  mkdir(runs, { recursive: true }).then(() => writeFile(stateFilePath(runs, pid), JSON.stringify({ name: 'vault', pid, binary, parent: 1, dir: workDir })));

describe('cleanProcesses', () => {
  it('kills a process a run left behind and removes its working directory and record', async () => {
    // a symlink to sh named like the binary runs the script `server`, which blocks on a builtin `read`
    const binary = join(dir(), 'vault');
    await symlink('/bin/sh', binary);
    await writeFile(join(dir(), 'server'), 'read line\n');
    const child = spawn(binary, ['server', '-dev'], { cwd: dir(), stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const work = join(dir(), 'cm-vault-e2e-vault-x');
    await mkdir(work);
    await record(join(dir(), 'runs'), child.pid!, binary, work);

    expect(await cleanProcesses(join(dir(), 'runs'))).toEqual([{ name: 'vault', pid: child.pid, killed: true }]);
    expect(await exited).toBe('SIGKILL');
    expect(existsSync(work)).toBe(false);
    expect(await readdir(join(dir(), 'runs'))).toEqual([]);
  });

  it('does not kill a pid that now belongs to another program', async () => {
    await record(join(dir(), 'runs'), process.pid, '/usr/bin/vault', join(dir(), 'gone'));
    expect(await cleanProcesses(join(dir(), 'runs'))).toEqual([{ name: 'vault', pid: process.pid, killed: false }]);
    expect(await readdir(join(dir(), 'runs'))).toEqual([]);
  });
});
