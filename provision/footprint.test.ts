import { describe, expect, it } from 'vitest';
import { formatBytes, parseSize } from './footprint.ts';
import { duration, longestFirst, makespan } from './estimates.ts';

describe('sizes', () => {
  it("reads Docker's human sizes and prints bytes back", () => {
    expect(parseSize('3.5GB')).toBe(3_500_000_000);
    expect(parseSize('512.3MB')).toBe(512_300_000);
    expect(parseSize('12kB')).toBe(12_000);
    expect(parseSize('0B')).toBe(0);
    expect(parseSize('n/a')).toBe(0);
    expect(formatBytes(9_812_000_000)).toBe('9.8 GB');
    expect(formatBytes(81_000_000)).toBe('81 MB');
  });
});

describe('schedule estimates', () => {
  it('longest first; the wall time of longest-first lanes', () => {
    expect(longestFirst([{ s: 60 }, { s: 600 }, { s: 280 }], (x) => x.s).map((x) => x.s)).toEqual([600, 280, 60]);
    expect(makespan([600, 750, 280, 280, 100], 2)).toBe(1030);
    expect(makespan([600, 750], 1)).toBe(1350);
    expect(makespan([], 2)).toBe(0);
  });
  it('says durations the way people read them', () => {
    expect(duration(42)).toBe('42 s');
    expect(duration(245)).toBe('4 min 5 s');
    expect(duration(3720)).toBe('1 h 2 min');
  });
});
