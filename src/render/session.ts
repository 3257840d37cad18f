import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import type { RuntimeTool } from '../core/types.js';
import { WebMCPRenderError } from './errors.js';
import { installModelContextShim } from './model-context-shim.js';
import { sanitizeRuntimeTools } from './runtime-tools.js';
import { repairSelectors, serializeLiveDom, type SerializeResult } from './serialize-dom.js';
import { originOf, type ResolvedTarget } from './target.js';

/** Limits of one page render. All required here: the pool fills them from its defaults. */
export interface SessionLimits {
  navigationTimeoutMs: number;
  idleTimeoutMs: number;
  idleQuietMs: number;
  sameOrigin: boolean;
  maxElements: number;
  maxHtmlChars: number;
  maxNavigations: number;
  viewport: { width: number; height: number };
}

/** The live page after loading, as a person would see it. */
export interface RenderedPage {
  /** The serialised live DOM (open shadow roots as `<template shadowrootmode>`). */
  html: string;
  /** The document's URL after redirects and script navigations. */
  url: string;
  title: string;
  /** HTTP status of the main document, when it came over HTTP. */
  status?: number;
  /** Tools the page registered through W3C WebMCP while loading, validated. */
  tools: RuntimeTool[];
  stats: {
    elements: number;
    hiddenMarked: number;
    shadowRoots: number;
    navigations: number;
    blockedRequests: number;
    popupsClosed: number;
    dialogsDismissed: number;
    /** The load did not finish in time; what was there was used. */
    partial: boolean;
    durationMs: number;
  };
}

/** An open page inside the pool, valid only during the callback given to the pool. */
export interface RenderSession {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Waits for the page to settle (bounded) and serialises it. Later navigations are refused from then on. */
  snapshot(): Promise<RenderedPage>;
  /**
   * After `snapshot()`: for selectors (from analysing that snapshot) that do not resolve on the live page,
   * a selector for the live element each one meant, or `null` when there is none to give.
   */
  repairSelectors(selectors: string[]): Promise<Array<string | null>>;
}

/** Page-side defaults for dialogs: nothing may block the page or wait for a person. */
function silenceDialogs(): void {
  const w = window as unknown as Record<string, unknown>;
  w.alert = () => undefined;
  w.confirm = () => false;
  w.prompt = () => null;
  w.print = () => undefined;
}

/**
 * Closed shadow roots hold controls a person sees and uses, but neither serialisation nor any CSS
 * engine can reach into them: created open instead, they are read and selected like open ones.
 * (Only `attachShadow`: a declarative `shadowrootmode="closed"` is parsed by the browser itself.)
 */
export function openShadowRoots(): void {
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (this: Element, init: ShadowRootInit): ShadowRoot {
    return attach.call(this, { ...init, mode: 'open' });
  };
}

function isDestroyedContext(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /Execution context was destroyed|navigat|Target closed|frame was detached/i.test(msg);
}

