import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

interface ProcState {
  name: string;
  pid: number;
  binary: string;
  parent: number;
  dir: string;
}

/**
 * Stops every process a run recorded under `runsDir` (kept environments and what a killed run left),
 * checking first that the pid still runs the same binary, then removes its working directory.
 */
export async function cleanProcesses(runsDir: string): Promise<Array<{ name: string; pid: number; killed: boolean }>> {
  const files = (await readdir(runsDir).catch(() => [] as string[])).filter((f) => f.startsWith('proc-') && f.endsWith('.json'));
  const out: Array<{ name: string; pid: number; killed: boolean }> = [];
  const dirs = new Set<string>();
  for (const f of files) {
    const state = JSON.parse(await readFile(join(runsDir, f), 'utf8')) as ProcState;
    const exe = await readFile(`/proc/${state.pid}/cmdline`, 'utf8').then((c) => c.split('\0')[0], () => undefined);
    let killed = false;
    if (exe === state.binary) {
      try {
        process.kill(state.pid, 'SIGKILL');
        killed = true;
      } catch {
        killed = false;
      }
    }
    if (state.dir.includes('cm-vault-e2e-')) dirs.add(state.dir);
    await rm(join(runsDir, f), { force: true });
    out.push({ name: state.name, pid: state.pid, killed });
  }
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  return out;
}
