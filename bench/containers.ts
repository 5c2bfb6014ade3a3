import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { PROJECT_LABEL } from '../kind/images/common.ts';
import { treeRssBytes } from './rss.ts';

/**
 * Working set of every running container the suite labelled, bytes: usage minus inactive page cache (what
 * `kubectl top` and `docker stats` report; raw cgroup usage counts reclaimable cache too).
 */
export async function labelledContainersBytes(): Promise<number> {
  const r = await execa('docker', ['ps', '-q', '--no-trunc', '--filter', `label=${PROJECT_LABEL}`], { reject: false });
  let total = 0;
  for (const id of r.stdout.split('\n').filter(Boolean)) {
    const v1 = `/sys/fs/cgroup/memory/docker/${id}`;
    const v2 = `/sys/fs/cgroup/system.slice/docker-${id}.scope`;
    const usage = (await readFile(`${v1}/memory.usage_in_bytes`, 'utf8').catch(() => undefined)) ?? (await readFile(`${v2}/memory.current`, 'utf8').catch(() => undefined));
    if (!usage) continue;
    const stat = (await readFile(`${v1}/memory.stat`, 'utf8').catch(() => undefined)) ?? (await readFile(`${v2}/memory.stat`, 'utf8').catch(() => ''));
    total += workingSetBytes(Number(usage.trim()), stat);
  }
  return total;
}

/**
 * Usage minus the inactive page cache of the whole subtree. A kind node's pods live in cgroups nested inside the
 * node container's, and usage counts them: on cgroup v1 the matching figure is `total_inactive_file` (its plain
 * `inactive_file`, listed first, is the node's own processes only); on v2 `inactive_file` already covers the subtree.
 */
export function workingSetBytes(usage: number, memoryStat: string): number {
  const field = (name: string) => new RegExp(`^${name} (\\d+)$`, 'm').exec(memoryStat)?.[1];
  const inactive = Number(field('total_inactive_file') ?? field('inactive_file') ?? 0);
  return Math.max(0, usage - inactive);
}

/** Peak of (this process tree's RSS + the labelled containers' memory), sampled until stopped. */
export function peakMemory(everyMs = 2000) {
  let peak = 0;
  let busy = false;
  const sample = async () => {
    if (busy) return;
    busy = true;
    try {
      peak = Math.max(peak, (await treeRssBytes(process.pid)) + (await labelledContainersBytes()));
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void sample(), everyMs);
  return { stop: () => (clearInterval(timer), peak) };
}
