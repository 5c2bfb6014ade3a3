// What the Markdown docs name that the repository must still have: files (in code spans, code blocks and links),
// CM_VAULT_E2E_* variables and the CLI's flags. docs.test.ts checks each against the tree and the CLI, so a doc
// cannot go on naming a file, variable or flag that was renamed or removed.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { repoFiles } from '../lib/repo-files.ts';

export interface DocReference {
  /** The doc, relative to the repository root. */
  doc: string;
  line: number;
  text: string;
}

/** Every README.md below the root (not node_modules) and every docs/*.md, relative to `root`. */
export function docFiles(root: string): string[] {
  return repoFiles(root).filter((f) => basename(f) === 'README.md' || (dirname(f) === 'docs' && f.endsWith('.md')));
}

interface CodeText {
  line: number;
  text: string;
  /** A line of a fenced or indented code block (a shell command), not an inline span. */
  block: boolean;
}

/** The doc's code: each line of its code blocks, and each inline `code span` with the line it starts on. */
export function codeOf(markdown: string): CodeText[] {
  const out: CodeText[] = [];
  const lines = markdown.split('\n');
  let fenced = false;
  let prose = '';
  let proseStart = 0;
  const flushProse = (): void => {
    for (const m of prose.matchAll(/`([^`]+)`/g)) {
      const before = prose.slice(0, m.index);
      out.push({ line: proseStart + (before.match(/\n/g)?.length ?? 0), text: m[1]!.replace(/\n/g, ' '), block: false });
    }
    prose = '';
  };
  let previousBlankOrBlock = true;
  lines.forEach((text, i) => {
    const n = i + 1;
    if (/^\s*```/.test(text)) {
      flushProse();
      fenced = !fenced;
      previousBlankOrBlock = false;
      return;
    }
    // an indented code block: four spaces after a blank line or another line of the block
    if (fenced || (/^ {4}/.test(text) && previousBlankOrBlock)) {
      out.push({ line: n, text, block: true });
      previousBlankOrBlock = !fenced;
      return;
    }
    if (!text.trim()) {
      flushProse();
      previousBlankOrBlock = true;
      return;
    }
    previousBlankOrBlock = false;
    if (!prose) proseStart = n;
    prose += text + '\n';
  });
  flushProse();
  return out;
}

/** Link targets `[text](target)` that are not URLs or anchors, with their line. */
export function linksOf(markdown: string): Array<{ line: number; target: string }> {
  const out: Array<{ line: number; target: string }> = [];
  markdown.split('\n').forEach((text, i) => {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!.replace(/#.*$/, '');
      if (target && !/^[a-z]+:/i.test(target)) out.push({ line: i + 1, target });
    }
  });
  return out;
}

/** A name with one of these extensions is a source file of ours (`ledger.ts`, `images/base.ts`): no upstream path cited here has one. */
const SOURCE_EXTENSIONS = /\.(ts|js|sh)$/;

/** The extensions of the files under each top-level directory (`vault` → .ts): a `vault/acl.go` is Vault's, not ours. */
const extensionsCache = new Map<string, Map<string, Set<string>>>();
function extensionsByTopDir(root: string): Map<string, Set<string>> {
  const cached = extensionsCache.get(root);
  if (cached) return cached;
  const byDir = new Map<string, Set<string>>();
  for (const f of repoFiles(root)) {
    const [top, ...rest] = f.split('/');
    if (!rest.length) continue;
    if (!byDir.has(top!)) byDir.set(top!, new Set());
    if (extname(f)) byDir.get(top!)!.add(extname(f));
  }
  extensionsCache.set(root, byDir);
  return byDir;
}

/**
 * The words of a code text that name a file in this repository: a source file (TypeScript, JavaScript, shell), or
 * a path under one of its top-level directories (or the doc's own) with an extension files there have. Upstream
 * paths (`pkg/kubelet/…`, Vault's `vault/acl.go`), absolute paths, placeholders (`<cache>/…`, `{engine}`), globs
 * and `key=value` words are not ours to check.
 */
