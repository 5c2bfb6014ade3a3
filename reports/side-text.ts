// The three-sided (plus certificate) expected/observed diff as plain text: a block per side,
// ✓/✗ in front, continuation lines indented under their value so multi-line Vault errors stay readable.
import type { SideVerdict, Verdict } from '../scenarios/types.ts';
import { SIDE_LABELS } from './model.ts';

const LABEL_WIDTH = '  expected: '.length;

function field(label: 'expected' | 'observed', value: string): string {
  const pad = ' '.repeat(LABEL_WIDTH);
  return `  ${label}: ${value.split('\n').join(`\n${pad}`)}`;
}

export function formatSide(s: SideVerdict): string {
  return [`${s.unobserved ? '–' : s.ok ? '✓' : '✗'} ${SIDE_LABELS[s.side]} (${s.side})${s.unobserved ? ' — not judged' : ''}`, field('expected', s.expected), field('observed', s.observed)].join('\n');
}

/** One line saying which sides differ, then a block per side. */
export function formatSides(v: Verdict): string {
  const differing = v.sides.filter((s) => !s.ok).map((s) => s.side);
  const head = differing.length
    ? `${v.id}: ${differing.length} of ${v.sides.length} sides differ (${differing.join(', ')})`
    : `${v.id}: all ${v.sides.length} sides agree`;
  return [head, ...v.sides.map(formatSide)].join('\n\n');
}
