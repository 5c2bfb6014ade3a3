import { describe, expect, it } from 'vitest';
import { clusterOfEnvironment, filterPlans, loadPlans } from '../scenarios/plan.ts';
import { scenarioDir, scenarioYaml } from '../scenarios/testing.ts';
import { cliHarness, type Run } from './testing.ts';

const cli = cliHarness();

const wrongExpectation = scenarioDir({ 'wrong.yaml': scenarioYaml({ id: 'wrong-expectation', auth: '{method: kubernetes, tokenReviewer: client-jwt}', expect: '{ready: true}' }) });

describe('list', () => {
  it('prints id, predicted outcome and description, and a summary', async () => {
    const r = await cli('list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^k8s-client-jwt-default-audience-refused +not ready \(apiserver-audience\) +with client-jwt review/m);
    expect(r.stdout).toMatch(/^upgrade-v1\.14\.7-to-v1\.15\.5-audiences-accepted +not ready \(crd-unknown-field\) -> ready /m);
    expect(r.stdout).toMatch(/\d+ scenario\(s\) in \d+ environment\(s\); all agree with the oracle/);
    expect(r.stdout).not.toMatch(/MISMATCH/);
  });

  it('--filter selects, --json is machine-readable', async () => {
    const r = await cli('list', '--filter', 'tag=smoke', '--json');
    const rows = JSON.parse(r.stdout) as Array<{ id: string; agrees: boolean; predicted: { ready: boolean }; environment: string; stages: unknown[] }>;
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.find((x) => x.id === 'k8s-client-jwt-api-audience-ready')).toMatchObject({ agrees: true, predicted: { ready: true }, stages: [{ stage: 'after', ready: true }] });
  });

  it('flags a scenario the oracle disagrees with, loudly, and exits 1', async () => {
    const r = await cli('list', '--scenarios', wrongExpectation, '--filter', 'id=wrong-expectation');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^!! MISMATCH wrong-expectation +not ready \(apiserver-audience\)/m);
    expect(r.stderr).toMatch(/!! MISMATCH wrong-expectation: the scenario expects ready, the oracle predicts not ready \(apiserver-audience\)/);
    const json = await cli('list', '--scenarios', wrongExpectation, '--filter', 'wrong-expectation', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ id: 'wrong-expectation', agrees: false, expect: { ready: true }, predicted: { ready: false, failure: 'apiserver-audience' } });
  });

  it('bad input exits 2 with file, line, field and fix, and no stack trace', async () => {
    const dir = scenarioDir({ 'bad.yaml': scenarioYaml({ auth: '\n  method: kubernetes\n  tokenReveiwer: client-jwt' }) });
    const r = await cli('list', '--scenarios', dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: .*bad\.yaml:8 \(auth\.tokenReveiwer\): unknown field `auth\.tokenReveiwer`\n  fix: did you mean `tokenReviewer`\?/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad --filter or --versions exits 2', async () => {
    expect((await cli('list', '--filter', 'colour=red')).stderr).toMatch(/unknown filter key `colour`/);
    const r = await cli('--versions', '/nonexistent/versions.yaml', 'list');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: \/nonexistent\/versions\.yaml: cannot read the file/);
  });
});

