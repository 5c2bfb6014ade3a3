import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Timings } from './estimates.ts';

const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-timings-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('Timings', () => {
  it('estimates from the documented cold figures, then from what this machine took, per version then per name', async () => {
    const file = join(dir, 'timings.json');
    const t = await Timings.load(file);
    expect(t.estimate({ name: 'vault', version: 'v1.21.0' })).toEqual({ seconds: 750, from: 'docs' });
    expect(t.estimate({ name: 'something-new', version: 'v1' }).from).toBe('docs');
    await t.record({ name: 'vault', version: 'v1.21.0' }, 612.4);
    const again = await Timings.load(file);
    expect(again.estimate({ name: 'vault', version: 'v1.21.0' })).toEqual({ seconds: 612.4, from: 'this machine' });
    expect(again.estimate({ name: 'vault', version: 'v1.19.0' })).toEqual({ seconds: 612.4, from: 'this machine' });
    expect(JSON.parse(await readFile(file, 'utf8'))['vault@v1.21.0'].seconds).toBe(612.4);
  });

  it('reads a damaged file as empty', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{not json');
    expect((await Timings.load(file)).estimate({ name: 'etcd', version: 'v3.6.5' }).from).toBe('docs');
  });
});
