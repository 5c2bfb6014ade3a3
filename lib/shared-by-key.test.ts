import { describe, expect, it } from 'vitest';
import { sharedByKey } from './shared-by-key.ts';

describe('sharedByKey', () => {
  it('runs once per key for concurrent and later callers', async () => {
    const made: string[] = [];
    const get = sharedByKey((k: string) => k, async (k) => {
      made.push(k);
      await new Promise((r) => setTimeout(r, 5));
      return k.toUpperCase();
    });
    expect(await Promise.all([get('a'), get('a'), get('b')])).toEqual(['A', 'A', 'B']);
    expect(await get('a')).toBe('A');
    expect(made).toEqual(['a', 'b']);
  });

  it('forgets a failure so the next caller tries again', async () => {
    let calls = 0;
    const get = sharedByKey((k: string) => k, async () => {
      calls += 1;
      if (calls === 1) throw new Error('first build failed');
      return calls;
    });
    await expect(get('k')).rejects.toThrow('first build failed');
    expect(await get('k')).toBe(2);
  });
});
