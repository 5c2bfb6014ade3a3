import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheLayout } from './cache.ts';
import { holdGoCaches } from './go.ts';

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
});
