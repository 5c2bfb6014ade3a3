import { access, constants, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppendingLog } from '../lib/appending-log.ts';
import { dockerMaybe } from './images/common.ts';

/** A CRI log line (`<time> <stream> <tag> <message>`) as its message; a blank line as nothing. */
export function criLogMessage(line: string): string | undefined {
  if (line.trim() === '') return undefined;
  return /^\S+ (?:stdout|stderr) [FP] (.*)$/.exec(line)?.[1] ?? line;
}

/** CRI log text to plain messages. */
export function criLogMessages(text: string): string[] {
  return text.split('\n').flatMap((l) => criLogMessage(l) ?? []);
}

/** The node's log directory of a pod's container: `/var/log/pods/<ns>_<pod>-…_<uid>/<container>` (the first, as `ls` sorts). */
export function podLogDir(podDirs: readonly string[], namespace: string, podPrefix: string, container: string): string | undefined {
  const dir = [...podDirs].sort().find((d) => d.startsWith(`${namespace}_${podPrefix}`));
  return dir && join(dir, container);
}

/** A container's log files, one per restart (`0.log`, `1.log`, …), in restart order. */
export function restartLogs(files: readonly string[]): string[] {
  return files.filter((f) => /^\d+\.log$/.test(f)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
}

/**
 * Pods' logs as the kubelet stores them on a kind node, read from this host through the node's root
 * (`/proc/<pid>/root`, the node container's own view of its files), each file as it grows (lib/appending-log.ts):
 * no `docker exec` per read, and only the new bytes. Every scenario polls the API server's log; a `docker exec`
 * costs a process start in the node and CPU in dockerd and runc on each of those polls. Where the node's root is
 * not readable from here (not root, or Docker in a VM) `undefined` says so and the caller reads through the node.
 */
export class NodePodLogs {
  private root?: string;
  private readonly logs = new Map<string, AppendingLog>();

  constructor(private readonly nodeContainer: string) {}

  /** Every restart's lines in order, or undefined when this host cannot read the node's files. */
  async lines(namespace: string, podPrefix: string, container: string): Promise<string[] | undefined> {
    const pods = await this.podsDir();
    if (!pods) return undefined;
    const dir = podLogDir(await readdir(pods), namespace, podPrefix, container);
    if (!dir) return [];
    const files = restartLogs(await readdir(join(pods, dir)).catch(() => []));
    const out: string[] = [];
    for (const f of files) out.push(...(await this.log(join(pods, dir, f)).lines()));
    return out;
  }

  private log(path: string): AppendingLog {
    let log = this.logs.get(path);
    if (!log) this.logs.set(path, (log = new AppendingLog(path, criLogMessage)));
    return log;
  }

  /**
   * `/proc/<pid>/root/var/log/pods` of the node, checked readable; looked up again when the node's process changed
   * (a restarted container has another pid, and a stale one would read nothing, not fail).
   */
  private async podsDir(): Promise<string | undefined> {
    if (this.root && (await readable(this.root))) return this.root;
    const pid = await dockerMaybe(['inspect', '--format', '{{.State.Pid}}', this.nodeContainer]);
    const dir = pid && pid !== '0' ? `/proc/${pid}/root/var/log/pods` : undefined;
    this.root = dir && (await readable(dir)) ? dir : undefined;
    if (this.root !== dir) this.logs.clear();
    return this.root;
  }
}

const readable = (path: string) => access(path, constants.R_OK).then(() => true, () => false);
