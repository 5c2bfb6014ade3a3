// The matrix page's CSS. Verdict colours are dark text on light tints (contrast ≥ 7:1), and every
// colour is paired with a symbol (✓ ✗ ! ⊘ —), so nothing depends on telling colours apart.
export const STYLE = `
:root {
  --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; --card: #ffffff;
  --pass-bg: #dcfce7; --pass-ink: #14532d; --pass-edge: #16a34a;
  --fail-bg: #fee2e2; --fail-ink: #7f1d1d; --fail-edge: #dc2626;
  --skip-bg: #e5e7eb; --skip-ink: #374151; --skip-edge: #6b7280;
  --cnr-bg: #fef3c7; --cnr-ink: #78350f; --cnr-edge: #d97706;
  --mark: #fde68a;
  --cols: minmax(300px, 1fr) 88px repeat(6, 96px) 64px;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
  color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace; font-size: 12.5px; }
header.top { padding: 20px 28px 14px; background: var(--card); border-bottom: 1px solid var(--line); }
header.top h1 { margin: 0 0 4px; font-size: 22px; font-weight: 650; letter-spacing: -0.01em; }
header.top h1 .backend { font-size: 13px; font-weight: 600; vertical-align: middle; margin-left: 8px; padding: 2px 8px; border-radius: 999px; background: #ddf4ff; color: #0a3069; }
.when { margin: 0 0 12px; color: var(--muted); }
.totals { display: flex; gap: 8px; flex-wrap: wrap; margin-bottom: 12px; }
.pill { padding: 3px 12px; border-radius: 999px; font-weight: 600; border: 1px solid transparent; }
.pill.pass, .badge.pass { background: var(--pass-bg); color: var(--pass-ink); border-color: #86efac; }
.pill.fail, .badge.fail { background: var(--fail-bg); color: var(--fail-ink); border-color: #fca5a5; }
.pill.skip, .badge.skip { background: var(--skip-bg); color: var(--skip-ink); border-color: #cbd5e1; }
.pill.could-not-run, .badge.could-not-run { background: var(--cnr-bg); color: var(--cnr-ink); border-color: #fcd34d; }
.badge.na { color: var(--muted); background: transparent; border-color: transparent; }
dl.versions { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 0; color: var(--muted); }
dl.versions div { display: flex; gap: 6px; }
dl.versions dt::after { content: ":"; }
dl.versions dd { margin: 0; color: var(--ink); font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.sticky { position: sticky; top: 0; z-index: 2; background: var(--bg); border-bottom: 1px solid var(--line); }
form.filters { display: flex; flex-wrap: wrap; align-items: end; gap: 10px 14px; padding: 12px 28px 10px; }
form.filters label { display: flex; flex-direction: column; gap: 3px; font-size: 12px; font-weight: 600; color: var(--muted); }
form.filters label.check { flex-direction: row; align-items: center; gap: 6px; font-size: 13.5px; color: var(--ink); padding-bottom: 6px; }
form.filters input[type=search] { width: 240px; }
form.filters input, form.filters select { font: inherit; padding: 5px 8px; border: 1px solid #8c959f; border-radius: 6px; background: #fff; color: var(--ink); }
form.filters input:focus-visible, form.filters select:focus-visible, summary:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
#shown { margin-left: auto; color: var(--muted); padding-bottom: 6px; }
.row { display: grid; grid-template-columns: var(--cols); gap: 8px; align-items: center; padding: 8px 28px 8px 24px; }
.row.head { font-size: 12px; font-weight: 650; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; padding-top: 6px; padding-bottom: 6px; border-top: 1px solid var(--line); }
.row.head span:not(:first-child) { text-align: center; }
main { padding: 0 0 24px; }
section.group > h2 { margin: 0; padding: 14px 28px 6px; font-size: 15px; font-weight: 650; }
section.group > h2 .dim { color: var(--muted); font-weight: 500; }
section.group > h2 small { color: var(--muted); font-weight: 500; font-size: 12.5px; margin-left: 8px; }
details.scenario { margin: 0 16px 6px; background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--skip-edge); border-radius: 8px; }
details.scenario.pass { border-left-color: var(--pass-edge); }
details.scenario.fail { border-left-color: var(--fail-edge); }
details.scenario.could-not-run { border-left-color: var(--cnr-edge); }
details.scenario > summary { list-style: none; cursor: pointer; padding-left: 8px; padding-right: 12px; border-radius: 8px; }
details.scenario > summary::-webkit-details-marker { display: none; }
details.scenario > summary:hover { background: #f3f4f6; }
.id { display: flex; flex-direction: column; min-width: 0; }
.id code { font-size: 13px; font-weight: 600; overflow-wrap: anywhere; }
.id code::before { content: "▸"; display: inline-block; width: 14px; color: var(--muted); transition: transform .12s; }
details[open] > summary .id code::before { transform: rotate(90deg); }
.id small { color: var(--muted); padding-left: 14px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge { justify-self: center; min-width: 72px; text-align: center; padding: 2px 8px; border-radius: 6px; font-weight: 600; font-size: 12.5px; border: 1px solid transparent; white-space: nowrap; }
.skip-inline { grid-column: span 4; color: var(--skip-ink); background: var(--skip-bg); border-radius: 6px; padding: 2px 10px; font-size: 12.5px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
.nowrap { white-space: nowrap; }
.time { text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; font-size: 12.5px; }
.body { padding: 4px 16px 14px 30px; border-top: 1px solid var(--line); }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 10px 0; }
.chip { font-size: 12px; padding: 1px 8px; border-radius: 999px; background: #eef1f4; color: #24292f; border: 1px solid var(--line); }
.chip b { font-weight: 600; color: var(--muted); margin-right: 4px; }
.skip-reason { margin: 10px 0; padding: 10px 12px; border-radius: 6px; background: var(--skip-bg); color: var(--skip-ink); }
.skip-inline.could-not-run, .skip-reason.could-not-run { background: var(--cnr-bg); color: var(--cnr-ink); }
.sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 10px; }
.sides.differ { grid-template-columns: 1fr; margin-bottom: 10px; }
.side { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; background: #fcfcfd; min-width: 0; }
.side.fail { border-color: #fca5a5; background: #fff7f7; }
.side h3 { margin: 0 0 6px; font-size: 13px; }
.side.pass h3 { color: var(--pass-ink); }
.side.fail h3 { color: var(--fail-ink); }
.side dl { margin: 0; display: grid; grid-template-columns: 70px 1fr; gap: 4px 8px; }
.side dt { color: var(--muted); font-size: 12px; padding-top: 2px; }
.side dd { margin: 0; min-width: 0; }
.side pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.side mark { background: var(--mark); color: inherit; border-radius: 2px; }
.meta { margin: 10px 0 0; color: var(--muted); font-size: 12.5px; }
.meta a { color: #0969da; }
.empty { margin: 24px 28px; color: var(--muted); }
section.environments { margin: 8px 28px 32px; }
section.environments h2 { font-size: 15px; }
section.environments table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); }
section.environments th, section.environments td { text-align: left; padding: 6px 10px; border-top: 1px solid var(--line); vertical-align: top; }
section.environments td.error { color: var(--fail-ink); }
`;