export function filePathsIn(text: string, docDir: string, root: string): string[] {
  const extensions = extensionsByTopDir(root);
  const out: string[] = [];
  for (const raw of text.split(/[\s,;()'"`[\]|]+/)) {
    const word = raw.replace(/^\.\//, '').replace(/[#:].*$/, '').replace(/[.,:]+$/, '');
    if (!word || /[<>{}*$=@~\\]|^\/|^-|:\/\//.test(word) || /^\.\.?$/.test(word)) continue;
    if (SOURCE_EXTENSIONS.test(word)) {
      out.push(word);
      continue;
    }
    if (!word.includes('/')) continue;
    const first = word.split('/')[0]!;
    const underDocDir = docDir !== '.' && existsSync(join(root, docDir, first));
    const known = extensions.get(underDocDir ? docDir.split('/')[0]! : first);
    if (known && (word.endsWith('/') || known.has(extname(word)))) out.push(word);
  }
  return out;
}

/** Whether a path a doc names exists, relative to the doc's directory or to the root. */
export function pathExists(path: string, docDir: string, root: string): boolean {
  return existsSync(join(root, docDir, path)) || existsSync(join(root, path));
}

/** Every file a doc names that is not in the tree. */
export function missingFiles(doc: string, root: string): DocReference[] {
  const markdown = readFileSync(join(root, doc), 'utf8');
  const dir = dirname(doc);
  const missing: DocReference[] = [];
  for (const c of codeOf(markdown)) {
    for (const p of filePathsIn(c.text, dir, root)) if (!pathExists(p, dir, root)) missing.push({ doc, line: c.line, text: p });
  }
  for (const l of linksOf(markdown)) if (!pathExists(l.target, dir, root)) missing.push({ doc, line: l.line, text: l.target });
  return missing;
}

/** The CM_VAULT_E2E_* variables a doc names, with their lines. */
export function variablesIn(markdown: string): Array<{ line: number; name: string }> {
  const out: Array<{ line: number; name: string }> = [];
  markdown.split('\n').forEach((text, i) => {
    for (const m of text.matchAll(/\bCM_VAULT_E2E_[A-Z0-9_]+/g)) out.push({ line: i + 1, name: m[0] });
  });
  return out;
}

/** A use of the CLI (`command` is one of its commands) or of a script run by tsx (`command` is its path). */
export interface CommandUse {
  line: number;
  command: string;
  flags: string[];
}

/**
 * The flags a doc passes to the CLI's commands and to tsx scripts: in a code block, each `cm-vault-e2e COMMAND`
 * or `tsx FILE.ts` on a line (up to `&&`, `;` or the next one), continued on the lines below that begin with a
 * flag or `[`; in a code span, `COMMAND --flag …` for one of `commands`. Shell comments (`# …`) are not read.
 */
export function commandUsesIn(markdown: string, commands: string[]): CommandUse[] {
  const out: CommandUse[] = [];
  const flagsOf = (s: string): string[] => [...s.matchAll(/(?:^|[\s[|])(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]!);
  const use = /(?:^|\s)(?:cm-vault-e2e\s+([a-z]+)|tsx\s+(\S+\.ts))((?:(?!cm-vault-e2e\s|tsx\s|&&|;).)*)/g;
  let current: CommandUse | undefined;
  for (const c of codeOf(markdown)) {
    const code = c.text.replace(/(^|\s)#.*$/, '');
    if (c.block) {
      const named = [...code.matchAll(use)].filter((m) => m[2] || commands.includes(m[1]!));
      if (named.length) {
        for (const m of named) {
          current = { line: c.line, command: m[2] ?? m[1]!, flags: flagsOf(m[3]!) };
          out.push(current);
        }
      } else if (current && /^\s+(\[|--)/.test(code)) {
        current.flags.push(...flagsOf(code));
      } else {
        current = undefined;
      }
      continue;
    }
    current = undefined;
    const m = /^(?:npx\s+)?(?:cm-vault-e2e\s+)?([a-z]+)\s+(--.*)$/.exec(code);
    if (m && commands.includes(m[1]!)) out.push({ line: c.line, command: m[1]!, flags: flagsOf(m[2]!) });
  }
  return out;
}
