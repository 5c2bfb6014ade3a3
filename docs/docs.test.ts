import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliProgram } from '../cli/main.ts';
import { PACKAGE_ROOT } from '../lib/package-root.ts';
import { repoFiles } from '../lib/repo-files.ts';
import { testTempDir } from '../lib/test-temp.ts';
import { commandUsesIn, docFiles, missingFiles, variablesIn } from './references.ts';

const docs = docFiles(PACKAGE_ROOT);
const read = (doc: string) => readFileSync(join(PACKAGE_ROOT, doc), 'utf8');

/** Source lines outside comments, of every non-test source file: where a variable the docs name must be read. */
let code: string | undefined;
function sourceCode(root: string): string {
  code ??= repoFiles(root)
    .filter((f) => /\.(ts|js|sh)$/.test(f) && !f.endsWith('.test.ts'))
    .flatMap((f) => readFileSync(join(root, f), 'utf8').split('\n').filter((l) => !/^\s*(\/\/|\/?\*|#)/.test(l)))
    .join('\n');
  return code;
}

/** Each CLI command's long flags, the global ones included. */
function cliFlags(): Map<string, Set<string>> {
  const program = cliProgram();
  const global = program.options.map((o) => o.long!);
  return new Map(program.commands.map((c) => [c.name(), new Set([...global, '--help', ...c.options.map((o) => o.long!)])]));
}

describe('the docs name only what exists', () => {
  it('finds the README files and docs/*.md', () => {
    expect(docs).toEqual(expect.arrayContaining(['README.md', 'kind/README.md', 'existing/README.md', 'scenarios/README.md', 'docs/provisioning.md']));
  });

  it.each(docs)('%s: every file it names is in the tree', (doc) => {
    expect(missingFiles(doc, PACKAGE_ROOT).map((m) => `${m.doc}:${m.line} ${m.text}`)).toEqual([]);
  });

  it.each(docs)('%s: every CM_VAULT_E2E_* variable it names is read by the code', (doc) => {
    const unread = variablesIn(read(doc)).filter((v) => !new RegExp(`\\b${v.name}\\b`).test(sourceCode(PACKAGE_ROOT)));
    expect(unread.map((v) => `${doc}:${v.line} ${v.name}`)).toEqual([]);
  });

  it.each(docs)("%s: every flag it passes is one the command or script takes", (doc) => {
    const flags = cliFlags();
    const wrong = commandUsesIn(read(doc), [...flags.keys()]).flatMap((u) => {
      const known = flags.get(u.command);
      const script = known ? '' : read(u.command);
      return u.flags.filter((f) => (known ? !known.has(f) : !script.includes(f))).map((f) => `${doc}:${u.line} ${u.command} ${f}`);
    });
    expect(wrong).toEqual([]);
  });
});

describe('reading a doc', () => {
  it('names a removed test file, in a code block or a span, relative to the root or to the doc', () => {
    const root = testTempDir('cm-vault-e2e-docs-');
    mkdirSync(join(root, 'kind', 'images'), { recursive: true });
    writeFileSync(join(root, 'kind', 'cluster.ts'), '');
    writeFileSync(join(root, 'kind', 'images', 'base.ts'), '');
    writeFileSync(
      join(root, 'kind', 'README.md'),
      [
        '```sh',
        'npx vitest run --project unit kind/kind.integration.test.ts',
        '```',
        '',
        '| `cluster.ts` | `images/base.ts`, `closure.ts` | [gone](../docs/gone.md) |',
        '',
        "Vault's `vault/acl.go#ACL`, `pkg/kubelet/x.go`, `<cache>/kind/x.tar`, `tag=smoke`.",
      ].join('\n'),
    );
    expect(missingFiles('kind/README.md', root).map((m) => `${m.line} ${m.text}`)).toEqual(['2 kind/kind.integration.test.ts', '5 closure.ts', '5 ../docs/gone.md']);
  });

  it('names the flags passed to commands and scripts, over continued lines, not in comments', () => {
    const md = [
      '    npm ci && npx cm-vault-e2e provision --for kind && npx cm-vault-e2e run --backend kind',
      '    npx cm-vault-e2e run ID      # --not-a-flag',
      '        [--keep | --pause-on-failure]',
      '    npx tsx bench/kind.ts [--catalogue]',
      '',
      'Then `run --reuse` again, or `helm upgrade --install --wait`.',
    ].join('\n');
    expect(commandUsesIn(md, ['run', 'provision'])).toEqual([
      { line: 1, command: 'provision', flags: ['--for'] },
      { line: 1, command: 'run', flags: ['--backend'] },
      { line: 2, command: 'run', flags: ['--keep', '--pause-on-failure'] },
      { line: 4, command: 'bench/kind.ts', flags: ['--catalogue'] },
      { line: 6, command: 'run', flags: ['--reuse'] },
    ]);
  });

  it('names the variables it mentions', () => {
    expect(variablesIn('x\n`CM_VAULT_E2E_KIND=1 CM_VAULT_E2E_KIND_PROFILES=kind`').map((v) => `${v.line} ${v.name}`)).toEqual(['2 CM_VAULT_E2E_KIND', '2 CM_VAULT_E2E_KIND_PROFILES']);
  });
});
