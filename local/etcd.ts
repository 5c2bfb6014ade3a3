import { join } from 'node:path';
import { freePort } from '../lib/ports.ts';
import type { GoRuntime } from '../lib/go-runtime.ts';
import type { RunLedger } from '../lib/ledger.ts';
import { ManagedProcess } from '../lib/process.ts';

/** etcd on loopback, plain HTTP: only this machine's kube-apiserver talks to it. */
export async function startEtcd(binary: string, dir: string, ledger: RunLedger, opts: { outlive?: boolean; goRuntime?: GoRuntime } = {}) {
  const client = await freePort();
  const peer = await freePort();
  const url = `http://127.0.0.1:${client}`;
  const proc = new ManagedProcess('etcd', binary, [
    `--data-dir=${join(dir, 'etcd-data')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-cluster=default=http://127.0.0.1:${peer}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ], { dir, ledger, outlive: !!opts.outlive, env: { ...opts.goRuntime } });
  await proc.start();
  await proc.waitReady('serving', async () => (await fetch(`${url}/health`)).ok, 30_000);
  return { url, proc };
}
