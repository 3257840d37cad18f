import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { WebMCPRenderError } from './errors.js';

/**
 * Flags for the system Chromium. The background-networking group keeps Chromium from phoning home
 * (blocked networks otherwise see a burst of refused connections at every start).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--mute-audio',
];

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium binary: explicit option, then `WEBMCP_CHROMIUM`, then the usual system paths. Never a download. */
export function resolveChromium(explicit?: string): string {
  const path = explicit ?? process.env.WEBMCP_CHROMIUM ?? CANDIDATES.find((p) => existsSync(p));
  if (!path || !existsSync(path)) {
    throw new WebMCPRenderError('browser', 'No Chromium found: install the system chromium package or set WEBMCP_CHROMIUM');
  }
  return path;
}

/** Starts one headless Chromium with a fresh, throw-away profile (Playwright makes one per launch). */
export async function launchChromium(executablePath: string, extraArgs: readonly string[] = []): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS, ...extraArgs],
      timeout: 30_000,
    });
  } catch (err) {
    throw new WebMCPRenderError('browser', 'Chromium could not be started', { cause: err });
  }
}
