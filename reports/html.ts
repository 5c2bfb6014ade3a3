// report.html: one self-contained page (inline CSS and JS, no network). A row per scenario with a column
// per side; expanding a row shows each side's exact expected and observed text. Grouped and filtered
// by the matrix dimensions.
import { DIMENSIONS, dimensionsOf, type DimensionKey } from './dimensions.ts';
import { environmentOf } from './environment-of.ts';
import { evidenceDir, safeName } from './evidence.ts';
import { esc } from './html-escape.ts';
import { SCRIPT } from './html-script.ts';
import { GRID_SCRIPT, GRID_STYLE, renderGrid } from './html-grid.ts';
import { STYLE } from './html-style.ts';
import { durationMs, isSkipped, SIDE_LABELS, SIDES, sideOf, sideStatus, sideVerdictStatus, sortedResults, statusOf, summarize, totalsText, type ReportedResult, type RunReport, type SideStatus, type Status } from './model.ts';
import { COULD_NOT_RUN, couldNotRunReason } from '../runner/could-not-run.ts';
import type { SideVerdict } from '../scenarios/types.ts';

const MARK: Record<SideStatus, string> = { pass: '✓', fail: '✗', skip: '⊘', 'could-not-run': '!', 'n/a': '—', 'not-judged': '–' };
const WORD: Record<SideStatus, string> = { pass: 'pass', fail: 'fail', skip: 'skipped', 'could-not-run': COULD_NOT_RUN, 'n/a': 'not applicable', 'not-judged': 'not judged (not observable)' };
/** The verdict badge's word. */
const VERDICT: Record<Status, string> = { pass: 'pass', fail: 'fail', skip: 'skip', 'could-not-run': COULD_NOT_RUN };
const cls = (s: SideStatus) => (s === 'n/a' ? 'na' : s === 'not-judged' ? 'skip' : s);
const DEFAULT_GROUP: DimensionKey = 'profile';

/** `text` escaped, with the part that differs from `other` (between their common prefix and suffix) in <mark>. */
export function markDifference(text: string, other: string): string {
  let p = 0;
  while (p < text.length && p < other.length && text[p] === other[p]) p++;
  let s = 0;
  while (s < text.length - p && s < other.length - p && text[text.length - 1 - s] === other[other.length - 1 - s]) s++;
  const mid = text.slice(p, text.length - s);
  return esc(text.slice(0, p)) + (mid ? `<mark>${esc(mid)}</mark>` : '') + esc(text.slice(text.length - s));
}

