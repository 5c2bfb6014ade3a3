import { describe, expect, it } from 'vitest';
import { freePort, isPortFree, listenRange } from './ports.ts';

describe('listening ports', () => {
  it('are drawn below the kernel ephemeral range, where outgoing connections never take them', () => {
    expect(listenRange('32768\t60999\n')).toEqual([10_000, 32_767]);
    expect(listenRange('1024 65535')).toBeUndefined();
    expect(listenRange('')).toBeUndefined();
    expect(listenRange('garbage')).toBeUndefined();
  });

  it('answers a port in the range that is free to listen on', async () => {
    const port = await freePort('127.0.0.1', [20_000, 29_999]);
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThanOrEqual(29_999);
    expect(await isPortFree(port)).toBe(true);
  });

  it('falls back to a port the kernel hands out where there is no range', async () => {
    const port = await freePort('127.0.0.1', null);
    expect(port).toBeGreaterThan(0);
  });
});
