// The audience compatibility grid: per profile and cert-manager release, one row per auth setup (method, who
// calls TokenReview, the role's audience or bound audiences) and one column per `serviceAccountRef.audiences`.
// Each cell holds the scenarios of that combination: the observed outcome, who refused, a link to the row in the
// list. A combination no scenario covers is a gap, drawn as one, never as a pass.
import type { FailureClass, Plan } from '../scenarios/types.ts';
import { dimensionsOf } from './dimensions.ts';
import { esc } from './html-escape.ts';
import { isSkipped, statusOf, type ReportedResult } from './model.ts';
import { COULD_NOT_RUN } from '../runner/could-not-run.ts';

const MARK = { pass: '✓', fail: '✗', skip: '⊘', 'could-not-run': '!' } as const;

/** Who stops the request, for each failure class. */
export const REFUSED_BY: Record<FailureClass, string> = {
  'apiserver-audience': 'API server',
  'reviewer-forbidden': 'RBAC',
  'token-request-forbidden': 'RBAC',
  'vault-role-audience': 'Vault role check',
  'jwt-bound-audience': 'JWT auth',
  'jwt-no-bound-audiences': 'JWT auth',
  'crd-unknown-field': 'CRD',
  'vault-mount-path': 'Vault (no auth mount)',
  'role-bound-service-account': 'Vault role check',
  'vault-policy-denied': 'Vault policy',
  'pki-role-denied': 'PKI role',
  'review-host': 'Vault config (kubernetes_host / CA)',
};

export function gridRow(p: Plan): string {
  if (p.auth.method === 'jwt') return `jwt · bound ${p.auth.boundAudiences.length ? p.auth.boundAudiences.join(', ') : '(none)'}`;
  return `kubernetes · ${p.auth.tokenReviewer} · role audience ${p.auth.roleAudience ?? '(none)'}`;
}

export function gridColumn(p: Plan): string {
  return p.issuer.audiences ? p.issuer.audiences.join(', ') : '(unset)';
}

/** The outcome a passing verdict observed: the scenario's expectation, which the observation matched on every side. */
function outcome(r: ReportedResult): string {
  if (isSkipped(r)) return r.broken ? COULD_NOT_RUN : 'skipped';
  const failure = r.prediction.failure;
  const observed = failure ? `${failure} (${REFUSED_BY[failure]})` : 'ready';
  const differing = r.verdict.sides.filter((x) => !x.ok).map((x) => x.side);
  return r.verdict.pass ? observed : `${differing.join(', ')} differ${differing.length === 1 ? 's' : ''} from the oracle (predicted ${observed})`;
}

function cell(results: ReportedResult[]): string {
  if (!results.length) return '<td class="gap" data-gap="true" title="no scenario covers this combination">gap</td>';
  const items = results.map((r) => {
    const status = statusOf(r);
    return `<li class="${status}"><a href="#s-${esc(r.plan.id)}" data-id="${esc(r.plan.id)}">${MARK[status]} ${esc(outcome(r))}</a><small>${esc(r.plan.issuer.kind)} · ${esc(r.plan.vault.engine)} · ${esc(r.plan.vault.placement)}</small></li>`;
  });
  return `<td><ul>${items.join('')}</ul></td>`;
}

export function renderGrid(results: readonly ReportedResult[]): string {
  const tables = new Map<string, ReportedResult[]>();
  for (const r of results) {
    const d = dimensionsOf(r.plan);
    const key = `${d.profile} · cert-manager ${d.certManager}`;
    tables.set(key, [...(tables.get(key) ?? []), r]);
  }
  const sections = [...tables.keys()].sort().map((key) => {
    const rs = tables.get(key)!;
    const rows = [...new Set(rs.map((r) => gridRow(r.plan)))].sort();
    const cols = [...new Set(rs.map((r) => gridColumn(r.plan)))].sort();
    const body = rows
      .map((row) => `<tr><th scope="row">${esc(row)}</th>${cols.map((col) => cell(rs.filter((r) => gridRow(r.plan) === row && gridColumn(r.plan) === col))).join('')}</tr>`)
      .join('');
    return `<section class="grid-table" data-grid="${esc(key)}"><h3>${esc(key)}</h3><table><thead><tr><th>auth · TokenReview caller · role/bound audiences ↓ &nbsp; serviceAccountRef.audiences →</th>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></section>`;
  });
  return `<section class="grid" id="grid"><h2>Audience compatibility grid</h2><p class="meta">Each cell: the observed outcome and who refused, linked to the scenario; “gap” = no scenario covers it.</p>${sections.join('\n')}</section>`;
}

export const GRID_STYLE = `
section.grid { padding: 8px 28px 20px; }
.grid-table { overflow-x: auto; margin-bottom: 18px; }
.grid-table h3 { margin: 8px 0; font-size: 14px; }
.grid-table table { border-collapse: collapse; background: var(--card); }
.grid-table th, .grid-table td { border: 1px solid var(--line); padding: 6px 8px; vertical-align: top; text-align: left; font-size: 12.5px; }
.grid-table thead th { background: var(--bg); font-weight: 600; }
.grid-table tbody th { font-weight: 500; white-space: nowrap; }
.grid-table ul { list-style: none; margin: 0; padding: 0; }
.grid-table li { margin: 2px 0; padding: 2px 6px; border-radius: 4px; }
.grid-table li small { display: block; color: var(--muted); }
.grid-table li.pass { background: var(--pass-bg); } .grid-table li.fail { background: var(--fail-bg); } .grid-table li.skip { background: var(--skip-bg); } .grid-table li.could-not-run { background: var(--cnr-bg); }
.grid-table li a { color: inherit; text-decoration: none; }
.grid-table td.gap { color: var(--muted); font-style: italic; background: repeating-linear-gradient(45deg, #fff, #fff 6px, #f3f4f6 6px, #f3f4f6 12px); }
`;

/** Following a grid link opens that scenario in the list. */
export const GRID_SCRIPT = `
(function () {
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var d = id && document.getElementById(id);
    if (d && d.tagName === 'DETAILS') { d.hidden = false; d.open = true; d.scrollIntoView(); }
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
})();
`;
