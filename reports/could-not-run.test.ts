// A scenario that was to run and did not (a pin not provisioned, an environment that did not start) is "could not
// run" in every format, in the CLI's words: never "failed" (no verdict), never "skipped" (nobody chose it).
import { describe, expect, it } from 'vitest';
import { diffReports } from './diff.ts';
import { diffText } from './diff-format.ts';
import { fixtureRun, readyPass, vaultNotProvisioned } from './fixtures.ts';
import { gate } from './gate.ts';
import { renderHtml } from './html.ts';
import { parseJsonReport, renderJson, toJsonReport } from './json.ts';
import { toJUnit } from './junit.ts';
import { summarize, totalsText } from './model.ts';
import { summaryMarkdown } from './summary.ts';
import { findAll, parseXml } from './test-support/xml-parse.ts';
import { useTempDir } from '../lib/test-support/temp-dir.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const run = () => fixtureRun([readyPass(), vaultNotProvisioned()]);
const dir = useTempDir('could-not-run');

describe('could not run', () => {
  it('is counted apart: not failed, not skipped; the totals line is the CLI one', () => {
    const totals = summarize(run().results);
    expect(totals).toEqual({ total: 2, passed: 1, failed: 0, skipped: 0, couldNotRun: 1, notJudged: 0 });
    expect(totalsText(totals)).toBe('1 passed, 0 failed, 1 could not run, 0 skipped');
  });

  it('JSON: status could-not-run, counted in summary.couldNotRun (not failed), with its reason and missing pins; parses back', () => {
    const json = toJsonReport(run());
    expect(json.summary).toMatchObject({ failed: 0, skipped: 0, couldNotRun: 1 });
    const s = json.scenarios.find((x) => x.id === 'k8s-local-token-ready')!;
    expect(s).toMatchObject({ status: 'could-not-run', skipReason: 'could not run: environment failed to start: error: vault v1.21.0: not provisioned on this machine', missing: ['vault@v1.21.0'], sides: [] });
    expect(parseJsonReport(renderJson(run())).scenarios.map((x) => x.status)).toEqual(['pass', 'could-not-run']);
  });

  it('HTML: its own badge, pill and row text, never a red "failed" or "skipped:"', () => {
    const html = renderHtml(run());
    expect(html).toContain('data-status="could-not-run"');
    expect(html).toContain('<span class="badge verdict could-not-run">! could not run</span>');
    expect(html).toContain('<span class="pill could-not-run"');
    expect(html).toContain('! 1 could not run</span>');
    expect(html).toContain('✗ 0 failed');
    expect(html).toContain('>could not run: environment failed to start: error: vault v1.21.0: not provisioned on this machine</span>');
    expect(html).toContain('missing: <code>vault@v1.21.0</code>');
    expect(html).not.toContain('skipped: could not run');
    expect(html).not.toMatch(/verdict fail">✗ fail/);
    expect(html).toContain('<title>cm-vault-e2e · kind · 1 passed, 0 failed, 1 could not run, 0 skipped</title>');
  });

  it('JUnit: an <error type="CouldNotRun"> worded "could not run: …" with the missing pins, counted in errors, not failures or skipped', () => {
    const root = parseXml(toJUnit(run()));
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({ tests: '2', failures: '0', errors: '1', skipped: '0' });
    const error = findAll(root, 'error')[0]!;
    expect(error.attributes).toMatchObject({ type: 'CouldNotRun', message: 'could not run: environment failed to start: error: vault v1.21.0: not provisioned on this machine' });
    expect(error.text).toContain('missing: vault@v1.21.0');
    expect(findAll(root, 'skipped')).toHaveLength(0);
  });

  it('JUnit: a reason recorded without the words (older runs) gets them', () => {
    const older = { ...vaultNotProvisioned(), skipped: 'environment failed to start: boom' };
    expect(findAll(parseXml(toJUnit(fixtureRun([older]))), 'error')[0]!.attributes.message).toBe('could not run: environment failed to start: boom');
  });

  it('job summary: headline with the CLI totals and ❌, a "Could not run" section naming the missing pins and the command', () => {
    const md = summaryMarkdown(toJsonReport(run()));
    expect(md.split('\n')[0]).toBe('## cm-vault-e2e (kind): ❌ 1 passed, 0 failed, 1 could not run, 0 skipped of 2');
    expect(md).toContain('### Could not run (1): no verdict, neither passed nor failed');
    expect(md).toContain('Pins not provisioned: `vault@v1.21.0` (1 scenario) — `npx cm-vault-e2e provision --only vault@v1.21.0`');
    expect(md).toContain('| `k8s-local-token-ready` | `vault@v1.21.0` | environment failed to start: error: vault v1.21.0: not provisioned on this machine |');
  });

  it('gate: without a known-good report it fails on could not run; against one, it is its own change naming the pins', async () => {
    await mkdir(join(dir(), 'shard'), { recursive: true });
    await writeFile(join(dir(), 'shard', 'report.json'), renderJson(run()));
    const alone = await gate([join(dir(), 'shard')]);
    expect(alone.code).toBe(1);
    expect(alone.text).toContain('gate: FAILED (1 could not run)');
    expect(alone.markdown).toContain('Pins not provisioned: `vault@v1.21.0`');

    const baseline = toJsonReport(fixtureRun([readyPass(), { ...readyPass(), plan: vaultNotProvisioned().plan }]));
    const d = diffReports(baseline, toJsonReport(run()));
    expect(d.changes.map((c) => [c.id, c.kind, c.from, c.to])).toEqual([['k8s-local-token-ready', 'could-not-run', 'pass', 'could-not-run']]);
    expect(d.gate).toEqual({ ok: false, reasons: ['1 could not run: k8s-local-token-ready (pins not provisioned: vault@v1.21.0)'] });
    expect(diffText(d)).toMatch(/could not run \(no verdict\) \(1\):\n {2}k8s-local-token-ready: pass → could-not-run .*\n {6}could not run: environment failed to start: .*\n {6}missing: vault@v1\.21\.0/);
  });
});
