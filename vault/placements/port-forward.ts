/**
 * A local TCP port (127.0.0.1, chosen by the OS) forwarded to a pod's port through the API server, as
 * `kubectl port-forward` does: one WebSocket per accepted connection, to whichever pod `target()` names at that
 * moment (so a restarted pod is followed). For clusters whose nodes this host cannot reach.
 */
import { PortForward, type KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';

export interface PodPortForward {
  /** The local port on 127.0.0.1. */
  port: number;
  /** The last error the API server or the pod reported on a forwarded connection, if any. */
  lastError(): string | undefined;
  close(): Promise<void>;
}

export async function forwardPodPort(kc: KubeConfig, target: () => Promise<{ namespace: string; pod: string } | undefined>, remotePort: number): Promise<PodPortForward> {
  const forward = new PortForward(kc);
  const sockets = new Set<Socket>();
  let lastError: string | undefined;
  const errors = new Writable({
    write(chunk: Buffer, _enc, done) {
      lastError = chunk.toString('utf8').trim() || lastError;
      done();
    },
  });
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    void (async () => {
      const t = await target().catch(() => undefined);
      if (!t) {
        lastError = 'no running pod to forward to';
        return socket.destroy();
      }
      const ws = await forward.portForward(t.namespace, t.pod, [remotePort], socket, errors, socket);
      if (typeof ws === 'function') return;
      ws.on('close', () => socket.end());
      ws.on('error', (err: Error) => {
        lastError = err.message;
        socket.destroy();
      });
      socket.on('close', () => ws.close());
    })().catch((err: Error) => {
      lastError = err.message;
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('port-forward: no local port');
  return {
    port: address.port,
    lastError: () => lastError,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
