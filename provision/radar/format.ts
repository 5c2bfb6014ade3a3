import { actionable, type ComponentRow, type PinRow, type Radar } from './radar.ts';

const HEADER = ['component', 'pinned', 'newest of line', 'newest served', 'end of life', 'note'] as const;

function eolText(p: PinRow): string {
  if (!p.eol) return 'no date known';
  return p.eol.past ? `${p.eol.date} (past)` : p.eol.date;
}

function note(c: ComponentRow, p: PinRow, first: boolean): string {
  if (c.failure) return `${c.failure.registry} did not answer`;
  const parts: string[] = [];
  if (p.patchBehind) parts.push(`newer patch ${p.newestPatch}${p.unlisted ? ' (served, not in the list)' : ''}${p.newestPinned ? ', pinned too' : ''}${p.triedWhy ? `, tried here and does not build: ${p.triedWhy}` : ''}`);
  else if (!p.newestPatch) parts.push(`${p.line} not listed`);
  if (p.eol?.past) parts.push('past end of life');
  if (first && c.newerLines.length) parts.push(`newer lines: ${c.newerLines.join(', ')}`);
  if (c.default === p.version) parts.push('default');
  return parts.join('; ');
}

function rows(r: Radar): string[][] {
  return r.components.flatMap((c) =>
    c.pins.map((p, i) => [i === 0 ? c.name : '', p.version, p.newestPatch ?? '—', i === 0 ? (c.newest ?? '—') : '', eolText(p), note(c, p, i === 0)]),
  );
}

export function summaryLine(r: Radar): string {
  const pins = r.components.flatMap((c) => c.pins);
  const behind = pins.filter((p) => p.patchBehind).length;
  const open = pins.filter(actionable).length;
  const eol = pins.filter((p) => p.eol?.past).length;
  const failed = r.components.filter((c) => c.failure);
  const tail = failed.length ? `; no answer for ${failed.map((c) => c.name).join(', ')}` : '';
  const settled = behind - open ? ` (${behind - open} of them settled: that patch is pinned too, or tried here and does not build)` : '';
  return `${pins.length} pin(s) of ${r.components.length} component(s) on ${r.today}: ${behind} behind a newer patch of their line${settled}, ${eol} past end of life${tail}`;
}

function sources(r: Radar): string[] {
  const seen = new Map<string, string>();
  for (const c of r.components) for (const p of c.pins) if (p.eol) seen.set(`${c.name} ${p.line}`, p.eol.source);
  return [...seen].map(([what, src]) => `${what}: ${src}`);
}

export function formatRadarText(r: Radar): string {
  const all = [[...HEADER], ...rows(r)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const lines = all.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  const src = sources(r);
  return [...lines, '', summaryLine(r), ...(src.length ? ['', 'end-of-life dates:', ...src.map((s) => `  ${s}`)] : [])].join('\n') + '\n';
}

export function formatRadarMarkdown(r: Radar): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => ' --- ').join('|')}|`, ...rows(r).map((row) => `| ${row.map(esc).join(' | ')} |`)];
  const src = sources(r);
  return ['### Version radar', '', ...lines, '', summaryLine(r), ...(src.length ? ['', 'End-of-life dates:', ...src.map((s) => `- ${s}`)] : [])].join('\n') + '\n';
}
