import type { Page } from 'playwright-core';
import { formatForModel } from '../core/format.js';
import { WebMCPProcessor, type ProcessOptions } from '../core/processor.js';
import { countTokens } from '../core/tokens.js';
import type { Diagnostic, TokenCounts, WebMCPDocument } from '../core/types.js';
import { createBrowserPool, type BrowserPool, type BrowserPoolOptions, type RenderOptions } from './pool.js';
import type { RenderedPage } from './session.js';
import type { RenderTarget } from './target.js';

export interface AnalyzeRenderedOptions extends Omit<ProcessOptions, 'url' | 'runtimeTools'>, RenderOptions {
  /** Pool to render in. Without one, a pool is started for this call and closed after it. */
  pool?: BrowserPool;
  /** Options for that temporary pool (ignored when `pool` is given). */
  browser?: BrowserPoolOptions;
  /** Processor that analyses the serialised page. Default: a new `WebMCPProcessor()`. */
  processor?: WebMCPProcessor;
  /**
   * Check every element selector on the live page (Playwright's CSS engine, which pierces open shadow
   * roots). A selector that does not match exactly one element there is rebuilt from the live element
   * it meant (diagnostic `RENDER_SELECTOR_REPAIRED`), or, when that is impossible, the element is left
   * out (`RENDER_SELECTOR_UNRESOLVED`). @default true
   */
  verifySelectors?: boolean;
}

/** Result of {@link renderAndAnalyze}: the document and the rendered page it came from. */
export interface RenderedAnalysis {
  document: WebMCPDocument;
  page: RenderedPage;
}

/** Elements checked at once against the live page. */
const VERIFY_BATCH = 16;

/** Matches per selector in the page's document with native CSS (`-1` when the browser rejects it). */
function nativeCounts(selectors: string[]): number[] {
  return selectors.map((sel) => {
    try {
      return document.querySelectorAll(sel).length;
    } catch (err) {
      void err; // a selector the browser's CSS parser rejects: reported as -1
      return -1;
    }
  });
}

/**
 * How many live elements each selector matches, the way agents resolve them: Playwright's CSS engine,
 * which pierces open shadow roots. Without shadow roots that engine and native `querySelectorAll` agree
 * on standard CSS, so a shadow-free page is checked in one round trip; anything else per selector.
 */
async function selectorCounts(page: Page, selectors: string[], shadowRoots: number): Promise<number[]> {
  const counts = shadowRoots === 0 ? await page.evaluate(nativeCounts, selectors) : selectors.map(() => -1);
  const recheck = counts.map((c, i) => (c < 0 ? i : -1)).filter((i) => i >= 0);
  for (let k = 0; k < recheck.length; k += VERIFY_BATCH) {
    const batch = recheck.slice(k, k + VERIFY_BATCH);
    const got = await Promise.all(
      batch.map((i) =>
        page
          .locator(selectors[i])
          .count()
          .catch(() => -1),
      ),
    );
    for (let j = 0; j < batch.length; j++) counts[batch[j]] = got[j];
  }
  return counts;
}

function freezeShallow<T extends object>(o: T): T {
  return Object.freeze(o);
}

/**
 * Rebuilds the core's (frozen) document for the live page: selectors that do not resolve to exactly
 * one live element are replaced by their repair, or their element is left out (a selector an agent
 * cannot use is worse than none); render facts go to `metadata`.
 */
function finishDocument(
  doc: WebMCPDocument,
  rendered: RenderedPage,
  counts: number[] | null,
  repaired: ReadonlyMap<number, string>,
  now: number,
): WebMCPDocument {
  const diagnostics: Diagnostic[] = [...(doc.metadata.diagnostics ?? [])];
  let elements = doc.elements;
  if (counts && counts.some((c) => c !== 1)) {
    elements = [];
    doc.elements.forEach((el, i) => {
      if (counts[i] === 1) {
        elements.push(el);
        return;
      }
      const fixed = repaired.get(i);
      if (fixed !== undefined) {
        elements.push(Object.freeze({ ...el, selector: fixed }));
        diagnostics.push({ code: 'RENDER_SELECTOR_REPAIRED', message: 'selector rebuilt on the live page', path: `elements.${el.name}` });
        return;
      }
      diagnostics.push({
        code: 'RENDER_SELECTOR_UNRESOLVED',
        message: counts[i] < 0 ? 'selector rejected by the browser' : `selector matches ${counts[i]} elements on the live page`,
        path: `elements.${el.name}`,
      });
    });
  }
  if (rendered.stats.partial) diagnostics.push({ code: 'RENDER_PARTIAL', message: 'the page had not finished loading; analysed what was there' });
  if (rendered.stats.blockedRequests > 0) {
    diagnostics.push({ code: 'RENDER_BLOCKED', message: `${rendered.stats.blockedRequests} requests or navigations were refused` });
  }
  const forms =
    elements === doc.elements
      ? doc.forms
      : doc.forms.map((f) => {
          const kept = new Set(elements.map((e) => e.name));
          return freezeShallow({ ...f, elements: f.elements.filter((n) => kept.has(n)) });
        });
  const out: WebMCPDocument = {
    ...doc,
    elements,
    forms,
    metadata: { ...doc.metadata, analyzed_at: new Date(now).toISOString() },
  };
  if (diagnostics.length > 0) out.metadata.diagnostics = diagnostics;
  if (elements !== doc.elements) {
    // The document text changed: count it again (lazily, like the core does).
    let docTokens: number | undefined;
    const base = doc.metadata.tokens;
    const tokens = { encoding: base.encoding } as TokenCounts;
    Object.defineProperty(tokens, 'html', { enumerable: true, get: () => base.html });
    Object.defineProperty(tokens, 'document', { enumerable: true, get: () => (docTokens ??= countTokens(formatForModel(out))) });
    out.metadata.tokens = tokens;
  }
  freezeShallow(out.metadata);
  return freezeShallow(out);
}

