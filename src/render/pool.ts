import type { Browser } from 'playwright-core';
import { isWebMCPError } from '../errors.js';
import { WebMCPRenderError } from './errors.js';
import { launchChromium, resolveChromium } from './launch.js';
import { openSession, type RenderedPage, type RenderSession, type SessionLimits } from './session.js';
import { resolveTarget, type RenderTarget } from './target.js';

export interface BrowserPoolOptions {
  /** Pages rendered at the same time; more wait in a queue. @default 2 */
  maxPages?: number;
  /** Renders allowed to wait; beyond this `render` fails at once with reason `busy`. @default 64 */
  maxQueue?: number;
  /** Budget for one page from the moment it gets a slot: load, settle, serialise, analyse. @default 30000 */
  pageTimeoutMs?: number;
  /** Budget for the main document's `load` event; past it the page is read as it stands. @default 15000 */
  navigationTimeoutMs?: number;
  /** Longest wait for the network to go quiet after `load`. @default 5000 */
  idleTimeoutMs?: number;
  /** How long the network must stay quiet to count as settled. @default 300 */
  idleQuietMs?: number;
  /** Abort requests (and refuse navigations) to any origin but the target's. @default false */
  sameOrigin?: boolean;
  /** Refuse pages with more elements than this (light + shadow). @default 150000 */
  maxElements?: number;
  /** Refuse pages whose serialised HTML is longer than this. @default 16 MiB of UTF-16 units */
  maxHtmlChars?: number;
  /** Main-frame navigations allowed per page (redirects, script navigations); later ones are refused. @default 8 */
  maxNavigations?: number;
  /** Chromium binary. @default `WEBMCP_CHROMIUM`, else `/usr/bin/chromium` */
  executablePath?: string;
  /** Extra Chromium flags, e.g. `--enable-features=WebMCP`. */
  args?: string[];
  viewport?: { width: number; height: number };
}

/** Per-call overrides of the pool's limits. */
export type RenderOptions = Pick<
  BrowserPoolOptions,
  'pageTimeoutMs' | 'navigationTimeoutMs' | 'idleTimeoutMs' | 'idleQuietMs' | 'sameOrigin' | 'maxElements' | 'maxHtmlChars' | 'maxNavigations'
>;

export interface BrowserPoolStats {
  active: number;
  queued: number;
  /** Browser launches so far (1 + restarts after crashes or stuck pages). */
  launches: number;
  completed: number;
  failed: number;
  timeouts: number;
}

export interface BrowserPool {
  /** Loads the target, lets it settle and returns the serialised live DOM plus run-time tools. */
  render(target: RenderTarget, options?: RenderOptions): Promise<RenderedPage>;
  /**
   * Runs `fn` with an open page for the target (not yet settled: call `session.snapshot()`), inside
   * the same slot, timeout and clean-up as `render`. The page is closed when `fn` settles.
   */
  withSession<T>(target: RenderTarget, fn: (session: RenderSession) => Promise<T>, options?: RenderOptions): Promise<T>;
  stats(): BrowserPoolStats;
  /** Refuses new work, fails queued work, closes open pages and the browser. Idempotent. */
  close(): Promise<void>;
}

const DEFAULTS: Required<Omit<BrowserPoolOptions, 'executablePath' | 'args'>> = {
  maxPages: 2,
  maxQueue: 64,
  pageTimeoutMs: 30_000,
  navigationTimeoutMs: 15_000,
  idleTimeoutMs: 5_000,
  idleQuietMs: 300,
  sameOrigin: false,
  maxElements: 150_000,
  maxHtmlChars: 16 * 1024 * 1024,
  maxNavigations: 8,
  viewport: { width: 1280, height: 800 },
};

/** How long closing a page's context may take before the whole browser is considered stuck. */
const CLOSE_GRACE_MS = 5_000;

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new TypeError(`${name} must be a positive integer`);
  return v;
}

function checkOptions(o: Required<Omit<BrowserPoolOptions, 'executablePath' | 'args'>>): void {
  for (const key of ['maxPages', 'maxQueue', 'pageTimeoutMs', 'navigationTimeoutMs', 'idleTimeoutMs', 'idleQuietMs', 'maxElements', 'maxHtmlChars', 'maxNavigations'] as const) {
    positiveInt(key, o[key]);
  }
  if (typeof o.sameOrigin !== 'boolean') throw new TypeError('sameOrigin must be a boolean');
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<typeof TIMED_OUT>((r) => (timer = setTimeout(() => r(TIMED_OUT), ms)))]).finally(() => clearTimeout(timer));
}
const TIMED_OUT = Symbol('timed out');

/**
 * One shared headless Chromium for many renders: at most `maxPages` pages at once (a FIFO queue
 * beyond), a hard per-page timeout, a fresh browser context per page (closed afterwards), dialogs
 * dismissed, downloads refused, popups closed, optional same-origin restriction. The browser starts on
 * first use and is restarted when it crashes or a page cannot be closed.
 *
 * @example
 * const pool = createBrowserPool({ maxPages: 2, sameOrigin: true });
 * const page = await pool.render('https://example.com/login');
 * console.log(page.html.length, page.tools);
 * await pool.close();
 */
