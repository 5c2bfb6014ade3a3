import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoFiles } from '../lib/repo-files.ts';
import { describe, expect, it } from 'vitest';
import { loadPlans } from '../scenarios/plan.ts';
import { packageFile } from '../lib/package-root.ts';
import { loadVersions, VERSIONS_FILE } from '../scenarios/versions.ts';
import { ciScopeFindings } from './ci-scope.ts';

const ROOT = packageFile();
const versions = loadVersions(VERSIONS_FILE);

/** The plans a file may name: the catalogue plus the scenario directories it passes with `--scenarios`. */
function plansFor(text: string) {
  const dirs = [...new Set([...text.matchAll(/['"]--scenarios['"]\s*,\s*['"]([^'"]+)['"]/g)].map((m) => join(ROOT, m[1]!)))];
  return loadPlans({ dirs });
}

describe("e2e tests need only the ci set (versions.yaml `ci`)", () => {
  const tracked = repoFiles(ROOT);
  // the e2e project's include (vitest.config.ts)
  const files = tracked.filter((f) => f.endsWith('.e2e.ts'));

  it('finds the e2e files', () => {
    expect(files).toEqual(expect.arrayContaining(['e2e/handoff.e2e.ts', 'e2e/local.e2e.ts', 'existing/existing.e2e.ts']));
  });

  // scenario files an e2e suite loads itself (`files: [...]`, `--scenarios DIR`): on a ci view, a file with no
  // scenario in the ci set leaves its suite with nothing to run (vitest: "No test suite found")
  const scenarioFilesOfSuites = tracked.filter((f) => /^(e2e|existing\/testdata)\/.*\.ya?ml$/.test(f));

  it.each(scenarioFilesOfSuites)('%s holds scenarios in the ci set', (name) => {
    const plans = loadPlans({ files: [join(ROOT, name)] });
    expect(plans.length, `${name} holds no scenario`).toBeGreaterThan(0);
    expect(plans.filter((p) => p.ci).map((p) => p.id), `${name}: no scenario in versions.yaml's ci set; move its versions into the ci set (\`npx cm-vault-e2e list --filter ci=true\`)`).not.toEqual([]);
  });

  it.each(files)('%s names no scenario, filter or version outside it', (name) => {
    const text = readFileSync(join(ROOT, name), 'utf8');
    const findings = ciScopeFindings(name, text, plansFor(text), versions);
    expect(findings.map((f) => `${f.file}:${f.line}: ${f.problem}; fix: ${f.fix}`)).toEqual([]);
  });
});

describe('the ci-scope check', () => {
  const plans = loadPlans();
  const check = (text: string) => ciScopeFindings('x.e2e.ts', text, plans, versions).map((f) => `${f.line}: ${f.problem}`);

  it("catches a scenario outside the ci set, naming what it needs (the test CI failed on, cold, at b8603aa)", () => {
    const findings = check("const ids = ['jwt-cm-v1.14.7-bound-default', 'upgrade-v1.14.7-to-v1.15.5-audiences-accepted'];");
    expect(findings).toEqual([
      '1: names scenario jwt-cm-v1.14.7-bound-default, which needs cert-manager v1.14.7',
      '1: names scenario upgrade-v1.14.7-to-v1.15.5-audiences-accepted, which needs cert-manager v1.14.7, cert-manager v1.15.5',
    ]);
  });

  it('catches a filter that reaches past the ci set, and lets one narrowed by ci=true pass', () => {
    expect(check("cli(['run', '--filter', 'upgrade=true'])")[0]).toMatch(/^1: filter "upgrade=true" matches \d+ scenario\(s\) outside the ci set: upgrade-v1\.14\.7-to-v1\.15\.5-audiences-accepted \(cert-manager v1\.14\.7, cert-manager v1\.15\.5\)/);
    expect(check("cli(['run', '--filter', 'upgrade=true,ci=true'])")).toEqual([]);
    expect(check("const filter = process.env.CM_VAULT_E2E_KIND_FILTER ?? 'tag=smoke';")).toEqual([]);
    expect(check("cli(['run', '--filter', 'colour=blue'])")[0]).toMatch(/filter "colour=blue" does not parse/);
  });

  it('catches a pinned version outside the ci set, escaped or not, but not one inside an id', () => {
    expect(check("cli(['run', '--kubernetes', 'v1.35.4'])")).toEqual(['1: names Kubernetes v1.35.4, which the ci set does not provision']);
    expect(check('expect(out).toMatch(/installed v1\\.14\\.7 /)')).toEqual(['1: names cert-manager v1.14.7, which the ci set does not provision']);
    expect(check("expect(out).toMatch(/cert-manager v1\\.19\\.5 running/); const id = 'jwt-cm-v1.19.5-bound-server';")).toEqual([]);
  });

  it('takes an excuse that says why, on the line or alone above it, and refuses one that does not', () => {
    expect(check("expect(skip('jwt-cm-v1.14.7-bound-default')).toBe('…'); // ci-scope: only planned: the existing backend skips it")).toEqual([]);
    expect(check("// ci-scope: only planned: the existing backend skips it\nexpect(skip('jwt-cm-v1.14.7-bound-default')).toBe('…');")).toEqual([]);
    expect(check("expect(skip('jwt-cm-v1.14.7-bound-default')).toBe('…'); // ci-scope:")).toEqual(['1: a `// ci-scope:` excuse without a reason']);
  });
});
