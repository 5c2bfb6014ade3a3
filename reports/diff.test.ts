import { describe, expect, it } from 'vitest';
import { diffReports } from './diff.ts';
import { diffMarkdown, diffText, fenced } from './diff-format.ts';
import { fixtureRun, issuerMismatchFail, jwtPass, openbaoSkipped, readyPass, refusedPass } from './fixtures.ts';
import { toJsonReport } from './json.ts';
import type { ReportedResult, ScenarioResult } from './model.ts';
import { summaryMarkdown } from './summary.ts';

const report = (results: ReportedResult[]) => toJsonReport(fixtureRun(results));

/** The failing fixture, but passing: what the known-good run saw. */
function issuerAgreeing(): ScenarioResult {
  const r = issuerMismatchFail();
  r.verdict.sides = r.verdict.sides.map((s) => ({ ...s, ok: true, expected: s.observed }));
  r.verdict.pass = true;
  return r;
}

describe('diffReports', () => {
  const knownGood = report([issuerAgreeing(), readyPass(), refusedPass(), jwtPass(), openbaoSkipped()]);

  it('finds nothing between a report and itself', () => {
    const d = diffReports(knownGood, knownGood);
    expect(d).toMatchObject({ changes: [], added: [], removed: [], unchanged: 5, gate: { ok: true, reasons: [] } });
  });

  it('names a regression and the side it happened on, and fails the gate', () => {
    const d = diffReports(knownGood, report([issuerMismatchFail(), readyPass(), refusedPass(), jwtPass(), openbaoSkipped()]));
    expect(d.changes).toHaveLength(1);
    const c = d.changes[0]!;
    expect(c).toMatchObject({ id: 'k8s-client-jwt-default-audience-refused', kind: 'regression', from: 'pass', to: 'fail' });
    expect(c.sides.filter((s) => s.from !== s.to)).toEqual([{ side: 'issuer', from: 'pass', to: 'fail' }]);
    expect(d.gate).toEqual({ ok: false, reasons: ['1 regression: k8s-client-jwt-default-audience-refused'] });
  });

  it('reports fixes, new skips, side moves, and new/removed scenarios; only new failures gate', () => {
    const before = report([issuerMismatchFail(), readyPass(), refusedPass(), jwtPass()]);
    const stillFailing = issuerMismatchFail();
    stillFailing.verdict.sides[0]!.ok = true;
    stillFailing.verdict.sides[1]!.ok = false;
    const added = { ...openbaoSkipped(), plan: { ...openbaoSkipped().plan, id: 'brand-new-skip' } };
    const newFailing = issuerMismatchFail();
    newFailing.plan = { ...newFailing.plan, id: 'brand-new-failing' };
    const before2 = report([issuerMismatchFail(), readyPass(), refusedPass(), jwtPass()]);
    const after = report([stillFailing, { plan: readyPass().plan, skipped: 'interrupted' }, added, newFailing]);
    const d = diffReports(before2, after);
    expect(d.changes.map((c) => [c.id, c.kind])).toEqual([
      ['k8s-client-jwt-api-audience-ready', 'newly-skipped'],
      ['k8s-client-jwt-default-audience-refused', 'sides-changed'],
    ]);
    expect(d.added.map((s) => s.id)).toEqual(['brand-new-failing', 'brand-new-skip']);
    expect(d.removed.map((s) => s.id)).toEqual(['jwt-bound-audience-mismatch-aks', 'k8s-role-audience-mismatch']);
    expect(d.gate).toEqual({ ok: false, reasons: ['1 new scenario failing: brand-new-failing'] });
    const fixed = diffReports(before, knownGood);
    expect(fixed.changes.map((c) => [c.id, c.kind])).toEqual([['k8s-client-jwt-default-audience-refused', 'fix']]);
    expect(fixed.added.map((s) => s.id)).toEqual(['k8s-client-jwt-api-audience-ready-openbao']);
    expect(fixed.gate.ok).toBe(true);
  });
});

describe('diff output', () => {
  const knownGood = report([issuerAgreeing(), readyPass(), openbaoSkipped()]);
  const candidate = report([issuerMismatchFail(), readyPass(), jwtPass()]);
  const d = diffReports(knownGood, candidate);

  it('as text: gate line, each change with its side moves and the differing texts', () => {
    const text = diffText(d);
    expect(text.split('\n')[0]).toBe('gate: FAILED (1 regression: k8s-client-jwt-default-audience-refused)');
    expect(text).toContain('regressions (1):\n  k8s-client-jwt-default-audience-refused: pass → fail  [issuer ✓→✗]\n      issuer expected: Ready=False VaultError: Failed');
    expect(text).toContain('new scenarios (1):\n  + jwt-bound-audience-mismatch-aks (pass)');
    expect(text).toContain('removed scenarios (1):\n  - k8s-client-jwt-api-audience-ready-openbao (was skip)');
    expect(text).toContain('unchanged: 1');
  });

  it('as Markdown: a table with a column per side and the differing text in a fenced block', () => {
    const md = diffMarkdown(d);
    expect(md).toContain('### Gate: ❌ failed');
    expect(md).toContain('| Scenario | Was | Now | Issuer | Vault | API server | Certificate |');
    expect(md).toContain('| `k8s-client-jwt-default-audience-refused` | ✓ pass | ✗ fail | **✓ → ✗** | ✓ | ✓ | — |');
    expect(md).toContain('```text\nissuer expected: Ready=False VaultError:');
    expect(md).toContain('- `jwt-bound-audience-mismatch-aks`: ✓ pass');
    expect(diffMarkdown(diffReports(knownGood, knownGood))).toContain('### Gate: ✅ no regressions');
  });

  it('fences text that itself holds backticks', () => {
    expect(fenced('a ``` b')).toBe('````text\na ``` b\n````');
  });

  it('summarizes one report for the job summary', () => {
    const md = summaryMarkdown(toJsonReport(fixtureRun()));
    expect(md.split('\n')[0]).toBe('## cm-vault-e2e (kind): ❌ 3 passed, 1 failed, 1 skipped of 5');
    expect(md).toContain('<summary><code>k8s-client-jwt-default-audience-refused</code>: issuer differs</summary>');
    expect(md).toContain('| `k8s-client-jwt-api-audience-ready-openbao` | environment failed to start: openbao v2.6.2');
    expect(md).toContain('### Environments that did not start (1)');
  });
});
