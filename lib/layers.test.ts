import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from './package-root.ts';
import { repoFiles } from './repo-files.ts';

/**
 * Which way imports run between the top-level directories. Cycles between files are the import-cycle check's
 * (`npm run check:cycles`, first in `npm run test:unit`); this is the direction of the arrows between layers, which
 * a cycle check cannot see while no single file closes the loop. Type-only imports count: a type is a dependency a
 * reader follows like any other, and the file that imports a type today is one value import away from a runtime edge.
 */
const FORBIDDEN: Record<string, { dirs: string[]; why: string }> = {
  lib: {
    dirs: ['existing', 'kind', 'local'],
    why: 'lib/ is below every backend: a backend hands in what lib needs (cli/reaping.ts hands lib/reap.ts its removers)',
  },
  provision: {
    dirs: ['existing', 'kind', 'local', 'runner', 'cli', 'certmanager'],
    why: 'provision/ gets and finds the programs the layers above it run: they import it, it imports none of them (the CLI passes in what it needs, e.g. doctor\'s kind support)',
  },
};

const TS = /\.ts$/;
const TEST = /\.(test|e2e)\.ts$/;

/** The project-relative files a file imports: static, re-exported, side-effect and dynamic imports of relative paths. */
function importsOf(file: string, text: string): string[] {
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => posix.normalize(posix.join(posix.dirname(file), s)));
}

const top = (path: string) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '.');

/** Every import between two top-level directories: [from file, to file]. */
function crossings(root: string, include: (file: string) => boolean): Array<[string, string]> {
  return repoFiles(root)
    .filter((f) => TS.test(f) && include(f))
    .flatMap((f) => importsOf(f, readFileSync(join(root, f), 'utf8')).map((to): [string, string] => [f, to]))
    .filter(([from, to]) => top(from) !== top(to));
}

/** One cycle among the directories `edges` join, as `a -> b -> a`, or undefined. */
function directoryCycle(edges: Array<[string, string]>): string[] | undefined {
  const next = new Map<string, Set<string>>();
  for (const [from, to] of edges) next.set(top(from), (next.get(top(from)) ?? new Set()).add(top(to)));
  const done = new Set<string>();
  const visit = (dir: string, path: string[]): string[] | undefined => {
    if (path.includes(dir)) return [...path.slice(path.indexOf(dir)), dir];
    if (done.has(dir)) return undefined;
    for (const n of next.get(dir) ?? []) {
      const cycle = visit(n, [...path, dir]);
      if (cycle) return cycle;
    }
    done.add(dir);
    return undefined;
  };
  for (const dir of [...next.keys()].sort()) {
    const cycle = visit(dir, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('imports run down the layers', () => {
  it('no file imports a directory its layer is below (FORBIDDEN, tests included)', () => {
    const wrong = crossings(PACKAGE_ROOT, () => true)
      .filter(([from, to]) => FORBIDDEN[top(from)]?.dirs.includes(top(to)))
      .map(([from, to]) => `${from} imports ${to}: ${FORBIDDEN[top(from)]!.why}`);
    expect(wrong).toEqual([]);
  });

  it('the top-level directories import each other in no cycle (modules; a test is imported by nothing)', () => {
    const edges = crossings(PACKAGE_ROOT, (f) => !TEST.test(f));
    const cycle = directoryCycle(edges);
    const through = cycle?.slice(1).map((to, i) => edges.find(([f, t]) => top(f) === cycle[i] && top(t) === to)!.join(' -> '));
    expect(cycle ? [`${cycle.join(' -> ')}, through ${through!.join(', ')}`] : []).toEqual([]);
  });

  it('reads every kind of import line, and finds a cycle of three directories', () => {
    // the dynamic import is spelled so that this file's own text holds none
    const text = `import { a } from '../../kind/a.ts';\nimport type {\n  B,\n} from './b.ts';\nexport { c } from '../../local/c.ts';\nimport '../side.ts';\nconst d = await ${'import'}('../../existing/d.ts');\n// a comment naming from '../../cli/x.ts' is not an import\n`;
    expect(importsOf('lib/sub/x.ts', text).sort()).toEqual(['existing/d.ts', 'kind/a.ts', 'lib/side.ts', 'lib/sub/b.ts', 'local/c.ts']);
    expect(directoryCycle([['a/x.ts', 'b/y.ts'], ['b/y.ts', 'c/z.ts'], ['c/z.ts', 'a/w.ts']])).toEqual(['a', 'b', 'c', 'a']);
    expect(directoryCycle([['a/x.ts', 'b/y.ts'], ['a/x.ts', 'c/z.ts'], ['b/y.ts', 'c/z.ts']])).toBeUndefined();
  });
});

describe('the unit test command', () => {
  it('runs the import-cycle check before anything else, counting type-only imports (no -T)', () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['test:unit']).toMatch(/^npm run check:cycles && /);
    expect(pkg.scripts['check:cycles']).toMatch(/^dpdm .*--exit-code circular:1 /);
    expect(pkg.scripts['check:cycles']).not.toMatch(/\s(-T|--transform)\b/);
  });
});
