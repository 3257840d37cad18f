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
   * roots) and leave out elements whose selector does not match exactly one element there, with a
   * diagnostic. @default true
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

async function selectorCounts(page: Page, selectors: readonly string[]): Promise<number[]> {
  const counts: number[] = new Array(selectors.length).fill(0);
  for (let i = 0; i < selectors.length; i += VERIFY_BATCH) {
    const batch = selectors.slice(i, i + VERIFY_BATCH);
    const got = await Promise.all(
      batch.map((sel) =>
        page
          .locator(sel)
          .count()
          .catch(() => -1),
      ),
    );
    for (let j = 0; j < got.length; j++) counts[i + j] = got[j];
  }
  return counts;
}

function freezeShallow<T extends object>(o: T): T {
  return Object.freeze(o);
}

/**
 * Rebuilds the core's (frozen) document for the live page: elements whose selector does not resolve to
 * exactly one live element are left out (a selector an agent cannot use is worse than none), and
 * render facts go to `metadata`.
 */
function finishDocument(doc: WebMCPDocument, rendered: RenderedPage, counts: number[] | null, now: number): WebMCPDocument {
  const diagnostics: Diagnostic[] = [...(doc.metadata.diagnostics ?? [])];
  let elements = doc.elements;
  if (counts) {
    const dropped = new Set<string>();
    elements = doc.elements.filter((el, i) => {
      if (counts[i] === 1) return true;
      dropped.add(el.name);
      diagnostics.push({
        code: 'RENDER_SELECTOR_UNRESOLVED',
        message: counts[i] < 0 ? 'selector rejected by the browser' : `selector matches ${counts[i]} elements on the live page`,
        path: `elements.${el.name}`,
      });
      return false;
    });
    if (dropped.size === 0) elements = doc.elements;
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
        const counts = verifySelectors ? await selectorCounts(session.page, doc.elements.map((e) => e.selector)) : null;
        return { document: finishDocument(doc, page, counts, Date.now()), page };
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
