import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './test-support/temp-dir.ts';
import { keptFile, notTempDirOf, OWNER_LABEL_KEY, parseLedger, readKept, readLedgers, RUN_LABEL_KEY, RunLedger, type Resource } from './ledger.ts';

const dir = useTempDir('ledger');
const owner = { pid: 4242, start: '100', boot: 'b' };
const cluster: Resource = { kind: 'kind-cluster', name: 'cmve-kind-0a1b2c3d-rabcde', kindVersion: 'v0.31.0' };
const container: Resource = { kind: 'container', name: 'cmve-rabcde-vault' };

describe('RunLedger', () => {
  it('writes nothing until opened, then a header naming the run and its owner', async () => {
    const l = new RunLedger(join(dir(), 'runs'), 'rabcde', owner, 'run x');
    expect(existsSync(l.file)).toBe(false);
    await l.open();
    expect(parseLedger(await readFile(l.file, 'utf8'))).toEqual({ header: { run: 'rabcde', owner, startedAt: expect.any(String), command: 'run x' }, resources: [] });
  });

  it('never opens over a file of its name, even an empty one: the header is in the file from the moment it exists', async () => {
    const runs = join(dir(), 'runs');
    await mkdir(runs, { recursive: true });
    const l = new RunLedger(runs, 'rabcde', owner, 'run x');
    await writeFile(l.file, '');
    await expect(l.open()).rejects.toThrow(`run ledger ${l.file} exists already: another run holds this id`);
    expect(await readFile(l.file, 'utf8')).toBe('');
    // and no temporary file is left beside it
    expect(await readdir(runs)).toEqual(['run-rabcde.jsonl']);
  });

  it('writes its ledger again, header first, when it was removed under the run, instead of a headerless file', async () => {
    const l = new RunLedger(join(dir(), 'runs'), 'rabcde', owner, 'run x');
    const said: string[] = [];
    l.onRecreated = (line) => said.push(line);
    await l.record(cluster);
    await rm(l.file);
    await l.record(container);
    await l.drop(cluster);
    expect(parseLedger(await readFile(l.file, 'utf8'))).toEqual({ header: { run: 'rabcde', owner, startedAt: expect.any(String), command: 'run x' }, resources: [container] });
    expect(said).toEqual([`run rabcde: its ledger ${l.file} was removed while the run went on (\`clean --all\`?); written again with the 2 thing(s) it still holds`]);
  });

  it('folds records and drops into what is still made, in the order it was made', async () => {
    const l = new RunLedger(join(dir(), 'runs'), 'rabcde', owner);
    await l.record(cluster);
    await l.record(container);
    await l.record({ kind: 'process', name: 'etcd', pid: 9, start: '5' });
    await l.drop(container);
    const text = await readFile(l.file, 'utf8');
    expect(parseLedger(text).resources).toEqual([cluster, { kind: 'process', name: 'etcd', pid: 9, start: '5' }]);
    expect(l.resources).toEqual(parseLedger(text).resources);
  });

  it('skips a torn last line (a kill in mid-write) and lines it does not know', async () => {
    const l = new RunLedger(join(dir(), 'runs'), 'rabcde', owner);
    await l.record(cluster);
    await appendFile(l.file, '{"hello":1}\n{"add":{"kind":"container","na');
    expect(parseLedger(await readFile(l.file, 'utf8')).resources).toEqual([cluster]);
  });

  it('labels Docker objects with the project, the run and the owner', () => {
    const l = new RunLedger(dir(), 'rabcde', owner);
    expect(l.labels).toEqual({ 'io.cm-vault-e2e': 'true', [RUN_LABEL_KEY]: 'rabcde', [OWNER_LABEL_KEY]: '4242:100:b' });
    const onHost = new RunLedger(dir(), 'rabcde', { ...owner, host: 'ci-1/m/4026532451' });
    expect(onHost.labels).toEqual({ 'io.cm-vault-e2e': 'true', [RUN_LABEL_KEY]: 'rabcde', [OWNER_LABEL_KEY]: '4242:100:b', 'io.cm-vault-e2e.owner-host': 'ci-1/m/4026532451' });
  });

  it('makes a temp dir named after the run with mkdtemp (private, never one made there before), records it, and forgets it once removed', async () => {
    const l = new RunLedger(join(dir(), 'runs'), 'rabcde', owner);
    const t = await l.tempDir('kind (profile)');
    expect(t).toMatch(/\/cm-vault-e2e-rabcde-kind-profile--[0-9A-Za-z]{6}$/);
    expect((await stat(t)).mode & 0o777).toBe(0o700);
    expect(await readdir(t)).toEqual([]);
    expect(l.resources).toEqual([{ kind: 'dir', path: t, run: 'rabcde' }]);
    expect(notTempDirOf(t, ['rabcde'])).toBeUndefined();
    await l.removeDir(t);
    expect(existsSync(t)).toBe(false);
    expect(l.resources).toEqual([]);
  });

  it('closes by removing its file when nothing is left, and keeps it when something is', async () => {
    const done = new RunLedger(join(dir(), 'runs'), 'raaaaa', owner);
    await done.record(container);
    await done.drop(container);
    expect(await done.close()).toEqual([]);
    expect(existsSync(done.file)).toBe(false);
    const left = new RunLedger(join(dir(), 'runs'), 'rbbbbb', owner);
    await left.record(container);
    expect(await left.close()).toEqual([container]);
    expect((await readLedgers(join(dir(), 'runs'))).map((x) => [x.id, x.resources])).toEqual([['rbbbbb', [container]]]);
  });

  it('starts its file again, header first, when something is recorded after it closed', async () => {
    const l = new RunLedger(join(dir(), 'runs'), 'rabcde', owner, 'run x');
    await l.record(container);
    await l.drop(container);
    l.closeSync();
    expect(existsSync(l.file)).toBe(false);
    await l.record(cluster);
    expect(parseLedger(await readFile(l.file, 'utf8'))).toEqual({ header: expect.objectContaining({ run: 'rabcde' }), resources: [cluster] });
  });
});

