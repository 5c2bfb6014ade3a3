import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { PROJECT_LABEL } from '../kind/images/common.ts';
import { treeRssBytes } from './rss.ts';

/** Memory of every running container the suite labelled (cgroup v1 or v2), bytes. */
export async function labelledContainersBytes(): Promise<number> {
  const r = await execa('docker', ['ps', '-q', '--no-trunc', '--filter', `label=${PROJECT_LABEL}`], { reject: false });
  let total = 0;
  for (const id of r.stdout.split('\n').filter(Boolean)) {
    for (const f of [`/sys/fs/cgroup/memory/docker/${id}/memory.usage_in_bytes`, `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.current`]) {
      const text = await readFile(f, 'utf8').catch(() => undefined);
      if (text) {
        total += Number(text.trim());
        break;
      }
    }
  }
  return total;
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