/**
 * Renders the target in headless Chromium, analyses the live DOM with the core pipeline (run-time
 * WebMCP tools included) and checks the selectors on the live page.
 */
export async function renderAndAnalyze(target: RenderTarget, options: AnalyzeRenderedOptions = {}): Promise<RenderedAnalysis> {
  const { pool: given, browser, processor: givenProcessor, verifySelectors = true, goal, level, ...renderOptions } = options;
  const pool = given ?? createBrowserPool(browser);
  const processor = givenProcessor ?? new WebMCPProcessor({ cache: false });
  try {
    return await pool.withSession(
      target,
      async (session) => {
        const page = await session.snapshot();
        // `shadowRoots` asks the core to attach `<template shadowrootmode>` contents as shadow trees
        // (HTML document parsing), which is how the serialised page encodes them.
        const processOptions: ProcessOptions & { shadowRoots: boolean } = {
          url: page.url.startsWith('http') ? page.url : undefined,
          ...(goal !== undefined ? { goal } : {}),
          ...(level !== undefined ? { level } : {}),
          runtimeTools: page.tools,
          shadowRoots: true,
        };
        const doc = await processor.process(page.html, processOptions);
        const selectors = doc.elements.map((e) => e.selector);
        const counts = verifySelectors ? await selectorCounts(session.page, selectors, page.stats.shadowRoots) : null;
        const repaired = new Map<number, string>();
        const failing = counts ? counts.map((c, i) => (c === 1 ? -1 : i)).filter((i) => i >= 0) : [];
        if (failing.length > 0) {
          // The analysed tree and the live DOM disagree here (markup HTML cannot express, e.g. a <div>
          // a script put inside a <p>): follow each element to the live page and select it there.
          const proposals = await session.repairSelectors(failing.map((i) => selectors[i]));
          const candidates = failing.map((i, k) => [i, proposals[k]] as const).filter((p): p is readonly [number, string] => p[1] !== null);
          const check = await selectorCounts(session.page, candidates.map((c) => c[1]), page.stats.shadowRoots);
          candidates.forEach(([i, sel], k) => {
            if (check[k] === 1) repaired.set(i, sel);
          });
        }
        return { document: finishDocument(doc, page, counts, repaired, Date.now()), page };
      },
      renderOptions,
    );
  } finally {
    if (!given) await pool.close();
  }
}

/**
 * The WebMCP document of the target as a browser shows it (see {@link renderAndAnalyze}).
 *
 * @example
 * import { analyzeRendered, createBrowserPool } from 'webmcp/render';
 * const pool = createBrowserPool({ sameOrigin: true });
 * const doc = await analyzeRendered('https://example.com/login', { pool });
 * await pool.close();
 */
export async function analyzeRendered(target: RenderTarget, options: AnalyzeRenderedOptions = {}): Promise<WebMCPDocument> {
  return (await renderAndAnalyze(target, options)).document;
}

/** {@link analyzeRendered} for a URL. */
export function analyzeUrl(url: string | URL, options: AnalyzeRenderedOptions = {}): Promise<WebMCPDocument> {
  return analyzeRendered(url, options);
}

/**
 * Loads the target and returns the serialised live DOM, final URL and run-time tools, without
 * analysing it. With no `pool`, a pool is started for this call and closed after it.
 */
export async function renderPage(target: RenderTarget, options: RenderOptions & { pool?: BrowserPool; browser?: BrowserPoolOptions } = {}): Promise<RenderedPage> {
  const { pool: given, browser, ...renderOptions } = options;
  const pool = given ?? createBrowserPool(browser);
  try {
    return await pool.render(target, renderOptions);
  } finally {
    if (!given) await pool.close();
  }
}
