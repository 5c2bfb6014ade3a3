import { describe, expect, it } from 'vitest';
import { poll, waiting, within } from './wait.ts';

describe('poll', () => {
  it('answers the first value that is not waiting', async () => {
    let n = 0;
    expect(await poll(async () => (++n < 3 ? waiting(`try ${n}`) : n), { timeoutMs: 1000, intervalMs: 1 })).toEqual({ ok: true, value: 3 });
  });

  it('answers the last reason at the timeout, having probed at least once', async () => {
    let n = 0;
    expect(await poll(async () => waiting(`try ${++n}`), { timeoutMs: 0, intervalMs: 5 })).toEqual({ ok: false, last: 'try 1' });
  });

  it('ends on an error unless told to retry, then keeps its message as the reason', async () => {
    const boom = async (): Promise<number> => {
      throw new Error('boom');
    };
    await expect(poll(boom, { timeoutMs: 50, intervalMs: 1 })).rejects.toThrow('boom');
    expect(await poll(boom, { timeoutMs: 20, intervalMs: 5, retryErrors: true })).toEqual({ ok: false, last: 'boom' });
  });
});

describe('within', () => {
  it('answers the value when the promise settles in time, else undefined, and leaves no timer behind', async () => {
    expect(await within(Promise.resolve(7), 1000)).toEqual({ value: 7 });
    expect(await within(new Promise(() => undefined), 20)).toBeUndefined();
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await within(Promise.resolve(1), 60_000);
    expect(timers()).toBe(before);
  });
});