/** Opens a fresh context + page on `browser`, wired with the pool's protections, and navigates to the target. */
export async function openSession(browser: Browser, target: ResolvedTarget, limits: SessionLimits, deadline: number): Promise<RenderSession> {
  const started = Date.now();
  const remaining = (): number => Math.max(1, deadline - Date.now());
  const nonce = '__webmcp_' + randomBytes(12).toString('hex');
  // Attribute that tags interactive elements in the page's own copy of the snapshot; unguessable by the page.
  const refAttr = 'data-wr' + randomBytes(8).toString('hex');
  const stats = { navigations: 0, blockedRequests: 0, popupsClosed: 0, dialogsDismissed: 0 };

  const context = await browser.newContext({
    acceptDownloads: false,
    serviceWorkers: 'block',
    viewport: limits.viewport,
    locale: 'en-US',
    javaScriptEnabled: true,
  });
  try {
    context.setDefaultTimeout(limits.navigationTimeoutMs);
    await context.addInitScript(silenceDialogs);
    await context.addInitScript(openShadowRoots);
    await context.addInitScript(installModelContextShim, nonce);
    const page = await context.newPage();

    // Popups (window.open, target=_blank) are closed at once; the main page is the only one we read.
    context.on('page', (p) => {
      if (p === page) return;
      stats.popupsClosed++;
      p.close().catch(() => {
        // Already closing with the context: nothing to do.
      });
    });
    page.on('dialog', (d) => {
      // The init script silences alert/confirm/prompt; this catches beforeunload and frames it missed.
      stats.dialogsDismissed++;
      d.dismiss().catch(() => {
        // The dialog went away with its page.
      });
    });

    let frozen = false;
    let inflight = 0;
    let lastActivity = Date.now();
    const onStart = (): void => {
      inflight++;
      lastActivity = Date.now();
    };
    const onEnd = (): void => {
      inflight = Math.max(0, inflight - 1);
      lastActivity = Date.now();
    };
    page.on('request', onStart);
    page.on('requestfinished', onEnd);
    page.on('requestfailed', onEnd);

    const handle = async (route: Route): Promise<void> => {
      const req = route.request();
      const url = req.url();
      let mainNavigation = false;
      try {
        mainNavigation = req.isNavigationRequest() && req.frame() === page.mainFrame();
      } catch (err) {
        void err; // requests without a frame (workers) are not navigations
      }
      if (mainNavigation) {
        const foreign = limits.sameOrigin && originOf(url) !== target.origin;
        // 204 No Content keeps the current document (HTML "navigate" step): aborting would show an error page.
        if (frozen || foreign || stats.navigations >= limits.maxNavigations) {
          stats.blockedRequests++;
          await route.fulfill({ status: 204, body: '' });
          return;
        }
        stats.navigations++;
        if (target.html !== undefined && url === target.url) {
          await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: target.html });
          return;
        }
        await route.continue();
        return;
      }
      if (limits.sameOrigin && originOf(url) !== target.origin) {
        stats.blockedRequests++;
        await route.abort('blockedbyclient');
        return;
      }
      await route.continue();
    };
    await context.route('**/*', (route) =>
      handle(route).catch(() => {
        // The context closed while the request was pending (timeout or end of session).
      }),
    );
    if (limits.sameOrigin) {
      await context.routeWebSocket(/.*/, (ws) => {
        if (originOf(ws.url().replace(/^ws/, 'http')) === target.origin) ws.connectToServer();
        else {
          stats.blockedRequests++;
          ws.close({ code: 1008, reason: 'blocked' }).catch(() => {
            // Socket already gone.
          });
        }
      });
    }

    let status: number | undefined;
    let partial = false;
    try {
      const response = await page.goto(target.url, { waitUntil: 'load', timeout: Math.min(limits.navigationTimeoutMs, remaining()) });
      status = response?.status();
    } catch (err) {
      // A page that never fires `load` (endless script, hanging resource) is still read as it stands,
      // provided a document was committed at all.
      if (page.url() === 'about:blank' || /net::ERR_|NS_ERROR|Cannot navigate/i.test(String((err as Error).message))) {
        throw new WebMCPRenderError('navigation', 'The page could not be loaded', { cause: err });
      }
      partial = true;
    }

    const waitForQuiet = async (): Promise<void> => {
      const until = Math.min(Date.now() + limits.idleTimeoutMs, deadline);
      while (Date.now() < until) {
        if (inflight === 0 && Date.now() - lastActivity >= limits.idleQuietMs) return;
        await new Promise((r) => setTimeout(r, Math.min(50, limits.idleQuietMs)));
      }
      partial = partial || inflight > 0;
    };

    const readOnce = async (): Promise<{ dom: SerializeResult; tools: unknown }> => {
      const dom = await page.evaluate(serializeLiveDom, { maxElements: limits.maxElements, maxChars: limits.maxHtmlChars, refAttr });
      const tools = await page.evaluate((n) => {
        const read = (window as unknown as Record<string, unknown>)[n];
        return typeof read === 'function' ? (read as () => unknown)() : [];
      }, nonce);
      return { dom, tools };
    };

    const snapshot = async (): Promise<RenderedPage> => {
      if (!partial) await waitForQuiet();
      frozen = true;
      let result: { dom: SerializeResult; tools: unknown } | undefined;
      for (let attempt = 0; attempt < 3 && !result; attempt++) {
        try {
          result = await readOnce();
        } catch (err) {
          // A navigation that started before we froze replaces the document under us: read the new one.
          if (!isDestroyedContext(err) || attempt === 2) throw err;
          await page.waitForLoadState('domcontentloaded', { timeout: remaining() }).catch(() => {
            partial = true;
          });
        }
      }
      const { dom, tools } = result as { dom: SerializeResult; tools: unknown };
      if (!dom.ok) throw new WebMCPRenderError('too-large', 'The page is too large to analyse');
      return {
        html: dom.html,
        url: dom.url,
        title: dom.title,
        ...(status !== undefined ? { status } : {}),
        tools: sanitizeRuntimeTools(tools),
        stats: {
          elements: dom.elements,
          hiddenMarked: dom.hidden,
          shadowRoots: dom.shadowRoots,
          navigations: stats.navigations,
          blockedRequests: stats.blockedRequests,
          popupsClosed: stats.popupsClosed,
          dialogsDismissed: stats.dialogsDismissed,
          partial,
          durationMs: Date.now() - started,
        },
      };
    };

    const repair = async (selectors: string[]): Promise<Array<string | null>> =>
      selectors.length === 0 ? [] : page.evaluate(repairSelectors, { refAttr, selectors });

    return { page, context, snapshot, repairSelectors: repair };
  } catch (err) {
    await context.close().catch(() => {
      // Closing after a failed open: the error that matters is `err`.
    });
    throw err;
  }
}