export function createBrowserPool(options: BrowserPoolOptions = {}): BrowserPool {
  const config = { ...DEFAULTS, ...options, viewport: options.viewport ?? DEFAULTS.viewport };
  checkOptions(config);
  const executablePath = options.executablePath;
  const extraArgs = options.args ?? [];

  let browser: Promise<Browser> | null = null;
  let closed = false;
  let active = 0;
  const queue: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const openContexts = new Set<{ close(): Promise<void> }>();
  const counters = { launches: 0, completed: 0, failed: 0, timeouts: 0 };

  const getBrowser = (): Promise<Browser> => {
    if (browser) return browser;
    const launching = (async () => {
      const path = resolveChromium(executablePath);
      counters.launches++;
      const b = await launchChromium(path, extraArgs);
      b.on('disconnected', () => {
        if (browser === launching) browser = null;
      });
      return b;
    })();
    browser = launching;
    launching.catch(() => {
      if (browser === launching) browser = null;
    });
    return launching;
  };

  /** Kills a browser that no longer answers; the next render launches a new one. */
  const restartBrowser = async (stuck: Promise<Browser>): Promise<void> => {
    if (browser === stuck) browser = null;
    const b = await stuck.catch(() => null);
    if (b) await withTimeout(b.close().catch(() => undefined), CLOSE_GRACE_MS);
  };

  const acquire = (): Promise<void> => {
    if (closed) return Promise.reject(new WebMCPRenderError('closed', 'The browser pool is closed'));
    if (active < config.maxPages) {
      active++;
      return Promise.resolve();
    }
    if (queue.length >= config.maxQueue) return Promise.reject(new WebMCPRenderError('busy', 'Too many pages are waiting to be rendered'));
    return new Promise((resolve, reject) => queue.push({ resolve, reject }));
  };
  const release = (): void => {
    const next = queue.shift();
    if (next) next.resolve();
    else active--;
  };

  const withSession = async <T>(target: RenderTarget, fn: (s: RenderSession) => Promise<T>, overrides: RenderOptions = {}): Promise<T> => {
    const resolved = resolveTarget(target);
    const limits = { ...config, ...overrides };
    checkOptions({ ...limits, viewport: config.viewport });
    await acquire();
    const deadline = Date.now() + limits.pageTimeoutMs;
    let browserPromise: Promise<Browser> | null = null;
    let session: RenderSession | null = null;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const tracked = {
      close: async (): Promise<void> => {
        if (session) await session.context.close();
      },
    };
    openContexts.add(tracked);
    try {
      const work = (async () => {
        browserPromise = getBrowser();
        const b = await browserPromise;
        const opened = await openSession(b, resolved, { ...limits, viewport: config.viewport }, deadline);
        if (timedOut) {
          // The clean-up below already ran without this context: close it here.
          await withTimeout(opened.context.close().catch(() => undefined), CLOSE_GRACE_MS);
          throw new WebMCPRenderError('timeout', 'The page did not finish rendering in time');
        }
        session = opened;
        return fn(session);
      })();
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new WebMCPRenderError('timeout', 'The page did not finish rendering in time'));
        }, Math.max(1, deadline - Date.now()));
      });
      // The work promise may reject after the timeout won the race: that rejection is expected.
      work.catch(() => undefined);
      const value = await Promise.race([work, expired]);
      counters.completed++;
      return value;
    } catch (err) {
      counters.failed++;
      if (timedOut) counters.timeouts++;
      // Render failures, and typed errors from the caller's own work (e.g. the core refusing input), pass through.
      if (err instanceof WebMCPRenderError || (isWebMCPError(err) && !timedOut)) throw err;
      if (closed) throw new WebMCPRenderError('closed', 'The browser pool is closed', { cause: err });
      if (timedOut) throw new WebMCPRenderError('timeout', 'The page did not finish rendering in time', { cause: err });
      if (/Target crashed|Page crashed/i.test(err instanceof Error ? err.message : '')) {
        throw new WebMCPRenderError('crashed', 'The page crashed the renderer', { cause: err });
      }
      throw new WebMCPRenderError('browser', 'The page could not be rendered', { cause: err });
    } finally {
      clearTimeout(timer);
      openContexts.delete(tracked);
      const s = session as RenderSession | null;
      if (s) {
        // Closing the context ends its renderer even when page script is stuck in a loop.
        const r = await withTimeout(s.context.close().catch(() => undefined), CLOSE_GRACE_MS);
        if (r === TIMED_OUT && browserPromise) await restartBrowser(browserPromise);
      } else if (timedOut && browserPromise) {
        // The context never opened in time (browser hung while starting a page): start afresh next time.
        await restartBrowser(browserPromise);
      }
      release();
    }
  };

  return {
    render: (target, overrides) => withSession(target, (s) => s.snapshot(), overrides),
    withSession,
    stats: () => ({ active, queued: queue.length, ...counters }),
    async close() {
      if (closed) return;
      closed = true;
      for (const waiter of queue.splice(0)) waiter.reject(new WebMCPRenderError('closed', 'The browser pool is closed'));
      await Promise.all([...openContexts].map((c) => withTimeout(c.close().catch(() => undefined), CLOSE_GRACE_MS)));
      const b = browser;
      browser = null;
      if (b) {
        const instance = await b.catch(() => null);
        if (instance) await withTimeout(instance.close().catch(() => undefined), CLOSE_GRACE_MS);
      }
    },
  };
}