describe('explain', () => {
  it('explains one scenario step by step with nominal facts and the verdict', async () => {
    const r = await cli('explain', 'k8s-client-jwt-default-audience-refused');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Facts are nominal/);
    expect(r.stdout).toMatch(/^1\. token audiences$/m);
    expect(r.stdout).toMatch(/source: cert-manager\/cert-manager@v1\.19\.5/);
    expect(r.stdout).toMatch(/Scenario: scenarios\/catalogue\/01-core\.yaml:3\nExpected: not ready \(apiserver-audience\) — agrees with the oracle\./);
  });

  it('explains both stages of an upgrade', async () => {
    const r = await cli('explain', 'upgrade-v1.19.5-to-v1.20.3-jwt-server-audience');
    expect(r.stdout).toMatch(/-- before the upgrade: cert-manager v1\.19\.5 --[\s\S]*Outcome: not ready \(jwt-bound-audience\)[\s\S]*-- after the upgrade: cert-manager v1\.20\.3 --[\s\S]*Outcome: ready/);
    expect((await cli('explain', 'downgrade-v1.21.2-to-v1.20.3-server-audience-kept')).stdout).toMatch(/-- before the downgrade: cert-manager v1\.21\.2 --/);
  });

  it('explains every scenario of a YAML file', async () => {
    const r = await cli('explain', 'scenarios/catalogue/01-core.yaml', '--json');
    const rows = JSON.parse(r.stdout) as Array<{ id: string; agrees: boolean; stages: Array<{ explanation: string }> }>;
    expect(rows.map((x) => x.id)).toEqual(['k8s-client-jwt-default-audience-refused', 'k8s-client-jwt-api-audience-ready', 'k8s-role-audience-mismatch']);
    expect(rows.every((x) => x.agrees && x.stages[0]!.explanation.includes('Facts are nominal'))).toBe(true);
  });

  it('flags a disagreement and exits 1', async () => {
    const r = await cli('explain', `${wrongExpectation}/wrong.yaml`);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/!! MISMATCH wrong-expectation/);
  });

  it('an unknown id exits 2 with the closest id', async () => {
    const r = await cli('explain', 'k8s-role-audience-mismatc');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no scenario with id `k8s-role-audience-mismatc`\n  fix: did you mean `k8s-role-audience-mismatch`\?/);
  });
});

describe('matrix', () => {
  const plans = loadPlans();
  type Job = { name: string; environment: string; filter: string; scenarios: number };
  const jobsOf = (r: Run) => (JSON.parse(r.stdout) as { include: Job[] }).include;

  /** One job per group of `keyOf`, uniquely named, covering every scenario once, each filter selecting exactly its group. */
  const expectOneJobPerGroup = (jobs: Job[], keyOf: (p: (typeof plans)[number]) => string) => {
    expect(jobs.length).toBe(new Set(plans.map(keyOf)).size);
    expect(jobs.reduce((n, j) => n + j.scenarios, 0)).toBe(plans.length);
    expect(new Set(jobs.map((j) => j.name)).size).toBe(jobs.length);
    for (const job of jobs) {
      const selected = filterPlans(plans, job.filter);
      expect(selected.length, job.filter).toBe(job.scenarios);
      expect(selected.every((p) => keyOf(p) === job.environment)).toBe(true);
    }
  };

  it('one GitHub Actions job per cluster by default; each filter selects exactly its group, every environment of it', async () => {
    const r = await cli('matrix', '--format', 'github');
    expect(r.code).toBe(0);
    expectOneJobPerGroup(jobsOf(r), (p) => clusterOfEnvironment(p.environmentKey));
    expect(jobsOf(r).length).toBeLessThan(new Set(plans.map((p) => p.environmentKey)).size);
  });

  it('--group-by environment: one job per environment; each filter selects exactly its group', async () => {
    const r = await cli('matrix', '--group-by', 'environment');
    expect(r.code).toBe(0);
    expectOneJobPerGroup(jobsOf(r), (p) => p.environmentKey);
  });

  it('--max-per-job splits large environments; --filter narrows and is kept in each job filter', async () => {
    const split = jobsOf(await cli('matrix', '--max-per-job', '4'));
    expect(split.every((j) => j.scenarios <= 4)).toBe(true);
    expect(split.reduce((n, j) => n + j.scenarios, 0)).toBe(plans.length);
    const seen = new Set<string>();
    for (const job of split) {
      const ids = filterPlans(plans, job.filter).map((p) => p.id);
      expect(ids.length).toBe(job.scenarios);
      for (const id of ids) expect(seen.has(id)).toBe(false), seen.add(id);
    }
    const smoke = jobsOf(await cli('matrix', '--filter', 'tag=smoke'));
    expect(smoke.reduce((n, j) => n + j.scenarios, 0)).toBe(filterPlans(plans, 'tag=smoke').length);
    for (const job of smoke) expect(filterPlans(plans, job.filter).length).toBe(job.scenarios);
  });

  it('bad options exit 2', async () => {
    expect((await cli('matrix', '--format', 'gitlab')).code).toBe(2);
    expect((await cli('matrix', '--max-per-job', '0')).stderr).toMatch(/--max-per-job\): `0` is not a positive whole number/);
    const by = await cli('matrix', '--group-by', 'node');
    expect(by.code).toBe(2);
    expect(by.stderr).toMatch(/--group-by\): unknown grouping `node`\n  fix: use --group-by cluster or --group-by environment/);
  });
});
