import { describe, expect, it } from 'vitest';
import { fixtureRun, issuerMismatchFail, ISSUER_PERMISSION_DENIED } from './fixtures.ts';
import { esc } from './html-escape.ts';
import { formatWhen, markDifference, renderHtml } from './html.ts';

describe('renderHtml', () => {
  const html = renderHtml(fixtureRun());

  it('has a row for every scenario with its status and dimensions as data', () => {
    for (const r of fixtureRun().results) expect(html).toContain(`data-id="${r.plan.id}"`);
    expect(html.match(/<details class="scenario /g)).toHaveLength(5);
    expect(html).toContain('data-status="fail" data-profile="kind" data-cert-manager="v1.16.5" data-auth="kubernetes · client-jwt" data-placement="external" data-engine="vault v1.21.0"');
  });

  it('is self-contained: no external stylesheet, script, image, font or link target', () => {
    expect(html).not.toMatch(/<link\b|\bsrc=|@import|url\(/i);
    expect(html).not.toMatch(/href="(?!evidence\/|#s-)/);
    expect(html).toContain("default-src 'none'");
  });

  it('offers a select per dimension with every value present, plus group-by and failures-only', () => {
    for (const dim of ['profile', 'certManager', 'auth', 'placement', 'engine']) expect(html).toContain(`<select data-dim="${dim}">`);
    expect(html).toContain('<option>aks-like</option><option>kind</option>');
    expect(html).toContain('<option>v1.16.5</option><option>v1.19.5</option>');
    expect(html).toMatch(/<select id="group-by">.*<option value="engine">Engine<\/option>/);
    expect(html).toContain('id="failures-only"');
  });

  it('escapes whatever the components printed', () => {
    const r = issuerMismatchFail();
    r.verdict.sides[0]!.observed = '</pre><script>alert(1)</script>';
    const page = renderHtml(fixtureRun([r]));
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('links evidence files relative to the page', () => {
    expect(html).toContain('<a href="evidence/k8s-client-jwt-default-audience-refused/apiserver.log">apiserver.log</a>');
    expect(html).toContain('<a href="evidence/k8s-client-jwt-default-audience-refused/verdict.txt">verdict.txt</a>');
  });

  it('keeps the exact error text (only <mark> around the part that differs)', () => {
    const stripped = html.replace(/<\/?mark>/g, '');
    expect(stripped).toContain(esc(`Ready=False VaultError: ${ISSUER_PERMISSION_DENIED}`));
  });
});

describe('markDifference', () => {
  it('marks the differing middle of the text', () => {
    expect(markDifference('error calling Vault', 'error logging in to Vault')).toBe('error <mark>calling</mark> Vault');
    expect(markDifference('same', 'same')).toBe('same');
    expect(markDifference('a<b', 'a')).toBe('a<mark>&lt;b</mark>');
  });
});

describe('formatWhen', () => {
  it('turns ISO UTC timestamps into readable ones and leaves other text alone', () => {
    expect(formatWhen('2025-11-28T15:38:00.000Z')).toBe('2025-11-28 15:38:00 UTC');
    expect(formatWhen('yesterday')).toBe('yesterday');
  });
});
