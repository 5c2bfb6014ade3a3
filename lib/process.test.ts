import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from './errors.ts';
import { parseLedger, RunLedger } from './ledger.ts';
import { dieWithParent, ManagedProcess } from './process.ts';

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  dirs = [];
});

async function script(body: string) {
  const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-proc-test-'));
  dirs.push(dir);
  const bin = join(dir, 'prog.sh');
  await writeFile(bin, `#!/bin/sh\n${body}\n`);
  await chmod(bin, 0o755);
  return { dir, bin, runs: new RunLedger(join(dir, 'runs')) };
}

describe('ManagedProcess', () => {
  it('a component that exits early fails fast with its last log lines', async () => {
    const { dir, bin, runs } = await script('echo "listen tcp 127.0.0.1:6443: bind: address already in use"; exit 1');
    const p = await new ManagedProcess('kube-apiserver', bin, [], { dir, ledger: runs }).start();
    const err = await p.waitReady('ready', async () => false, 10_000).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).format()).toMatch(/kube-apiserver: exited with code 1 before ready[\s\S]*address already in use/);
    await p.stop();
  });

  it('a wait that times out says what was seen so far', async () => {
    const { dir, bin, runs } = await script('echo starting; sleep 30');
    const p = await new ManagedProcess('etcd', bin, [], { dir, ledger: runs }).start();
    const err = await p.waitReady('serving', async () => { throw new Error('connection refused'); }, 800).catch((e) => e);
    expect((err as EnvironmentError).format()).toMatch(/etcd: not serving after 0.8s \(last probe: connection refused\)[\s\S]*starting/);
    await p.stop();
  });

  it('records its pid and start time in the run ledger while it runs and drops it once stopped; secrets in its log are redacted', async () => {
    const { dir, bin, runs } = await script('echo "token=s3cret"; sleep 30');
    const p = await new ManagedProcess('vault', bin, [], { dir, ledger: runs, redact: (l) => l.replaceAll('s3cret', '<redacted>') }).start();
    await p.waitReady('logging', async () => (await p.logLines()).some((l) => l.includes('token')), 5000);
    expect(runs.resources).toEqual([{ kind: 'process', name: 'vault', pid: p.pid, start: expect.stringMatching(/^\d+$/), boot: expect.any(String) }]);
    expect(parseLedger(await readFile(runs.file, 'utf8')).resources).toEqual(runs.resources);
    expect((await p.logLines()).join('\n')).toContain('token=<redacted>');
    await p.stop();
    expect(runs.resources).toEqual([]);
    expect(parseLedger(await readFile(runs.file, 'utf8')).resources).toEqual([]);
    await runs.close();
    expect(await readdir(join(dir, 'runs'))).toEqual([]);
  });
});

describe('dieWithParent', () => {
  it('wraps the program in setpriv --pdeathsig KILL where setpriv exists, so it dies with the runner even on SIGKILL', () => {
    expect(dieWithParent('/bin/etcd', ['--a', '--b'], '/usr/bin/setpriv')).toEqual(['/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', '/bin/etcd', '--a', '--b']]);
    expect(dieWithParent('/bin/etcd', ['--a'], null)).toEqual(['/bin/etcd', ['--a']]);
  });
});
