// A local Vault leaves `<stateDir>/vault-<pid>.json` while it runs, so a `clean` command can end
// the ones a crashed run left behind. The file holds no secret.
import { readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface LocalVaultState {
  pid: number;
  binary: string;
  address: string;
  tempDir: string;
  logFile: string;
  startedAt: string;
}

export function stateFilePath(stateDir: string, pid: number): string {
  return join(stateDir, `vault-${pid}.json`);
}

export async function writeStateFile(stateDir: string, state: LocalVaultState): Promise<string> {
  await mkdir(stateDir, { recursive: true });
  const file = stateFilePath(stateDir, state.pid);
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`);
  return file;
}

export async function readStateFiles(stateDir: string): Promise<LocalVaultState[]> {
  let names: string[];
  try {
    names = await readdir(stateDir);
  } catch {
    return [];
  }
  const states: LocalVaultState[] = [];
  for (const name of names.filter((n) => /^vault-\d+\.json$/.test(n))) {
    try {
      states.push(JSON.parse(await readFile(join(stateDir, name), 'utf8')) as LocalVaultState);
    } catch {
      // half-written or foreign file: leave it
    }
  }
  return states;
}

export interface CleanedVault {
  pid: number;
  /** false when the pid was gone or now belongs to another program. */
  killed: boolean;
}

/** Ends every local Vault a state file names (after checking the pid is still that Vault) and removes its files. */
export async function cleanLocalVaults(stateDir: string): Promise<CleanedVault[]> {
  const cleaned: CleanedVault[] = [];
  for (const state of await readStateFiles(stateDir)) {
    const killed = (await isSameVault(state)) && signal(state.pid, 'SIGKILL');
    await rm(state.tempDir, { recursive: true, force: true });
    await rm(stateFilePath(stateDir, state.pid), { force: true });
    cleaned.push({ pid: state.pid, killed });
  }
  return cleaned;
}

// A pid may have been reused since the state file was written: only a `<binary> server -dev…` is ours.
async function isSameVault(state: LocalVaultState): Promise<boolean> {
  try {
    const argv = (await readFile(`/proc/${state.pid}/cmdline`, 'utf8')).split('\0');
    return argv[0] === state.binary && argv[1] === 'server' && argv.includes('-dev');
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}
