// A side the backend cannot observe (the API server log on a managed cluster) is "not judged" in every format:
// never a pass, never a failure, counted apart.
import { describe, expect, it } from 'vitest';
import { APISERVER_NOT_OBSERVABLE } from '../runner/verdict.ts';
import { diffReports } from './diff.ts';
import { fixtureRun, refusedPass } from './fixtures.ts';
import { renderHtml } from './html.ts';
import { parseJsonReport, renderJson, toJsonReport } from './json.ts';
import { toJUnit } from './junit.ts';
import { summarize } from './model.ts';
import { formatSides } from './side-text.ts';
import { summaryMarkdown } from './summary.ts';

function unobservedRun() {
  const r = refusedPass();
  r.verdict.sides = r.verdict.sides.map((s) => (s.side === 'apiserver' ? { ...s, ok: true, unobserved: true as const, observed: APISERVER_NOT_OBSERVABLE } : s));
  return { run: fixtureRun([r]), result: r };
}

describe('not judged', () => {
  it('is counted apart in the summary and is not a failure', () => {
    const { run } = unobservedRun();
    expect(summarize(run.results)).toEqual({ total: 1, passed: 1, failed: 0, skipped: 0, couldNotRun: 0, notJudged: 1 });
  });

  it('JSON: the side says not-judged (not pass), the summary counts it, and the report parses back', () => {
    const { run } = unobservedRun();
    const json = toJsonReport(run);
    expect(json.scenarios[0]!.sides.find((s) => s.side === 'apiserver')!.status).toBe('not-judged');
    expect(json.summary.notJudged).toBe(1);
    expect(parseJsonReport(renderJson(run)).scenarios[0]!.sides.map((s) => s.status)).toEqual(['pass', 'pass', 'not-judged']);
  });

  it('JUnit: a skipped-style property on the testcase, a not-judged count on the suite, no failure', () => {
    const xml = toJUnit(unobservedRun().run);
    expect(xml).toContain(`<property name="side.apiserver" value="not judged: ${APISERVER_NOT_OBSERVABLE}"/>`);
    expect(xml).toMatch(/<testsuites [^>]*failures="0"[^>]*not-judged="1"/);
    expect(xml).not.toContain('<failure');
  });

  it('HTML and text: marked not judged, never with the pass mark', () => {
    const { run, result } = unobservedRun();
    const html = renderHtml(run);
    expect(html).toContain('API server: not judged (not observable)');
    expect(html).toContain('1 with a side not judged');
    expect(formatSides(result.verdict)).toContain('– API server (apiserver) — not judged');
  });

  it('gate: the Markdown summary lists it; a side judged before and not now is its own change, not unchanged', () => {
    const { run } = unobservedRun();
    const candidate = toJsonReport(run);
    expect(summaryMarkdown(candidate)).toContain('### Not judged (1)');
    const baseline = toJsonReport(fixtureRun([refusedPass()]));
    const d = diffReports(baseline, candidate);
    expect(d.changes.map((c) => c.kind)).toEqual(['no-longer-judged']);
    expect(d.unchanged).toBe(0);
  });
});
