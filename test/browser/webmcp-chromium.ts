// Shared by the webmcp-*.test.ts browser suites: Debian Chromium through playwright-core, with a
// fresh profile per launch, and the in-browser script bundled the way the package build does it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface LaunchedBrowser {
  context: BrowserContext;
  /** The context's first tab; suites reuse it (opening tabs is slow on a loaded machine). */
  page: Page;
  close(): Promise<void>;
}

/** Launches Chromium; `webmcp` adds `--enable-features=WebMCP` (the native `document.modelContext`). */
export async function launchChromium(webmcp: boolean): Promise<LaunchedBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'webmcp-chromium-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
  if (webmcp) args.unshift('--enable-features=WebMCP');
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args, headless: true });
  return {
    context,
    page: context.pages()[0] ?? (await context.newPage()),
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Bundles `webmcp/browser` (ESM) and `webmcp/browser/auto` (standalone) into `dir`. */
export async function bundleBrowserScripts(dir: string): Promise<{ auto: number; esm: number }> {
  // @ts-expect-error: a plain .mjs build script without type declarations
  const { bundleBrowser } = (await import('../../scripts/bundle-browser.mjs')) as {
    bundleBrowser(outdir: string): Promise<{ auto: number; esm: number }>;
  };
  return bundleBrowser(dir);
}
