import { describe, expect, it } from 'vitest';
import { fixtureRun } from './fixtures.ts';
import { gridColumn, gridRow, renderGrid } from './html-grid.ts';

describe('the audience compatibility grid', () => {
  const html = renderGrid(fixtureRun().results);

  it('has one table per profile and cert-manager release', () => {
    expect([...html.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1])).toEqual(['aks-like · cert-manager v1.19.5', 'kind · cert-manager v1.16.5']);
  });

  it('rows are auth · reviewer · role audience, columns the Issuer audiences', () => {
    const [ready] = fixtureRun().results.filter((r) => r.plan.id === 'k8s-client-jwt-api-audience-ready');
    expect(gridRow(ready!.plan)).toBe('kubernetes · client-jwt · role audience (none)');
    expect(gridColumn(ready!.plan)).toBe('${cluster.apiAudience}');
  });

  it('each cell names the outcome and who refused, linked to the scenario; an uncovered combination is a gap', () => {
    expect(html).toContain('<a href="#s-k8s-role-audience-mismatch" data-id="k8s-role-audience-mismatch">✓ vault-role-audience (Vault role check)</a>');
    expect(html).toContain('✗ issuer differs from the oracle (predicted apiserver-audience (API server))');
    expect(html.match(/class="gap"/g)).toHaveLength(1);
    expect(html).not.toMatch(/class="gap"[^>]*>[^<]*✓/);
  });
});