/** 2025-11-28T15:38:00.000Z -> 2025-11-28 15:38:00 UTC (other strings unchanged). */
export function formatWhen(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

function formatMs(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function sidePanel(s: SideVerdict): string {
  const status: SideStatus = sideVerdictStatus(s);
  const expected = s.ok ? esc(s.expected) : markDifference(s.expected, s.observed);
  const observed = s.ok ? esc(s.observed) : markDifference(s.observed, s.expected);
  return `<section class="side ${cls(status)}" data-side="${s.side}"><h3>${MARK[status]} ${SIDE_LABELS[s.side]}</h3><dl><dt>expected</dt><dd><pre class="expected">${expected}</pre></dd><dt>observed</dt><dd><pre class="observed">${observed}</pre></dd></dl></section>`;
}

/** Sides that differ first, each across the full width (their texts are the long ones); agreeing sides side by side. */
function sidesBlock(sides: SideVerdict[]): string {
  const differ = sides.filter((s) => !s.ok);
  const agree = sides.filter((s) => s.ok);
  return [differ.length ? `<div class="sides differ">${differ.map(sidePanel).join('')}</div>` : '', agree.length ? `<div class="sides agree">${agree.map(sidePanel).join('')}</div>` : ''].join('');
}

function searchText(r: ReportedResult): string {
  const parts = [r.plan.id, r.plan.description, ...r.plan.tags];
  if (isSkipped(r)) parts.push(r.skipped);
  else for (const s of r.verdict.sides) parts.push(s.expected, s.observed);
  return parts.join('\n').toLowerCase();
}

function scenario(run: RunReport, r: ReportedResult, outDirRelative: string): string {
  const status = statusOf(r);
  const dims = dimensionsOf(r.plan);
  const data = DIMENSIONS.map((d) => ` data-${d.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${esc(dims[d.key])}"`).join('');
  const reason = isSkipped(r) ? (r.broken ? couldNotRunReason(r.skipped) : `skipped: ${r.skipped}`) : '';
  const sideBadges = isSkipped(r)
    ? `<span class="skip-inline ${status}" title="${esc(reason)}">${esc(reason)}</span>`
    : SIDES.map((side) => {
        const st = sideStatus(r, side);
        return `<span class="badge ${cls(st)}" data-side="${side}" aria-label="${SIDE_LABELS[side]}: ${WORD[st]}" title="${SIDE_LABELS[side]}: ${WORD[st]}">${MARK[st]} ${st === 'n/a' ? '' : st === 'not-judged' ? 'not judged' : st}</span>`;
      }).join('');
  const chips = DIMENSIONS.map((d) => `<span class="chip"><b>${esc(d.label)}</b>${esc(dims[d.key])}</span>`).join('') + r.plan.tags.map((t) => `<span class="chip"><b>tag</b>${esc(t)}</span>`).join('');
  const env = environmentOf(run, r.plan);
  const body = isSkipped(r)
    ? r.broken
      ? `<p class="skip-reason ${status}"><strong>Could not run:</strong> <span class="reason">${esc(couldNotRunReason(r.skipped).slice(COULD_NOT_RUN.length + 2))}</span>${r.missing?.length ? `<br>missing: ${r.missing.map((m) => `<code>${esc(m)}</code>`).join(', ')}` : ''}</p>`
      : `<p class="skip-reason"><strong>Skipped:</strong> <span class="reason">${esc(r.skipped)}</span></p>`
    : sidesBlock(SIDES.map((side) => sideOf(r, side)).filter((s): s is SideVerdict => !!s));
  const evidence = isSkipped(r)
    ? ''
    : ` · evidence: ${[...Object.keys(r.evidence).sort(), 'verdict.txt']
        .filter((n, i, a) => a.indexOf(n) === i)
        .map((n) => `<a href="${esc(`${evidenceDir(outDirRelative, r.plan.id)}/${safeName(n)}`)}">${esc(n)}</a>`)
        .join(', ')}`;
  const notes = isSkipped(r) || !r.notes.length ? '' : `<p class="meta">notes: ${r.notes.map(esc).join(' · ')}</p>`;
  return `<details class="scenario ${status}" id="s-${esc(r.plan.id)}" data-id="${esc(r.plan.id)}" data-status="${status}"${data} data-search="${esc(searchText(r))}">
<summary class="row"><span class="id"><code>${esc(r.plan.id)}</code><small>${esc(r.plan.description)}</small></span><span class="badge verdict ${status}">${MARK[status]} ${VERDICT[status]}</span>${sideBadges}<span class="time">${isSkipped(r) ? '' : formatMs(durationMs(r))}</span></summary>
<div class="body"><div class="chips">${chips}</div>${body}<p class="meta">source: <code>${esc(r.plan.source.file)}:${r.plan.source.line}</code> · environment: <code>${esc(r.plan.environmentKey)}</code>${env ? ` (up in ${formatMs(env.startupMs)})` : ''}${evidence}</p>${notes}</div>
</details>`;
}

function select(key: DimensionKey, label: string, values: string[]): string {
  return `<label>${esc(label)}<select data-dim="${key}"><option value="">all</option>${values.map((v) => `<option>${esc(v)}</option>`).join('')}</select></label>`;
}

export function renderHtml(run: RunReport): string {
  const results = sortedResults(run);
  const totals = summarize(results);
  const valuesOf = (key: DimensionKey) => [...new Set(results.map((r) => dimensionsOf(r.plan)[key]))].sort();
  const groups = valuesOf(DEFAULT_GROUP).map((value) => {
    const rs = results.filter((r) => dimensionsOf(r.plan)[DEFAULT_GROUP] === value);
    const failed = rs.filter((r) => statusOf(r) === 'fail').length;
    const couldNot = rs.filter((r) => statusOf(r) === 'could-not-run').length;
    return `<section class="group" data-group="${esc(value)}"><h2><span class="dim">Profile: </span>${esc(value)} <small>${rs.length} scenario${rs.length === 1 ? '' : 's'}${failed ? ` · ${failed} failed` : ''}${couldNot ? ` · ${couldNot} ${COULD_NOT_RUN}` : ''}</small></h2>
${rs.map((r) => scenario(run, r, '.')).join('\n')}
</section>`;
  });
  const title = `cm-vault-e2e · ${run.backend} · ${totalsText(totals)}${totals.notJudged ? `, ${totals.notJudged} with a side not judged` : ''}`;
  const labels = Object.fromEntries(DIMENSIONS.map((d) => [d.key, d.label]));
  const envRows = run.environments
    .map((e) => `<tr><td><code>${esc(e.key)}</code></td><td class="nowrap">${formatMs(e.startupMs)}</td><td>${e.notes.map(esc).join('<br>')}</td><td class="error">${esc(e.error ?? '')}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${STYLE}${GRID_STYLE}</style>
</head>
<body>
<header class="top">
<h1>cm-vault-e2e<span class="backend">${esc(run.backend)}</span></h1>
<p class="when">${esc(formatWhen(run.startedAt))} → ${esc(formatWhen(run.finishedAt))} · ${formatMs(Date.parse(run.finishedAt) - Date.parse(run.startedAt))} · ${run.environments.length} environment${run.environments.length === 1 ? '' : 's'}</p>
<div class="totals"><span class="pill pass">✓ ${totals.passed} passed</span><span class="pill fail">✗ ${totals.failed} failed</span>${totals.couldNotRun ? `<span class="pill could-not-run" title="to run, but did not (an environment that did not start, a pin not provisioned): no verdict">! ${totals.couldNotRun} ${COULD_NOT_RUN}</span>` : ''}<span class="pill skip">⊘ ${totals.skipped} skipped</span>${totals.notJudged ? `<span class="pill skip" title="a side the backend cannot observe: neither passed nor failed">– ${totals.notJudged} with a side not judged</span>` : ''}</div>
<dl class="versions">${Object.keys(run.versions)
    .sort()
    .map((k) => `<div><dt>${esc(k)}</dt><dd>${esc(run.versions[k]!)}</dd></div>`)
    .join('')}</dl>
</header>
<div class="sticky">
<form class="filters" role="search" onsubmit="return false">
<label>Search<input type="search" id="q" placeholder="id, description, error text  ( / )" autocomplete="off"></label>
<label>Group by<select id="group-by">${DIMENSIONS.map((d) => `<option value="${d.key}"${d.key === DEFAULT_GROUP ? ' selected' : ''}>${esc(d.label)}</option>`).join('')}</select></label>
${DIMENSIONS.map((d) => select(d.key, d.label, valuesOf(d.key))).join('\n')}
<label class="check"><input type="checkbox" id="failures-only">Failed or could not run only</label>
<output id="shown">${results.length} of ${results.length} scenarios</output>
</form>
<div class="row head"><span>Scenario</span><span>Verdict</span>${SIDES.map((s) => `<span>${SIDE_LABELS[s]}</span>`).join('')}<span>Time</span></div>
</div>
<main id="matrix">
${groups.join('\n')}
<p class="empty" id="empty" hidden>No scenario matches these filters.</p>
</main>
${renderGrid(results)}
<section class="environments"><h2>Environments</h2><table><thead><tr><th>Key</th><th>Start-up</th><th>Notes</th><th>Error</th></tr></thead><tbody>${envRows}</tbody></table></section>
<script type="application/json" id="dimension-labels">${JSON.stringify(labels).replace(/</g, '\\u003c')}</script>
<script>${SCRIPT}${GRID_SCRIPT}</script>
</body>
</html>
`;
}
