// report.png: the matrix page as Chromium renders it, failures (and what could not run) expanded so the picture shows what differs.
import { pathToFileURL } from 'node:url';
import { launchOffline } from './browser.ts';

export async function renderPng(htmlPath: string, pngPath: string, opts: { expandFailures?: boolean; width?: number } = {}): Promise<void> {
  const browser = await launchOffline({ viewport: { width: opts.width ?? 1440, height: 900 } });
  try {
    const page = await browser.context.newPage();
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    if (opts.expandFailures ?? true) {
      await page.evaluate(() => {
        for (const d of document.querySelectorAll('details.scenario[data-status="fail"], details.scenario[data-status="could-not-run"]')) (d as HTMLDetailsElement).open = true;
      });
    }
    await page.screenshot({ path: pngPath, fullPage: true });
  } finally {
    await browser.close();
  }
}
