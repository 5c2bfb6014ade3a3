import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../lib/errors.ts';
import type { Scenario } from './types.ts';
import { expandMatrix } from './matrix.ts';
import { displayPath } from './paths.ts';
import { checkScenario, toScenario, type RuleContext } from './rules.ts';
import { RawMatrix, RawScenario } from './schema.ts';
import { firstError, zodProblems, type Locator } from './zod-errors.ts';
import { readYamlFile, type SourceDoc } from './yaml-source.ts';

/** Every `*.yaml`/`*.yml` under `path` (a directory, searched recursively, or one file), in a stable order. */
export function scenarioFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new InputError({ file: displayPath(path) }, 'no such file or directory', 'pass a directory of scenario YAML files to --scenarios');
  }
  if (stat.isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? scenarioFiles(join(path, e.name)) : /\.ya?ml$/.test(e.name) ? [join(path, e.name)] : []));
}

/**
 * Load, expand and validate scenarios from `files`. Throws the first InputError; ids must be unique
 * across all of them. Nothing is returned unless everything loaded.
 */
export function loadScenarios(files: string[], ctx: RuleContext): Scenario[] {
  const scenarios: Scenario[] = [];
  const ids = new Map<string, Scenario['source']>();
  for (const file of files) {
    for (const doc of readYamlFile(file, displayPath(file))) {
      for (const { value, where } of rawScenarios(doc)) {
        const scenario = validate(value, where, ctx);
        const first = ids.get(scenario.id);
        if (first) {
          throw new InputError(
            { file: where.file, line: where.lineAt(['id']), field: 'id' },
            `duplicate id \`${scenario.id}\` (first defined at ${first.file}:${first.line})`,
            'rename one of them; ids are stable names used by --filter, explain and CI',
          );
        }
        ids.set(scenario.id, scenario.source);
        scenarios.push(scenario);
      }
    }
  }
  return scenarios;
}

function rawScenarios(doc: SourceDoc): Array<{ value: unknown; where: Locator }> {
  const value = doc.value;
  const where: Locator = { file: doc.file, lineAt: (p) => doc.lineAt(p) };
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError({ file: doc.file, line: doc.line }, 'a scenario document must be a mapping (one scenario, or `matrix:`)', 'see scenarios/README.md; separate several documents with `---`');
  }
  if (!('matrix' in value)) return [{ value, where }];
  const parsed = RawMatrix.safeParse(value);
  if (!parsed.success) throw firstError(zodProblems(parsed.error.issues, RawMatrix, value), where)!;
  return expandMatrix(parsed.data.matrix, doc);
}

function validate(value: unknown, where: Locator, ctx: RuleContext): Scenario {
  const parsed = RawScenario.safeParse(value);
  if (!parsed.success) throw firstError(zodProblems(parsed.error.issues, RawScenario, value), where)!;
  const error = firstError(checkScenario(parsed.data, ctx), where);
  if (error) throw error;
  return toScenario(parsed.data, ctx, { file: where.file, line: where.lineAt([]) });
}
