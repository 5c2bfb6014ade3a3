import { appendFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppendingLog } from './appending-log.ts';

describe('AppendingLog', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'appending-log-'));
    path = join(dir, 'x.log');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('has no lines while the file does not exist, then what it gains', async () => {
    const log = new AppendingLog(path);
    expect(await log.lines()).toEqual([]);
    await writeFile(path, 'a\nb\n');
    expect(await log.lines()).toEqual(['a', 'b']);
    await appendFile(path, 'c\n');
    expect(await log.lines()).toEqual(['a', 'b', 'c']);
  });

  it('keeps a half-written line back until its newline, a multi-byte character split between writes too', async () => {
    const log = new AppendingLog(path);
    const e = Buffer.from('é');
    await writeFile(path, Buffer.concat([Buffer.from('one\ntw'), e.subarray(0, 1)]));
    expect(await log.lines()).toEqual(['one']);
    await appendFile(path, Buffer.concat([e.subarray(1), Buffer.from('o\n')]));
    expect(await log.lines()).toEqual(['one', 'twéo']);
  });

  it('maps each line once, and skips those it maps to undefined', async () => {
    let calls = 0;
    const log = new AppendingLog(path, (l) => (calls++, l.trim() ? l.toUpperCase() : undefined));
    await writeFile(path, 'a\n\nb\n');
    await log.lines();
    expect(await log.lines()).toEqual(['A', 'B']);
    expect(calls).toBe(3);
  });

  it('follows the path to a new file after a rotation, keeping the lines read so far', async () => {
    const log = new AppendingLog(path);
    await writeFile(path, 'old 1\nold 2\n');
    expect(await log.lines()).toEqual(['old 1', 'old 2']);
    await rename(path, `${path}.1`);
    await writeFile(path, 'new 1\n');
    expect(await log.lines()).toEqual(['old 1', 'old 2', 'new 1']);
  });

  it('starts a truncated file over from its beginning', async () => {
    const log = new AppendingLog(path);
    await writeFile(path, 'first line\n');
    await log.lines();
    await truncate(path, 0);
    await appendFile(path, 'x\n');
    expect(await log.lines()).toEqual(['first line', 'x']);
  });

  it('ends a half-written line when the file under the path changes', async () => {
    const log = new AppendingLog(path);
    await writeFile(path, 'done\nhalf');
    expect(await log.lines()).toEqual(['done']);
    await rename(path, `${path}.1`);
    await writeFile(path, 'next\n');
    expect(await log.lines()).toEqual(['done', 'half', 'next']);
  });

  it('answers reads asked at once each with all that was written before the ask', async () => {
    const log = new AppendingLog(path);
    await writeFile(path, 'a\n');
    const first = log.lines();
    await appendFile(path, 'b\n');
    const second = log.lines();
    expect(await first).toContain('a');
    expect(await second).toEqual(['a', 'b']);
  });

  it('returns a copy: a caller holding lines does not see later ones', async () => {
    const log = new AppendingLog(path);
    await writeFile(path, 'a\n');
    const held = await log.lines();
    await appendFile(path, 'b\n');
    await log.lines();
    expect(held).toEqual(['a']);
  });
});
