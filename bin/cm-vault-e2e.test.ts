import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../lib/package-root.ts';

const run = promisify(execFile);

// A copy of the package (sources, not node_modules, whose packages are linked one by one so the copy's
// node_modules/.cache is its own): the CLI started from it compiles its sources once and reuses the result.
let copy: string;
const compiled = () => join(copy, 'node_modules', '.cache', 'cm-vault-e2e-cli');
const current = async () => JSON.parse(await readFile(join(compiled(), 'current.json'), 'utf8')) as { bundle: string; inputs: Record<string, string> };
const cli = (...args: string[]) => run(process.execPath, [join(copy, 'bin', 'cm-vault-e2e.js'), ...args], { cwd: copy, env: { ...process.env, NO_COLOR: '1' } });
const LIST = ['list', '--filter', 'id=k8s-role-audience-mismatch'];

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-bin-'));
  for (const entry of await readdir(PACKAGE_ROOT, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    await cp(join(PACKAGE_ROOT, entry.name), join(copy, entry.name), { recursive: true });
  }
  await mkdir(join(copy, 'node_modules'));
  for (const pkg of await readdir(join(PACKAGE_ROOT, 'node_modules'))) {
    if (pkg !== '.cache') await symlink(join(PACKAGE_ROOT, 'node_modules', pkg), join(copy, 'node_modules', pkg));
  }
}, 60_000);

afterAll(() => rm(copy, { recursive: true, force: true }));

describe('bin/cm-vault-e2e.js: the CLI compiled once, used while its sources are unchanged', () => {
  it('answers as the sources do, from a compiled module it keeps with what it was built from', async () => {
    const first = await cli(...LIST);
    expect(first.stderr).not.toContain('through tsx');
    expect(first.stdout).toMatch(/^k8s-role-audience-mismatch\s+not ready \(vault-role-audience\)/m);
    const { bundle, inputs } = await current();
    expect(Object.keys(inputs)).toEqual(expect.arrayContaining(['cli/main.ts', 'scenarios/versions.ts', 'lib/package-root.ts']));
    expect((await stat(join(compiled(), bundle))).isFile()).toBe(true);
    // the compiled module finds the files shipped beside the sources (versions.yaml, the catalogue) in the copy
    expect(first.stdout).toMatch(/1 scenario\(s\) in 1 environment\(s\)/);
  }, 60_000);

  // each test compiles first if it must: none relies on another having run before it (shuffled order)
  it('reuses the compiled module while no source changed', async () => {
    await cli(...LIST);
    const before = await stat(join(compiled(), 'current.json'));
    await cli(...LIST);
    expect((await stat(join(compiled(), 'current.json'))).mtimeMs).toBe(before.mtimeMs);
  }, 60_000);

  it('compiles again when a source file changes, and runs the changed code', async () => {
    await cli(...LIST);
    const { bundle } = await current();
    const main = join(copy, 'cli', 'main.ts');
    const text = await readFile(main, 'utf8');
    const changed = text.replace("Prove on real clusters that cert-manager's Vault issuer", 'CHANGED: prove on real clusters that the Vault issuer');
    expect(changed).not.toBe(text);
    await writeFile(main, changed);
    const { stdout } = await cli('--help');
    expect(stdout).toContain('CHANGED: prove on real clusters');
    expect((await current()).bundle).not.toBe(bundle);
  }, 60_000);
});
