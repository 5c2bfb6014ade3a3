// report.html in real Chromium, offline: every non-file request is aborted.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchOffline, type OfflineBrowser } from './browser.ts';
import { fixtureRun, ISSUER_PERMISSION_DENIED, OPENBAO_SKIP_REASON } from './fixtures.ts';
import { renderHtml } from './html.ts';
import { toJUnit } from './junit.ts';

const FAILING = 'k8s-client-jwt-default-audience-refused';
const READY = 'k8s-client-jwt-api-audience-ready';

describe('report.html in Chromium', { timeout: 60_000 }, () => {
  let dir: string;
  let browser: OfflineBrowser;
  let page: Page;
  const consoleErrors: string[] = [];
  const visibleIds = () => page.$$eval('details.scenario', (ds) => ds.filter((d) => (d as HTMLElement).offsetParent !== null).map((d) => (d as HTMLElement).dataset.id!));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-html-'));
    await writeFile(join(dir, 'report.html'), renderHtml(fixtureRun()));
    browser = await launchOffline();
    page = await browser.context.newPage();
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const reset = async () => {
    await page.fill('#q', '');
    await page.uncheck('#failures-only');
    for (const dim of ['profile', 'certManager', 'auth', 'placement', 'engine']) await page.selectOption(`select[data-dim="${dim}"]`, '');
  };

  it('shows every scenario, fetches nothing and logs no error', async () => {
    expect((await visibleIds()).sort()).toEqual(fixtureRun().results.map((r) => r.plan.id).sort());
    expect(await page.textContent('#shown')).toBe('5 of 5 scenarios');
    expect(browser.blocked).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('really is offline: a non-file URL is aborted', async () => {
    const other = await browser.context.newPage();
    await expect(other.goto('http://127.0.0.1:9/')).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT|ERR_FAILED/);
    await other.close();
    expect(browser.blocked).toEqual(['http://127.0.0.1:9/']);
    browser.blocked.length = 0;
  });

  it('typing an id leaves exactly that row, even when it prefixes another id', async () => {
    await reset();
    await page.fill('#q', READY);
    expect(await visibleIds()).toEqual([READY]);
    expect(await page.textContent('#shown')).toBe('1 of 5 scenarios');
    await page.fill('#q', 'audience-ready');
    expect((await visibleIds()).sort()).toEqual([READY, `${READY}-openbao`]);
    await page.fill('#q', 'no scenario has this');
    expect(await visibleIds()).toEqual([]);
    expect(await page.isVisible('#empty')).toBe(true);
  });

  it('"failures only" shows only the failures', async () => {
    await reset();
    await page.check('#failures-only');
    const ids = await visibleIds();
    expect(ids).toEqual([FAILING]);
    const statuses = await page.$$eval('details.scenario', (ds) => ds.filter((d) => (d as HTMLElement).offsetParent !== null).map((d) => (d as HTMLElement).dataset.status));
    expect(statuses).toEqual(['fail']);
  });

  it('filters per dimension and regroups by another', async () => {
    await reset();
    await page.selectOption('select[data-dim="profile"]', 'aks-like');
    expect(await visibleIds()).toEqual(['jwt-bound-audience-mismatch-aks']);
    await reset();
    await page.selectOption('select[data-dim="engine"]', 'openbao v2.6.2');
    expect(await visibleIds()).toEqual([`${READY}-openbao`]);
    await reset();
    await page.selectOption('#group-by', 'engine');
    const groups = await page.$$eval('section.group', (gs) => gs.map((g) => (g as HTMLElement).dataset.group));
    expect(groups).toEqual(['openbao v2.6.2', 'vault v1.21.0']);
    expect(await page.textContent('section.group[data-group="vault v1.21.0"] h2')).toBe('Engine: vault v1.21.0 4 scenarios · 1 failed');
    await page.selectOption('#group-by', 'profile');
  });

  it('expanding a failure shows the exact error text', async () => {
    await reset();
    const row = page.locator(`details[data-id="${FAILING}"]`);
    const observed = row.locator('.side[data-side="issuer"] pre.observed');
    expect(await observed.isVisible()).toBe(false);
    await row.locator('summary').click();
    expect(await observed.isVisible()).toBe(true);
    expect(await observed.innerText()).toBe(`Ready=False VaultError: ${ISSUER_PERMISSION_DENIED}`);
    expect(await row.locator('.side[data-side="issuer"] pre.observed mark').first().innerText()).toBe('calling');
  });

  it('expanding a skipped scenario shows its reason', async () => {
    await reset();
    const row = page.locator(`details[data-id="${READY}-openbao"]`);
    await row.locator('summary').click();
    expect(await row.locator('.skip-reason .reason').innerText()).toBe(OPENBAO_SKIP_REASON);
  });

  it('the audience grid shows outcomes and gaps, and a cell link opens its scenario in the list', async () => {
    await reset();
    // ci-scope: the label of a fixture report (reports/fixtures.ts); nothing is provisioned for it
    const grid = page.locator('section.grid-table[data-grid="kind · cert-manager v1.16.5"]');
    expect(await grid.isVisible()).toBe(true);
    const gap = grid.locator('td.gap');
    expect(await gap.count()).toBe(1);
    expect(await gap.innerText()).toBe('gap');
    const row = page.locator('details[data-id="k8s-role-audience-mismatch"]');
    expect(await row.getAttribute('open')).toBeNull();
    await grid.locator('a[data-id="k8s-role-audience-mismatch"]').click();
    expect(await row.getAttribute('open')).toBe('');
    expect(await row.locator('.side[data-side="issuer"] pre.observed').isVisible()).toBe(true);
    expect(browser.blocked).toEqual([]);
  });

  it("Chromium's XML parser accepts the JUnit report", async () => {
    const error = await page.evaluate((xml) => new DOMParser().parseFromString(xml, 'application/xml').querySelector('parsererror')?.textContent ?? null, toJUnit(fixtureRun()));
    expect(error).toBeNull();
  });
});
