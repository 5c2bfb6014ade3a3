/** One way to wait for something: a probe polled until it answers, with a timeout and the last reason it gave. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Seconds since `since` (a Date.now()), to a tenth: what log lines and timings say. */
export function secondsSince(since: number): number {
  return Math.round((Date.now() - since) / 100) / 10;
}

/**
 * `p`'s value if it settles within `ms`, else undefined. Its timer is cleared either way: a pending timer would
 * hold the process's exit for the rest of `ms`.
 */
export async function within<T>(p: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p.then((value) => ({ value })), new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    })]);
  } finally {
    clearTimeout(timer);
  }
}

const WAITING = Symbol('waiting');

/** What a probe answers while the thing is not there yet: the reason, for the timeout's message. */
export interface Waiting {
  [WAITING]: true;
  reason: string;
}

export const waiting = (reason = ''): Waiting => ({ [WAITING]: true, reason });

const isWaiting = (v: unknown): v is Waiting => typeof v === 'object' && v !== null && WAITING in v;

export interface PollOptions {
  timeoutMs: number;
  intervalMs: number;
  /** Treat a probe that throws as still waiting (its message is the reason); by default the error ends the wait. */
  retryErrors?: boolean;
}

export type PollResult<T> = { ok: true; value: T } | { ok: false; last: string };

/**
 * Calls `probe` until it answers anything but `waiting(reason)`, at most every `intervalMs` and until `timeoutMs`
 * is up; then answers the last reason instead of the value. The probe runs at least once.
 */
export async function poll<T>(probe: () => Promise<T | Waiting>, o: PollOptions): Promise<PollResult<T>> {
  const deadline = Date.now() + o.timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await probe();
      if (!isWaiting(v)) return { ok: true, value: v };
      last = v.reason;
    } catch (err) {
      if (!o.retryErrors) throw err;
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() + o.intervalMs >= deadline) return { ok: false, last };
    await sleep(o.intervalMs);
  }
}
