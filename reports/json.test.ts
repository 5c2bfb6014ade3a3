import { describe, expect, it } from 'vitest';
import { fixtureResults, fixtureRun, issuerMismatchFail, OPENBAO_SKIP_REASON } from './fixtures.ts';
import { parseJsonReport, renderJson, REPORT_SCHEMA_VERSION, toJsonReport } from './json.ts';
import { mergeJsonReports } from './merge.ts';

describe('toJsonReport', () => {
  const report = toJsonReport(fixtureRun());

  it('starts with the schema version and keeps a fixed top-level key order', () => {
    expect(Object.keys(report)).toEqual(['schemaVersion', 'tool', 'backend', 'startedAt', 'finishedAt', 'durationMs', 'summary', 'versions', 'environments', 'scenarios']);
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(report.durationMs).toBe(271_500);
    expect(report.summary).toEqual({ total: 5, passed: 3, failed: 1, skipped: 1, couldNotRun: 0, notJudged: 0 });
    expect(Object.keys(report.versions)).toEqual(['cert-manager', 'etcd', 'kind', 'kubernetes', 'vault']);
  });

  it('is byte-identical whatever order the results arrived in', () => {
    const reversed = fixtureRun(fixtureResults().reverse());
    expect(renderJson(reversed)).toBe(renderJson(fixtureRun()));
    expect(report.scenarios.map((s) => s.id)).toEqual([...report.scenarios.map((s) => s.id)].sort());
  });

  it('sorts keys inside runner data (prediction, facts, observation)', () => {
    const s = report.scenarios.find((x) => x.id === issuerMismatchFail().plan.id)!;
    const keys = Object.keys(s.prediction as object);
    expect(keys).toEqual([...keys].sort());
  });

  it('records verdicts per side, dimensions, timings, predictions and evidence names', () => {
    const s = report.scenarios.find((x) => x.id === 'k8s-client-jwt-default-audience-refused')!;
    expect(s.status).toBe('fail');
    expect(s.sides.map((x) => [x.side, x.status])).toEqual([
      ['issuer', 'fail'],
      ['vault', 'pass'],
      ['apiserver', 'pass'],
    ]);
    expect(s.dimensions).toEqual({ profile: 'kind', certManager: 'v1.16.5', auth: 'kubernetes · client-jwt', placement: 'external', engine: 'vault v1.21.0' });
    expect(s.durationMs).toBe(7_958);
    expect((s.prediction as { failure: string }).failure).toBe('apiserver-audience');
    expect(s.evidence).toEqual(['Issuer-vault-issuer.json', 'apiserver.log', 'cert-manager.log', 'vault.log']);
  });

  it('records a skipped scenario with its reason and no sides', () => {
    const s = report.scenarios.find((x) => x.status === 'skip')!;
    expect(s).toMatchObject({ skipReason: OPENBAO_SKIP_REASON, sides: [], durationMs: 0 });
    expect(s.prediction).toBeUndefined();
  });

  it('links environments to the scenarios that ran in them, with their facts', () => {
    const env = report.environments.find((e) => e.error)!;
    expect(env.scenarios).toEqual(['k8s-client-jwt-api-audience-ready-openbao']);
    const kind = report.environments.find((e) => e.key.startsWith('kind@') && e.key.includes('cm-v1.16.5/vault-'))!;
    expect(kind.scenarios).toHaveLength(3);
    expect(kind.notes[0]).toContain('kind v0.30.0');
  });
});

describe('parseJsonReport', () => {
  it('reads back what renderJson wrote', () => {
    expect(parseJsonReport(renderJson(fixtureRun()))).toEqual(toJsonReport(fixtureRun()));
  });

  it('refuses another schema version, non-JSON and foreign JSON with a reason', () => {
    const other = JSON.stringify({ ...toJsonReport(fixtureRun()), schemaVersion: 2 });
    expect(() => parseJsonReport(other, 'baseline.json')).toThrow('baseline.json: schemaVersion 2 is not 1');
    expect(() => parseJsonReport('{', 'x.json')).toThrow('x.json: not JSON');
    expect(() => parseJsonReport(JSON.stringify({ schemaVersion: 1, tool: 'cm-vault-e2e', scenarios: [{ id: 'a', status: 'maybe', sides: [] }] }))).toThrow('scenarios.0.status');
  });
});

describe('mergeJsonReports', () => {
  it('joins shards into one run with recomputed totals', () => {
    const [a, b, c, d, e] = fixtureResults();
    const one = toJsonReport({ ...fixtureRun([a!, b!]), finishedAt: '2025-11-28T15:40:00.000Z' });
    const two = toJsonReport({ ...fixtureRun([c!, d!, e!]), startedAt: '2025-11-28T15:37:00.000Z' });
    const merged = mergeJsonReports([one, two]);
    expect(merged.summary).toEqual({ total: 5, passed: 3, failed: 1, skipped: 1, couldNotRun: 0, notJudged: 0 });
    expect(merged.startedAt).toBe('2025-11-28T15:37:00.000Z');
    expect(merged.finishedAt).toBe('2025-11-28T15:42:31.500Z');
    expect(merged.scenarios.map((s) => s.id)).toEqual(toJsonReport(fixtureRun()).scenarios.map((s) => s.id));
    const kind = merged.environments.filter((x) => x.key.includes('cm-v1.16.5/vault-'));
    expect(kind).toHaveLength(1);
    expect(kind[0]!.scenarios).toHaveLength(3);
  });

  it('refuses overlapping shards', () => {
    const r = toJsonReport(fixtureRun());
    expect(() => mergeJsonReports([r, r])).toThrow('appears in two shards');
  });
});
