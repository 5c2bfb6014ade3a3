// JUnit XML: a testsuite per environment, a testcase per scenario (name = id, classname = environment key),
// the three-sided diff as failure text, `<skipped>` with the runner's reason, versions as properties.
// A scenario that could not run is an `<error type="CouldNotRun" message="could not run: …">`, not a `<skipped>`:
// JUnit's error is "the test did not complete", which is what happened, and CI readers (Jenkins, GitLab, GitHub
// test reporters) count errors as not passing, as the run's exit code does; a `<skipped>` shows neutral there,
// and a nightly whose scenarios produced no evidence would read green.
import { formatSides } from './side-text.ts';
import { couldNotRunReason } from '../runner/could-not-run.ts';
import { durationMs, isSkipped, notJudged, sortedResults, summarize, type ReportedResult, type RunReport } from './model.ts';
import { attrs, xmlText } from './xml.ts';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function properties(run: RunReport, indent: string): string {
  const props: Array<[string, string]> = [
    ['backend', run.backend],
    ['startedAt', run.startedAt],
    ['finishedAt', run.finishedAt],
    ...Object.keys(run.versions)
      .sort()
      .map((k): [string, string] => [`version.${k}`, run.versions[k]!]),
  ];
  return [`${indent}<properties>`, ...props.map(([name, value]) => `${indent}  <property${attrs({ name, value })}/>`), `${indent}</properties>`].join('\n');
}

function testcase(r: ReportedResult, indent: string): string {
  const head = `${indent}<testcase${attrs({ name: r.plan.id, classname: r.plan.environmentKey, time: seconds(durationMs(r)), file: r.plan.source.file, line: r.plan.source.line })}`;
  const inner = indent + '  ';
  if (isSkipped(r) && r.broken) {
    const reason = couldNotRunReason(r.skipped) + (r.missing?.length ? `\nmissing: ${r.missing.join(', ')}` : '');
    return `${head}>\n${inner}<error${attrs({ message: reason.split('\n')[0]!, type: 'CouldNotRun' })}>${xmlText(reason)}</error>\n${indent}</testcase>`;
  }
  if (isSkipped(r)) return `${head}>\n${inner}<skipped${attrs({ message: r.skipped })}/>\n${indent}</testcase>`;
  const out = r.plan.description + (r.notes.length ? `\nnotes:\n${r.notes.map((n) => `  ${n}`).join('\n')}` : '');
  const parts = [`${inner}<system-out>${xmlText(out)}</system-out>`];
  // Not judged is neither a pass nor a failure: a skipped-style property per side, which JUnit readers list.
  const unjudged = notJudged(r);
  if (unjudged.length) {
    parts.unshift([`${inner}<properties>`, ...unjudged.map((s) => `${inner}  <property${attrs({ name: `side.${s.side}`, value: `not judged: ${s.observed}` })}/>`), `${inner}</properties>`].join('\n'));
  }
  if (!r.verdict.pass) {
    const differing = r.verdict.sides.filter((s) => !s.ok).map((s) => s.side);
    parts.unshift(`${inner}<failure${attrs({ message: `${differing.join(', ')} ${differing.length > 1 ? 'sides differ' : 'side differs'} from the oracle`, type: 'VerdictMismatch' })}>${xmlText(formatSides(r.verdict))}</failure>`);
  }
  return `${head}>\n${parts.join('\n')}\n${indent}</testcase>`;
}

function counts(results: readonly ReportedResult[]) {
  const s = summarize(results);
  const time = results.reduce((t, r) => t + durationMs(r), 0);
  return { tests: s.total, failures: s.failed, errors: s.couldNotRun, skipped: s.skipped, ...(s.notJudged ? { 'not-judged': s.notJudged } : {}), time: seconds(time) };
}

export function toJUnit(run: RunReport): string {
  const results = sortedResults(run);
  const suites = new Map<string, ReportedResult[]>();
  for (const r of results) suites.set(r.plan.environmentKey, [...(suites.get(r.plan.environmentKey) ?? []), r]);
  const body = [...suites.keys()].sort().map((key) => {
    const rs = suites.get(key)!;
    return [
      `  <testsuite${attrs({ name: key, ...counts(rs), timestamp: run.startedAt.replace(/Z$/, '') })}>`,
      properties(run, '    '),
      ...rs.map((r) => testcase(r, '    ')),
      '  </testsuite>',
    ].join('\n');
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attrs({ name: 'cm-vault-e2e', ...counts(results) })}>`, ...body, '</testsuites>', ''].join('\n');
}
