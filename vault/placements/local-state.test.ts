import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanLocalVaults, readStateFiles, stateFilePath, writeStateFile, type LocalVaultState } from './local-state.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function state(pid: number, binary: string, tempDir: string): LocalVaultState {
  return { pid, binary, address: 'https://127.0.0.1:1', tempDir, logFile: join(tempDir, 'vault.log'), startedAt: '' };
}

describe('local Vault state files', () => {
  it('round-trips and ignores foreign files', async () => {
    await writeStateFile(join(dir, 'state'), state(42, '/bin/vault', '/tmp/x'));
    await writeFile(join(dir, 'state', 'other.json'), '{}');
    expect(await readStateFiles(join(dir, 'state'))).toEqual([state(42, '/bin/vault', '/tmp/x')]);
    expect(await readStateFiles(join(dir, 'missing'))).toEqual([]);
  });

  it('kills a leftover `<binary> server -dev` and removes its files', async () => {
    // argv must read `<binary> server -dev`: a symlink to sh named like the binary runs the script `server`,
    // which blocks on a builtin `read` of its stdin (no child process to leave behind).
    const binary = join(dir, 'vault');
    await symlink('/bin/sh', binary);
    await writeFile(join(dir, 'server'), 'read line\n');
    const child = spawn(binary, ['server', '-dev'], { cwd: dir, stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const tempDir = join(dir, 'tmp');
    await mkdir(tempDir);
    await writeStateFile(join(dir, 'state'), state(child.pid!, binary, tempDir));

    expect(await cleanLocalVaults(join(dir, 'state'))).toEqual([{ pid: child.pid, killed: true }]);
    expect(await exited).toBe('SIGKILL');
    expect(existsSync(tempDir)).toBe(false);
    expect(existsSync(stateFilePath(join(dir, 'state'), child.pid!))).toBe(false);
  });

  it('does not kill a pid that now belongs to another program', async () => {
    await writeStateFile(join(dir, 'state'), state(process.pid, '/usr/bin/vault', join(dir, 'gone')));
    expect(await cleanLocalVaults(join(dir, 'state'))).toEqual([{ pid: process.pid, killed: false }]);
    expect(await readStateFiles(join(dir, 'state'))).toEqual([]);
  });
});
