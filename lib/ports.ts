import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/** Linux's range for the source ports of outgoing connections. */
const EPHEMERAL_RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';
/** Where listening ports are drawn from when the ephemeral range leaves room below it. */
const LOWEST_LISTEN_PORT = 10_000;
const TRIES = 50;

/**
 * The ports to draw listening ports from: below the kernel's ephemeral range. A port the kernel hands out with
 * `listen(0)` comes from that range, the one every outgoing connection's source port comes from too, so between
 * its release and the program's own bind, one of the many connections a run makes can take it (seen: kube-apiserver
 * `bind: address already in use`). Below the range, only another listener can. Undefined off Linux or when the
 * range leaves no room; then the kernel picks.
 */
export function listenRange(rangeText = readRangeFile()): [number, number] | undefined {
  const [low] = (rangeText ?? '').trim().split(/\s+/).map(Number);
  if (!low || !Number.isInteger(low) || low - 1 <= LOWEST_LISTEN_PORT + TRIES) return undefined;
  return [LOWEST_LISTEN_PORT, low - 1];
}

function readRangeFile(): string | undefined {
  try {
    return readFileSync(EPHEMERAL_RANGE_FILE, 'utf8');
  } catch {
    return undefined;
  }
}

/** A free port on `host` (loopback by default) for a program to listen on; another listener may still take it first. */
export async function freePort(host = '127.0.0.1', range: readonly [number, number] | null = listenRange() ?? null): Promise<number> {
  if (range) {
    for (let i = 0; i < TRIES; i++) {
      const port = randomInt(range[0], range[1] + 1);
      if (await isPortFree(port, host)) return port;
    }
  }
  return kernelPort(host);
}

function kernelPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
