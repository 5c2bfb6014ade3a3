import { couldNotRunReason } from '../runner/could-not-run.ts';
import { isSkipped, type Outcome } from '../runner/run.ts';

export function formatOutcome(o: Outcome): string {
  if (isSkipped(o)) return o.broken ? `!  ${o.plan.id}  ${couldNotRunReason(o.skipped)}${o.missing?.length ? ` (not provisioned: ${o.missing.join(', ')})` : ''}` : `-  ${o.plan.id}  skipped: ${o.skipped}`;
  const head = `${o.verdict.pass ? '✓' : '✗'}  ${o.plan.id}  (${(o.verdict.durationMs / 1000).toFixed(1)}s)`;
  if (o.verdict.pass) return head;
  const sides = o.verdict.sides
    .filter((s) => !s.ok)
    .map((s) => `   ${s.stage ? `${s.stage} ` : ''}${s.side}:\n     expected: ${indent(s.expected)}\n     observed: ${indent(s.observed)}`);
  return [head, ...sides].join('\n');
}

const indent = (s: string) => s.replaceAll('\n', '\n               ');
