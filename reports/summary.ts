// One report as Markdown for a GitHub job summary: totals, versions, each failure's differing sides, what could not
// run and the pins it lacked, skip reasons.
import { COULD_NOT_RUN, couldNotRunReason } from '../runner/could-not-run.ts';
import { cell, fenced } from './diff-format.ts';
import type { JsonReport } from './json.ts';
import { totalsText } from './model.ts';

export function summaryMarkdown(r: JsonReport): string {
  const { total, failed, notJudged = 0 } = r.summary;
  const couldNot = r.scenarios.filter((s) => s.status === 'could-not-run');
  const out = [
    `## cm-vault-e2e (${r.backend}): ${failed || couldNot.length ? '❌' : '✅'} ${totalsText({ ...r.summary, couldNotRun: couldNot.length })} of ${total}${notJudged ? ` · ${notJudged} with a side not judged` : ''}`,
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
  if (couldNot.length) out.push(...couldNotRunSection(couldNot));
  const skips = r.scenarios.filter((s) => s.status === 'skip');
  if (skips.length) out.push(`### Skipped (${skips.length})`, '', '| Scenario | Reason |', '|---|---|', ...skips.map((s) => `| \`${s.id}\` | ${cell(s.skipReason ?? '')} |`), '');
  const broken = r.environments.filter((e) => e.error);
  if (broken.length) out.push(`### Environments that did not start (${broken.length})`, '', ...broken.map((e) => `- \`${e.key}\`: ${cell(e.error!.split('\n')[0]!)}`), '');
  return out.join('\n');
}

/** Scenarios that could not run: the pins the machine lacked (with the command that provisions them), then each reason. */
function couldNotRunSection(scenarios: JsonReport['scenarios']): string[] {
  const out = [`### Could not run (${scenarios.length}): no verdict, neither passed nor failed`, ''];
  const pins = [...new Set(scenarios.flatMap((s) => s.missing ?? []))].sort();
  if (pins.length) {
    const count = (pin: string) => scenarios.filter((s) => s.missing?.includes(pin)).length;
    out.push(`Pins not provisioned: ${pins.map((p) => `\`${p}\` (${count(p)} scenario${count(p) === 1 ? '' : 's'})`).join(', ')} — \`npx cm-vault-e2e provision --only ${pins.join(',')}\``, '');
  }
  out.push('| Scenario | Missing | Reason |', '|---|---|---|', ...scenarios.map((s) => `| \`${s.id}\` | ${(s.missing ?? []).map((m) => `\`${m}\``).join(', ')} | ${cell(couldNotRunReason(s.skipReason ?? '').slice(COULD_NOT_RUN.length + 2))} |`), '');
  return out;
}
