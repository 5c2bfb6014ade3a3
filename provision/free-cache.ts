/**
 * `clean --cache`: frees the suite's disk — every artifact, Go cache and labelled Docker image — but never from
 * under a run or a provision still in progress, and never the ledgers that still name something (a run in
 * progress, or leftovers reaping could not remove). What it spares it names, with who uses it.
 */
import { execa } from 'execa';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readLedgers } from '../lib/ledger.ts';
import { PROJECT_LABEL_KEY } from '../lib/names.ts';
import { isAlive, ownerState, type ProcessIdentity } from '../lib/run-identity.ts';
import type { cacheLayout } from './cache.ts';
import { dropGoCaches, goCacheUsers, goCaches } from './go.ts';

type Layout = ReturnType<typeof cacheLayout>;

/** Who uses the cache now. */
export interface CacheUsers {
  /** Runs in progress: ids of ledgers whose owner runs (or ran on another host, or cannot be told). */
  runs: string[];
  /** Ledgers still in runs/ (in progress, or naming what reaping could not remove). */
  ledgers: number;
  /** Provisions in progress: holders of the Go caches (provision/go.ts holdGoCaches). */
  provisions: ProcessIdentity[];
}

/** What only a provision uses: Go's caches, its holders, staging and generated modules of builds. */
const PROVISION_ONLY = new Set(['go', 'go-users', 'staging', 'work']);

/**
 * Which top-level entries of the cache go, and which stay and why: timings.json always stays (the next estimates);
 * runs/ while it holds a ledger; what only builds use while a provision runs; everything else (artifacts, the
 * manifest, kind's node images and per-cluster files, tools) while a run or a provision is in progress, and the
 * labelled Docker images with them.
 */
export function planCacheRemoval(names: string[], users: CacheUsers): { remove: string[]; spared: Array<{ name: string; why: string }>; images: 'remove' | { spared: string } } {
  const provisioning = users.provisions.length ? `provision in progress (pid ${users.provisions.map((p) => p.pid).join(', ')})` : undefined;
  const running = users.runs.length ? `run ${users.runs.join(', ')} in progress` : undefined;
  const remove: string[] = [];
  const spared: Array<{ name: string; why: string }> = [];
  for (const name of names) {
    if (name === 'timings.json') continue;
    const why = name === 'runs' ? (users.ledgers ? `it holds ${users.ledgers} run ledger(s): runs in progress, or leftovers still to reap` : undefined) : PROVISION_ONLY.has(name) ? provisioning : (provisioning ?? running);
    if (why) spared.push({ name, why });
    else remove.push(name);
  }
  const imagesWhy = provisioning ?? running;
  return { remove, spared, images: imagesWhy ? { spared: imagesWhy } : 'remove' };
}

export async function cacheUsers(layout: Layout, alive: (p: ProcessIdentity) => boolean = isAlive): Promise<CacheUsers> {
  const ledgers = await readLedgers(layout.runs);
  // a headerless ledger names no owner to check: in use, the safe side
  const runs = ledgers.filter((l) => !l.header || ownerState(l.header.owner, { alive, unknownHost: 'same' }) !== 'gone').map((l) => l.id);
  return { runs, ledgers: ledgers.length, provisions: await goCacheUsers(layout, alive) };
}

/** Removes the labelled Docker images (the suite's kind node, cert-manager and Vault images). */
export async function removeLabelledImages(): Promise<void> {
  const images = await execa('docker', ['image', 'ls', '-q', '--filter', `label=${PROJECT_LABEL_KEY}`], { reject: false, stdin: 'ignore' });
  const ids = [...new Set(images.stdout.split('\n').filter(Boolean))];
  if (ids.length) await execa('docker', ['image', 'rm', '--force', ...ids], { reject: false, stdin: 'ignore' });
}

/** Frees what planCacheRemoval lets go; answers what it spared, with why. */
export async function freeCache(layout: Layout, o: { removeImages?: () => Promise<void>; alive?: (p: ProcessIdentity) => boolean } = {}): Promise<Array<{ name: string; why: string }>> {
  const plan = planCacheRemoval(await readdir(layout.root).catch(() => [] as string[]), await cacheUsers(layout, o.alive));
  if (plan.images === 'remove') await (o.removeImages ?? removeLabelledImages)();
  if (plan.remove.includes('go')) await dropGoCaches(goCaches(layout));
  for (const name of plan.remove) {
    // the Go module cache is read-only on disk
    await execa('chmod', ['-R', 'u+w', join(layout.root, name)], { reject: false });
    await rm(join(layout.root, name), { recursive: true, force: true });
  }
  return [...plan.spared, ...(plan.images === 'remove' ? [] : [{ name: 'Docker images labelled ' + PROJECT_LABEL_KEY, why: plan.images.spared }])];
}