describe('kept environments', () => {
  it('hand resources from a run to a kept file, which one later run adopts whole', async () => {
    const runs = join(dir(), 'runs');
    const first = new RunLedger(runs, 'raaaaa', owner);
    await first.record(cluster);
    await first.record(container);
    expect(await first.keep({ name: 'kind-0123', backend: 'kind', digest: '0123', summary: 'kind kind', resources: [cluster], state: { cluster: cluster.name } })).toBe(true);
    expect(first.resources).toEqual([container]);
    expect((await readKept(runs)).map((k) => [k.name, k.keptBy, k.resources])).toEqual([['kind-0123', 'raaaaa', [cluster]]]);

    const second = new RunLedger(runs, 'rbbbbb', owner);
    const third = new RunLedger(runs, 'rccccc', owner);
    const [a, b] = await Promise.all([second.adopt('kind-0123'), third.adopt('kind-0123')]);
    // exactly one of two concurrent runs gets it
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect((a ?? b)!.state).toEqual({ cluster: cluster.name });
    expect([...second.resources, ...third.resources]).toEqual([cluster]);
    expect(existsSync(keptFile(runs, 'kind-0123'))).toBe(false);
  });

  it('never overwrites a kept environment of the same name', async () => {
    const runs = join(dir(), 'runs');
    const a = new RunLedger(runs, 'raaaaa', owner);
    const b = new RunLedger(runs, 'rbbbbb', owner);
    await a.record(cluster);
    await b.record(container);
    expect(await a.keep({ name: 'kind-0123', backend: 'kind', summary: 's', resources: [cluster] })).toBe(true);
    expect(await b.keep({ name: 'kind-0123', backend: 'kind', summary: 's', resources: [container] })).toBe(false);
    expect(b.resources).toEqual([container]);
    expect((await readKept(runs))[0]!.resources).toEqual([cluster]);
  });
});
