import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rememberedSha256, sha256File } from './file-sha256.ts';

const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-sha-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('rememberedSha256', () => {
  it('hashes a file once, and again once its metadata changes', async () => {
    const file = join(dir, 'binary');
    const memo = join(dir, 'memo', 'hashes.json');
    await writeFile(file, 'first');
    const mtime = new Date(Date.UTC(2026, 0, 1));
    await utimes(file, mtime, mtime);
    const first = await rememberedSha256(file, memo);
    expect(first).toBe(await sha256File(file));
    // same size and times, other bytes: the remembered hash stands (the file is not read again)
    await writeFile(file, 'other');
    await utimes(file, mtime, mtime);
    expect(await rememberedSha256(file, memo)).toBe(first);
    // a new modification time: hashed again
    await utimes(file, mtime, new Date(mtime.getTime() + 5000));
    expect(await rememberedSha256(file, memo)).toBe(await sha256File(file));
    expect(await rememberedSha256(file, memo)).not.toBe(first);
  });

  it('hashes many files at once into one memo file', async () => {
    const memo = join(dir, 'memo-many', 'hashes.json');
    const files = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const f = join(dir, `many-${i}`);
      await writeFile(f, `content ${i}`);
      return f;
    }));
    const hashes = await Promise.all(files.map((f) => rememberedSha256(f, memo)));
    expect(hashes).toEqual(await Promise.all(files.map(sha256File)));
    expect(Object.keys(JSON.parse(await readFile(memo, 'utf8')) as object).length).toBeGreaterThan(0);
  });
});
