import { PassThrough } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FollowedLines } from './followed-lines.ts';

describe('FollowedLines', () => {
  it('keeps complete lines as they come, mapped once, the skipped ones left out', async () => {
    const input = new PassThrough();
    const seen: string[] = [];
    const f = new FollowedLines(input, (l) => (seen.push(l), l ? l.replace('s.secret', '<redacted>') : undefined));
    input.write('token s.secret\n\nsecond li');
    await tick();
    expect(f.lines()).toEqual(['token <redacted>']);
    input.write('ne\n');
    await tick();
    expect(f.lines()).toEqual(['token <redacted>', 'second line']);
    expect(seen).toEqual(['token s.secret', '', 'second line']);
    expect(f.following).toBe(true);
  });

  it('stops following when the stream ends, with its last unterminated line kept', async () => {
    const input = new PassThrough();
    const f = new FollowedLines(input);
    input.end('a\nlast');
    await tick();
    await tick();
    expect(f.following).toBe(false);
    expect(f.lines()).toEqual(['a', 'last']);
  });

  it('stops following when the stream fails', async () => {
    const input = new PassThrough();
    const f = new FollowedLines(input);
    input.destroy(new Error('connection reset'));
    await tick();
    await tick();
    expect(f.following).toBe(false);
  });

  it('returns a copy', async () => {
    const input = new PassThrough();
    const f = new FollowedLines(input);
    input.write('a\n');
    await tick();
    const held = f.lines();
    input.write('b\n');
    await tick();
    expect(held).toEqual(['a']);
  });
});
