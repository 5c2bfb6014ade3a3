import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { EnvHttpProxyAgent, fetch, type Response } from 'undici';

/** How long a connection may take to open before the host counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 5_000;

export interface FetchOptions {
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

/** Hosts that refused or never answered a connection in this process: later requests fail at once. */
const unreachable = new Map<string, string>();

/** Forget the unreachable hosts (tests). */
export function forgetUnreachable(): void {
  unreachable.clear();
}

const agents = new Map<number, EnvHttpProxyAgent>();
function agentFor(connectTimeoutMs: number): EnvHttpProxyAgent {
  let a = agents.get(connectTimeoutMs);
  if (!a) {
    // HTTP(S)_PROXY / NO_PROXY are honoured, as curl would.
    a = new EnvHttpProxyAgent({ connect: { timeout: connectTimeoutMs }, headersTimeout: 30_000, bodyTimeout: 60_000 });
    agents.set(connectTimeoutMs, a);
  }
  return a;
}

const CONNECT_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/** A failed request: `connect` when the host itself did not answer (nothing else from it will either). */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly connect: boolean,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

async function get(url: string, opts: FetchOptions): Promise<Response> {
  const host = new URL(url).host;
  const earlier = unreachable.get(host);
  if (earlier) throw new FetchError(`${earlier} (earlier in this run)`, true);
  const timeout = opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  try {
    const res = await fetch(url, { dispatcher: agentFor(timeout), redirect: 'follow', ...(opts.signal ? { signal: opts.signal } : {}) });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new FetchError(`HTTP ${res.status} for ${url}`, false);
    }
    return res;
  } catch (err) {
    if (err instanceof FetchError) throw err;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? (err as { code?: string }).code;
    if (code && CONNECT_CODES.has(code)) {
      const why = code === 'UND_ERR_CONNECT_TIMEOUT' ? `${host}: no connection within ${Math.round(timeout / 1000)} s` : `${host}: ${code}`;
      unreachable.set(host, why);
      throw new FetchError(why, true);
    }
    throw new FetchError(`${host}: ${cause?.message ?? (err as Error).message}`, false);
  }
}

export async function fetchText(url: string, opts: FetchOptions = {}): Promise<string> {
  const res = await get(url, opts);
  return res.text();
}

/** Streams `url` into `dest`, hashing as it goes. */
export async function download(url: string, dest: string, opts: FetchOptions = {}): Promise<{ sha256: string; bytes: number }> {
  const res = await get(url, opts);
  if (!res.body) throw new FetchError(`empty body for ${url}`, false);
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), tap, createWriteStream(dest));
  return { sha256: hash.digest('hex'), bytes };
}
