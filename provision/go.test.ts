import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheLayout } from './cache.ts';
import { goCacheUsers, holdGoCaches } from './go.ts';
import { observeProcess } from '../lib/run-identity.ts';

const root = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-go-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('holdGoCaches', () => {
  it('drops the Go caches only when no other live process holds them', async () => {
    const layout = cacheLayout(root);
    await mkdir(layout.go.build, { recursive: true });
    await writeFile(join(layout.go.build, 'object'), 'x');
    // another provision, alive (our parent), holds them too
    const other = join(root, 'go-users', String(process.ppid));
    const held = await holdGoCaches(layout);
    await writeFile(other, '');
    expect(await held.release({ drop: true })).toBe(false);
    expect(existsSync(join(layout.go.build, 'object'))).toBe(true);
    // a holder whose process is gone does not count
    await rm(other);
    await writeFile(join(root, 'go-users', '999999999'), '');
    const again = await holdGoCaches(layout);
    expect(await again.release({ drop: true })).toBe(true);
    expect(existsSync(layout.go.build)).toBe(false);
  });

  it('does not count a holder whose pid now names another process (recorded start time differs)', async () => {
    const layout = cacheLayout(root);
    await mkdir(layout.go.build, { recursive: true });
    await writeFile(join(layout.go.build, 'object'), 'x');
    const parent = observeProcess(process.ppid)!;
    await mkdir(join(root, 'go-users'), { recursive: true });
    // our parent's pid runs, but the holder that wrote this file started at another time
    await writeFile(join(root, 'go-users', String(process.ppid)), JSON.stringify({ pid: process.ppid, start: `${Number(parent.start) + 1}`, boot: parent.boot }));
    const held = await holdGoCaches(layout);
    expect(await held.release({ drop: true })).toBe(true);
    expect(existsSync(layout.go.build)).toBe(false);
    // the same pid with the identity it really has keeps them
    await mkdir(layout.go.build, { recursive: true });
    await writeFile(join(root, 'go-users', String(process.ppid)), JSON.stringify({ pid: process.ppid, start: parent.start, boot: parent.boot }));
    const again = await holdGoCaches(layout);
    expect(await again.release({ drop: true })).toBe(false);
    expect(existsSync(layout.go.build)).toBe(true);
    await rm(join(root, 'go-users', String(process.ppid)));
  });

  it("counts a holder of another host sharing this cache as a user: whether it runs cannot be told from here", async () => {
    const layout = cacheLayout(root);
    await mkdir(join(root, 'go-users'), { recursive: true });
    const foreign = { pid: 999999998, start: '1', boot: 'b', host: 'other-runner/0123/4026532999' };
    await writeFile(join(root, 'go-users', String(foreign.pid)), JSON.stringify(foreign));
    expect(await goCacheUsers(layout, () => false)).toEqual([foreign]);
    await mkdir(layout.go.build, { recursive: true });
    const held = await holdGoCaches(layout);
    expect(await held.release({ drop: true })).toBe(false);
    expect(existsSync(layout.go.build)).toBe(true);
    await rm(join(root, 'go-users', String(foreign.pid)));
  });
});
