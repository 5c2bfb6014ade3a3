// One report as Markdown for a GitHub job summary: totals, versions, each failure's differing sides, skip reasons.
import { cell, fenced } from './diff-format.ts';
import type { JsonReport } from './json.ts';

export function summaryMarkdown(r: JsonReport): string {
  const { total, passed, failed, skipped, notJudged = 0 } = r.summary;
  const out = [
    `## cm-vault-e2e (${r.backend}): ${failed ? '❌' : '✅'} ${passed} passed, ${failed} failed, ${skipped} skipped of ${total}${notJudged ? ` · ${notJudged} with a side not judged` : ''}`,
    '',
    `${r.startedAt} → ${r.finishedAt} (${(r.durationMs / 60_000).toFixed(1)} min) · ${Object.entries(r.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(' · ')}`,
    '',
  ];
  const failures = r.scenarios.filter((s) => s.status === 'fail');
  if (failures.length) {
    out.push(`### Failures (${failures.length})`, '');
    for (const s of failures) {
      const sides = s.sides.filter((x) => x.status === 'fail');
      out.push(
        `<details><summary><code>${s.id}</code>: ${sides.map((x) => x.side).join(', ')} differ${sides.length === 1 ? 's' : ''}</summary>`,
        '',
        fenced(sides.map((x) => `✗ ${x.side}\n  expected: ${x.expected.replaceAll('\n', '\n            ')}\n  observed: ${x.observed.replaceAll('\n', '\n            ')}`).join('\n\n')),
        '',
        '</details>',
        '',
      );
    }
  }
  const unjudged = r.scenarios.filter((s) => s.sides.some((x) => x.status === 'not-judged'));
  if (unjudged.length) {
    out.push(`### Not judged (${unjudged.length}): neither passed nor failed on these sides`, '', '| Scenario | Side | Why |', '|---|---|---|');
    for (const s of unjudged) for (const x of s.sides.filter((y) => y.status === 'not-judged')) out.push(`| \`${s.id}\` | ${x.side} | ${cell(x.observed)} |`);
    out.push('');
  }
  const skips = r.scenarios.filter((s) => s.status === 'skip');
  if (skips.length) out.push(`### Skipped (${skips.length})`, '', '| Scenario | Reason |', '|---|---|', ...skips.map((s) => `| \`${s.id}\` | ${cell(s.skipReason ?? '')} |`), '');
  const broken = r.environments.filter((e) => e.error);
  if (broken.length) out.push(`### Environments that did not start (${broken.length})`, '', ...broken.map((e) => `- \`${e.key}\`: ${cell(e.error!.split('\n')[0]!)}`), '');
  return out.join('\n');
}
