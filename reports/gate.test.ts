import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../lib/test-support/temp-dir.ts';
import { fixtureResults, fixtureRun, issuerMismatchFail } from './fixtures.ts';
import { gate } from './gate.ts';
import { renderJson } from './json.ts';

const dir = useTempDir('gate');

/** Two shards as the nightly's artifacts lay them out: report-0/report.json, report-1/report.json. */
async function shards(results = fixtureResults()) {
  const [a, b, ...rest] = results;
  for (const [i, rs] of [[a!, b!], rest].entries()) {
    await mkdir(join(dir(), 'artifacts', `report-${i}`), { recursive: true });
    await writeFile(join(dir(), 'artifacts', `report-${i}`, 'report.json'), renderJson(fixtureRun(rs)));
  }
  return join(dir(), 'artifacts');
}

describe('gate', () => {
  it('merges shards and, without a known-good report, fails on any failure', async () => {
    const r = await gate([await shards()], { baseline: join(dir(), 'missing.json') });
    expect(r.code).toBe(1);
    expect(r.merged.summary).toEqual({ total: 5, passed: 3, failed: 1, skipped: 1, couldNotRun: 0, notJudged: 0 });
    expect(r.markdown).toContain('No known-good report at');
    expect(r.text).toContain('gate: FAILED (1 failing)');
  });

  it('passes when the failure was already failing in the known-good run', async () => {
    const baseline = join(dir(), 'known-good.json');
    await writeFile(baseline, renderJson(fixtureRun()));
    const r = await gate([await shards()], { baseline });
    expect(r.code).toBe(0);
    expect(r.markdown).toContain('### Gate: ✅ no regressions');
  });

  it('runs as `cm-vault-e2e gate`: writes the merged report and appends the job summary; exit 1 on a regression', async () => {
    const good = fixtureResults().map((x) => (x.plan.id === issuerMismatchFail().plan.id && 'verdict' in x ? { ...x, verdict: { ...x.verdict, pass: true, sides: x.verdict.sides.map((s) => ({ ...s, ok: true })) } } : x));
    const baseline = join(dir(), 'known-good.json');
    await writeFile(baseline, renderJson(fixtureRun(good)));
    const summary = join(dir(), 'summary.md');
    await writeFile(summary, '# before\n');
    const res = await execa('node', ['bin/cm-vault-e2e.js', 'gate', '--baseline', baseline, '--merged', join(dir(), 'merged', 'report.json'), '--summary', summary, await shards()], { reject: false, cwd: process.cwd() });
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toContain('gate: FAILED (1 regression: k8s-client-jwt-default-audience-refused)');
    const md = await readFile(summary, 'utf8');
    expect(md.startsWith('# before\n## cm-vault-e2e (kind)')).toBe(true);
    expect(md).toContain('| `k8s-client-jwt-default-audience-refused` | ✓ pass | ✗ fail | **✓ → ✗** |');
    expect(JSON.parse(await readFile(join(dir(), 'merged', 'report.json'), 'utf8')).summary.total).toBe(5);
  }, 30_000);

  it('fails naming the missing argument when given nothing', async () => {
    const res = await execa('node', ['bin/cm-vault-e2e.js', 'gate'], { reject: false });
    expect(res.exitCode).not.toBe(0);
    expect(res.stderr).toContain("missing required argument 'reports'");
  }, 30_000);
});
