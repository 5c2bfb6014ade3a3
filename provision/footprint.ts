import { execa } from 'execa';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { cacheLayout } from './cache.ts';

export interface Footprint {
  total: number;
  /** Each top-level part of the suite's cache, and Docker's images. */
  parts: Array<{ name: string; bytes: number }>;
}

/** What the suite keeps on disk: its cache directory part by part, and Docker's images. */
export async function footprint(layout: ReturnType<typeof cacheLayout>): Promise<Footprint> {
  const parts: Footprint['parts'] = [];
  for (const name of (await readdir(layout.root).catch(() => [] as string[])).sort()) {
    // a view's files are hard links to the artifacts counted here already
    if (join(layout.root, name) === layout.views) continue;
    const bytes = await diskUsage(join(layout.root, name));
    if (bytes > 0) parts.push({ name, bytes });
  }
  const images = await imagesBytes();
  if (images > 0) parts.push({ name: 'docker images', bytes: images });
  return { total: parts.reduce((n, p) => n + p.bytes, 0), parts };
}

async function diskUsage(path: string): Promise<number> {
  const r = await execa('du', ['-sb', path], { reject: false });
  return Number(r.stdout.split('\t')[0]) || 0;
}

/** All of Docker's images (the suite's node, cert-manager and Vault images are nearly all of them on a test host). */
async function imagesBytes(): Promise<number> {
  const r = await execa('docker', ['system', 'df', '--format', '{{.Type}}\t{{.Size}}'], { reject: false, timeout: 30_000, stdin: 'ignore' });
  if (r.exitCode !== 0) return 0;
  const line = r.stdout.split('\n').find((l) => l.startsWith('Images\t'));
  return parseSize(line?.split('\t')[1]);
}

/** Docker's human sizes (`1.2GB`, `512.3MB`, `0B`) in bytes. */
export function parseSize(text: string | undefined): number {
  const m = /^([\d.]+)\s*([kKMGT]?B)$/.exec((text ?? '').trim());
  if (!m) return 0;
  const unit = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 }[m[2]!] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(0)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}

/** `4.8 GB (artifacts 1.7 GB, kind 1.7 GB, …)`, or `0 kB (empty)`. */
export function formatFootprint(f: Footprint): string {
  return `${formatBytes(f.total)} (${f.parts.map((p) => `${p.name} ${formatBytes(p.bytes)}`).join(', ') || 'empty'})`;
}
