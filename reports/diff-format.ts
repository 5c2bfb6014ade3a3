// The gating diff as plain text (logs) and as Markdown (a GitHub job summary).
import { couldNotRunReason } from '../runner/could-not-run.ts';
import { KIND_ORDER, KIND_TITLES, type ReportDiff, type ScenarioChange, type SideState } from './diff.ts';
import type { JsonScenario } from './json.ts';
import { SIDE_LABELS, SIDES, type Status } from './model.ts';

const MARK: Record<SideState | Status, string> = { pass: '✓', fail: '✗', absent: '—', skip: '⊘', 'could-not-run': '!', 'not-judged': '–' };

function sideMoves(c: ScenarioChange): string {
  const moved = c.sides.filter((s) => s.from !== s.to);
  return moved.map((s) => `${s.side} ${MARK[s.from]}→${MARK[s.to]}`).join(', ');
}

function why(s: JsonScenario): string[] {
  if (s.status === 'skip') return [`skipped: ${s.skipReason ?? ''}`];
  if (s.status === 'could-not-run') return [couldNotRunReason(s.skipReason ?? ''), ...(s.missing?.length ? [`missing: ${s.missing.join(', ')}`] : [])];
  return s.sides.filter((x) => x.status === 'fail').flatMap((x) => [`${x.side} expected: ${x.expected}`, `${x.side} observed: ${x.observed}`]);
}

export function diffText(d: ReportDiff): string {
  const lines = [`gate: ${d.gate.ok ? 'OK' : 'FAILED'}${d.gate.reasons.length ? ` (${d.gate.reasons.join('; ')})` : ''}`];
  for (const kind of KIND_ORDER) {
    const cs = d.changes.filter((c) => c.kind === kind);
    if (!cs.length) continue;
    lines.push('', `${KIND_TITLES[kind].toLowerCase()} (${cs.length}):`);
    for (const c of cs) {
      lines.push(`  ${c.id}: ${c.from} → ${c.to}${sideMoves(c) ? `  [${sideMoves(c)}]` : ''}`);
      for (const w of why(c.candidate)) lines.push(`      ${w.replaceAll('\n', '\n      ')}`);
    }
  }
  if (d.added.length) lines.push('', `new scenarios (${d.added.length}):`, ...d.added.map((s) => `  + ${s.id} (${s.status})`));
  if (d.removed.length) lines.push('', `removed scenarios (${d.removed.length}):`, ...d.removed.map((s) => `  - ${s.id} (was ${s.status})`));
  lines.push('', `unchanged: ${d.unchanged}`);
  return lines.join('\n') + '\n';
}

/** A fence longer than any backtick run inside, so no text can close it early. */
export function fenced(text: string, lang = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

export const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function changeRow(c: ScenarioChange): string {
  const sides = c.sides.map((s) => (s.from === s.to ? MARK[s.to] : `**${MARK[s.from]} → ${MARK[s.to]}**`));
  return `| \`${c.id}\` | ${MARK[c.from]} ${c.from} | ${MARK[c.to]} ${c.to} | ${sides.join(' | ')} |`;
}

export function diffMarkdown(d: ReportDiff): string {
  const out = [`### Gate: ${d.gate.ok ? '✅ no regressions' : '❌ failed'}`, ''];
  if (d.gate.reasons.length) out.push(...d.gate.reasons.map((r) => `- ${cell(r)}`), '');
  const header = `| Scenario | Was | Now | ${SIDES.map((s) => SIDE_LABELS[s]).join(' | ')} |`;
  const rule = `|---|---|---|${SIDES.map(() => '---').join('|')}|`;
  for (const kind of KIND_ORDER) {
    const cs = d.changes.filter((c) => c.kind === kind);
    if (!cs.length) continue;
    out.push(`#### ${KIND_TITLES[kind]} (${cs.length})`, '', header, rule, ...cs.map(changeRow), '');
    for (const c of cs.filter((x) => x.to !== 'pass')) {
      out.push(`<details><summary><code>${c.id}</code>: ${c.to === 'skip' ? 'skip reason' : c.to === 'could-not-run' ? 'why it could not run' : 'what differs'}</summary>`, '', fenced(why(c.candidate).join('\n')), '', '</details>', '');
    }
  }
  if (d.added.length) out.push(`#### New scenarios (${d.added.length})`, '', ...d.added.map((s) => `- \`${s.id}\`: ${MARK[s.status]} ${s.status}`), '');
  if (d.removed.length) out.push(`#### Removed scenarios (${d.removed.length})`, '', ...d.removed.map((s) => `- \`${s.id}\` (was ${s.status})`), '');
  out.push(`${d.unchanged} scenario${d.unchanged === 1 ? '' : 's'} unchanged.`, '');
  return out.join('\n');
}
