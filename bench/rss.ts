import { readdir, readFile } from 'node:fs/promises';

/** Resident memory of a process and all its descendants, from /proc (Linux). */
export async function treeRssBytes(root: number): Promise<number> {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    rss.set(Number(entry), kb * 1024);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Samples the tree's RSS until stopped; returns the peak. */
export function peakRss(root = process.pid, everyMs = 500) {
  let peak = 0;
  const timer = setInterval(() => void treeRssBytes(root).then((b) => (peak = Math.max(peak, b))), everyMs);
  return { stop: () => (clearInterval(timer), peak) };
}
