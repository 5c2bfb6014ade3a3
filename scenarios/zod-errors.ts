import type { z } from 'zod';
import { InputError } from '../lib/errors.ts';
import { suggestion } from './suggest.ts';
import type { Path } from './yaml-source.ts';

/** Where a value came from: the file, and the line of any path inside the value. */
export interface Locator {
  file: string;
  lineAt(path: Path): number;
  /** Prefix for the field shown to the user (e.g. the matrix combination). */
  context?: string;
}

/** A problem found in a value, before it is placed in a file. */
export interface Problem {
  path: Path;
  problem: string;
  fix: string;
}

/** Schema messages may carry their own fix after this separator. */
export const FIX = '; fix: ';

export function fieldName(path: Path): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

/** The problem that comes first in the file, as an InputError. */
export function firstError(problems: Problem[], where: Locator): InputError | undefined {
  let first: { line: number; problem: Problem } | undefined;
  for (const problem of problems) {
    const line = where.lineAt(problem.path);
    if (!first || line < first.line) first = { line, problem };
  }
  if (!first) return undefined;
  const field = fieldName(first.problem.path) || undefined;
  const context = where.context ? ` (${where.context})` : '';
  return new InputError({ file: where.file, line: first.line, ...(field ? { field } : {}) }, first.problem.problem + context, first.problem.fix);
}

/** Turn zod's issues into problems a human can act on. `value` is the input zod saw. */
export function zodProblems(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, value: unknown): Problem[] {
  const problems = issues.flatMap((issue) => describe(issue, schema, value));
  // A missing field next to an unknown one is usually a typo of it: report the typo, where it is.
  const typoParents = new Set(problems.filter((p) => p.problem.startsWith('unknown field')).map((p) => fieldName(p.path.slice(0, -1))));
  return problems.filter((p) => !(p.problem.startsWith('missing required field') && typoParents.has(fieldName(p.path.slice(0, -1)))));
}

function describe(issue: z.core.$ZodIssue, schema: z.ZodType, value: unknown): Problem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const name = fieldName(path);
  const [custom, customFix] = issue.message.split(FIX);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = Object.keys(shapeAt(schema, path) ?? {});
      return issue.keys.map((key) => ({
        path: [...path, key],
        problem: `unknown field \`${fieldName([...path, key])}\``,
        fix: known.length ? suggestion(key, known) : 'remove it',
      }));
    }
    case 'invalid_type': {
      const actual = valueAt(value, path);
      if (actual === undefined) {
        return [{ path, problem: `missing required field \`${name}\``, fix: `add \`${String(path[path.length - 1])}: ${hint(issue.expected)}\`` }];
      }
      const got = actual === null ? 'nothing (null)' : Array.isArray(actual) ? 'a list' : `a ${typeof actual}`;
      const fix =
        issue.expected === 'string' && (typeof actual === 'number' || typeof actual === 'boolean')
          ? `quote the value: \`"${String(actual)}"\``
          : `write ${hint(issue.expected)} here`;
      return [{ path, problem: `\`${name}\` must be ${article(issue.expected)}, got ${got}`, fix }];
    }
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const actual = String(valueAt(value, path));
      return [{ path, problem: `\`${name}\` is \`${actual}\`, which is not one of: ${allowed.join(', ')}`, fix: suggestion(actual, allowed, 'value') }];
    }
    case 'too_small':
      if (issue.origin === 'array') {
        return [{ path, problem: `\`${name}\` must list at least ${String(issue.minimum)} item(s)`, fix: 'add an entry, or remove the field' }];
      }
      return [{ path, problem: `\`${name}\` must not be empty`, fix: 'write a value, or remove the field' }];
    case 'invalid_key': {
      const [problem, fix] = (issue.issues[0]?.message ?? 'is not a valid key').split(FIX);
      return [{ path, problem: `key \`${String(path[path.length - 1])}\` ${problem}`, fix: fix ?? 'rename the key' }];
    }
    default:
      return [{ path, problem: `\`${name}\` ${custom ?? issue.message}`, fix: customFix ?? 'see scenarios/README.md for the allowed shape' }];
  }
}

function article(expected: string): string {
  return expected === 'array' ? 'a list' : expected === 'object' ? 'a mapping' : `a ${expected}`;
}

function hint(expected: string): string {
  switch (expected) {
    case 'array':
      return '[…]';
    case 'object':
      return '{…}';
    case 'boolean':
      return 'true|false';
    default:
      return `<${expected}>`;
  }
}

export function valueAt(value: unknown, path: Path): unknown {
  let current = value;
  for (const seg of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[seg];
  }
  return current;
}

/** The object shape of the schema at `path`, looking through optional/default/nullable/array wrappers. */
function shapeAt(schema: z.ZodType, path: Path): Record<string, unknown> | undefined {
  let current: unknown = schema;
  const unwrap = (s: unknown): unknown => {
    let node = s as { def?: { type?: string; innerType?: unknown; element?: unknown; shape?: unknown; in?: unknown } };
    for (let i = 0; i < 10 && node?.def; i++) {
      const def = node.def;
      if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') node = def.innerType as typeof node;
      else if (def.type === 'pipe') node = def.in as typeof node;
      else break;
    }
    return node;
  };
  for (const seg of path) {
    const node = unwrap(current) as { def?: { type?: string; element?: unknown; valueType?: unknown }; shape?: Record<string, unknown> };
    if (node?.def?.type === 'object' && node.shape && typeof seg === 'string') current = node.shape[seg];
    else if (node?.def?.type === 'array') current = node.def.element;
    else if (node?.def?.type === 'record') current = node.def.valueType;
    else return undefined;
  }
  const last = unwrap(current) as { def?: { type?: string }; shape?: Record<string, unknown> };
  return last?.def?.type === 'object' ? last.shape : undefined;
}
