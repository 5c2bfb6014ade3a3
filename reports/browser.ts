// Debian's Chromium driven by playwright-core, with a fresh profile and every non-file request aborted.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// playwright-core is loaded when a browser starts: it is large, and most commands never render a page
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the browser cannot be used here, or undefined when it can. */
export function chromiumMissing(path = CHROMIUM_PATH): string | undefined {
  return existsSync(path) ? undefined : `${path} is not installed (apt-get update && apt-get install -y chromium)`;
}

export interface OfflineBrowser {
  context: BrowserContext;
  /** Requests that were aborted because they were not file:// URLs. */
  blocked: string[];
  close(): Promise<void>;
}

export async function launchOffline(opts: { viewport?: { width: number; height: number } } = {}): Promise<OfflineBrowser> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const userDataDir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-chromium-'));
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport ?? { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    offline: false,
  });
  const blocked: string[] = [];
  await context.route(
    (url) => url.protocol !== 'file:',
    (route) => {
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  return {
    context,
    blocked,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
