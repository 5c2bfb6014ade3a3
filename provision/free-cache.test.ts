import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunLedger } from '../lib/ledger.ts';
import { testTempDir } from '../lib/test-temp.ts';
import { cacheLayout } from './cache.ts';
import { freeCache, planCacheRemoval } from './free-cache.ts';

const ALL = ['artifacts', 'go', 'go-users', 'kind', 'manifest.json', 'runs', 'staging', 'timings.json', 'tools', 'work'];
const liveOwner = { pid: 1002, start: '2', boot: 'b' };
const alive = (o: { pid: number; start?: string }) => o.pid === liveOwner.pid && o.start === liveOwner.start;

/** A cache with something in every part, a run ledger of `owner` and a Go cache holder file of `holder`. */
async function cache(o: { owner?: typeof liveOwner; holder?: typeof liveOwner } = {}) {
  const layout = cacheLayout(testTempDir('cm-vault-e2e-free-cache-'));
  for (const d of ['artifacts/etcd/v3.6.0', 'go/build', 'kind/clusters', 'staging/x', 'tools', 'work/x']) await mkdir(join(layout.root, d), { recursive: true });
  await writeFile(layout.manifest, '{}');
  await writeFile(layout.timings, '{}');
  if (o.owner) await new RunLedger(layout.runs, 'rlive1', o.owner).record({ kind: 'container', name: 'cmve-rlive1-vault' });
  if (o.holder) {
    await mkdir(join(layout.root, 'go-users'), { recursive: true });
    await writeFile(join(layout.root, 'go-users', String(o.holder.pid)), JSON.stringify(o.holder));
  }
  return layout;
}

describe('clean --cache', () => {
  it('beside a run in progress: keeps its ledger and all it runs on (artifacts, kind files, tools, images), frees the build caches', async () => {
    const layout = await cache({ owner: liveOwner });
    let imagesRemoved = false;
    const spared = await freeCache(layout, { alive, removeImages: async () => void (imagesRemoved = true) });
    expect((await readdir(layout.root)).sort()).toEqual(['artifacts', 'kind', 'manifest.json', 'runs', 'timings.json', 'tools']);
    expect(existsSync(join(layout.runs, 'run-rlive1.jsonl'))).toBe(true);
    expect(imagesRemoved).toBe(false);
    expect(spared).toEqual([
      { name: 'artifacts', why: 'run rlive1 in progress' },
      { name: 'kind', why: 'run rlive1 in progress' },
      { name: 'manifest.json', why: 'run rlive1 in progress' },
      { name: 'runs', why: 'it holds 1 run ledger(s): runs in progress, or leftovers still to reap' },
      { name: 'tools', why: 'run rlive1 in progress' },
      { name: 'Docker images labelled io.cm-vault-e2e', why: 'run rlive1 in progress' },
    ]);
  });

  it('beside a provision in progress (a live Go cache holder): keeps everything', async () => {
    const layout = await cache({ holder: liveOwner });
    const spared = await freeCache(layout, { alive, removeImages: async () => undefined });
    expect((await readdir(layout.root)).sort()).toEqual(ALL.filter((n) => n !== 'runs'));
    expect(spared.map((s) => s.why)).toEqual(Array(9).fill('provision in progress (pid 1002)'));
  });

  it('with nothing in progress (a dead holder, a dead run whose ledger still names leftovers): frees all but timings and that ledger', async () => {
    const dead = { pid: 1001, start: '1', boot: 'b' };
    const layout = await cache({ owner: dead, holder: dead });
    let imagesRemoved = false;
    expect(await freeCache(layout, { alive, removeImages: async () => void (imagesRemoved = true) })).toEqual([{ name: 'runs', why: 'it holds 1 run ledger(s): runs in progress, or leftovers still to reap' }]);
    expect((await readdir(layout.root)).sort()).toEqual(['runs', 'timings.json']);
    expect(imagesRemoved).toBe(true);
  });

  it('plans by name: timings stay, runs/ goes only empty of ledgers', () => {
    expect(planCacheRemoval(ALL, { runs: [], ledgers: 0, provisions: [] })).toEqual({ remove: ALL.filter((n) => n !== 'timings.json'), spared: [], images: 'remove' });
  });
});
