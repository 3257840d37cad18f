import { LRUCache } from 'lru-cache';
import { WebMCPInputError } from '../errors.js';
import { analyseInWorker, WorkerLost } from './analysis-thread.js';
import { buildDocument, type BuildRequest } from './build-document.js';
import { formatForModel } from './format.js';
import { cleanText } from './text.js';
import { countTokens } from './tokens.js';
import type { OptimizationLevel, RuntimeTool, TokenCounts, WebMCPDocument } from './types.js';

export interface ProcessorOptions {
  /** Detail level of `formatForModel` for documents from this processor. Default `standard`. */
  level?: OptimizationLevel;
  /**
   * Cache of finished documents keyed by URL + the page's exact text. Entries expire after `ttlMs`.
   * `false` disables it. Default: 100 documents for 5 minutes, holding at most `maxChars` (64 Mi)
   * characters of page text.
   */
  cache?: false | { max?: number; ttlMs?: number; maxChars?: number };
  /** Pages larger than this (UTF-16 code units) are refused. Default 20 MiB. */
  maxHtmlLength?: number;
  /**
   * The webMCP `security` section (spec section 4). The processor records what the document
   * advertises (CSRF header, JWT header, JWE); validation happens in `webmcp/security`.
   */
  security?: { enableCSRF?: boolean; encryption?: { method?: string } } & Record<string, unknown>;
  /** Clock for `generated_at` and cache expiry (tests). */
  now?: () => number;
  /**
   * Run `process()` on the shared analysis thread (default true): steadier speed whatever the
   * host's heap looks like, and a free event loop. `processSync()` always runs in-thread.
   */
  thread?: boolean;
}

export interface ProcessOptions {
  /** The page's URL: resolves relative links and form actions, and keys the cache. */
  url?: string;
  /** Ranks forms and elements by relevance in the document's model text. */
  goal?: string;
  /** Tools the page registered at run time (W3C WebMCP), from `webmcp/render`. */
  runtimeTools?: RuntimeTool[];
  level?: OptimizationLevel;
  /**
   * Attach `<template shadowrootmode>` contents as shadow trees, as HTML document parsing does (the
   * serialised live DOM from `webmcp/render` encodes open shadow roots that way). Off by default:
   * in the static tree (parse5, as acceptance uses it) such templates are inert.
   */
  shadowRoots?: boolean;
}

const DEFAULT_MAX_HTML = 20 * 1024 * 1024;

/**
 * Turns HTML pages into WebMCP documents.
 *
 * @example
 * const p = new WebMCPProcessor();
 * const doc = await p.process(html, { url: 'https://example.com/login' });
 * console.log(formatForModel(doc, { goal: 'log in' }));
 */
export class WebMCPProcessor {
  private readonly level: OptimizationLevel;
  private readonly cache: LRUCache<string, WebMCPDocument> | null;
  private readonly maxHtmlLength: number;
  private readonly csrfHeader: string | null;
  private readonly jwe: boolean;
  private readonly now: () => number;
  private readonly thread: boolean;

  constructor(options: ProcessorOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    const level = options.level ?? 'standard';
    if (level !== 'basic' && level !== 'standard' && level !== 'aggressive') throw new TypeError('options.level must be basic, standard or aggressive');
    this.level = level;
    this.now = options.now ?? Date.now;
    this.thread = options.thread !== false;
    this.maxHtmlLength = options.maxHtmlLength ?? DEFAULT_MAX_HTML;
    const cache = options.cache ?? {};
    this.cache =
      cache === false
        ? null
        : new LRUCache<string, WebMCPDocument>({
            max: cache.max ?? 100,
            // Keys hold the page text itself (cheaper than hashing it); bound what they keep alive.
            maxSize: cache.maxChars ?? 64 * 1024 * 1024,
            sizeCalculation: (_doc, key) => key.length,
            ttl: cache.ttlMs ?? 5 * 60_000,
            ttlAutopurge: false,
            // Read the clock on every lookup: the default 1 ms resolution caches it across a synchronous burst.
            ttlResolution: 0,
            perf: { now: () => this.now() },
          });
    const sec = options.security ?? {};
    this.csrfHeader = sec.enableCSRF === false ? null : 'X-CSRF-Token';
    this.jwe = sec.encryption?.method !== 'none';
  }

  /** Analyses one page. Never throws on malformed HTML; throws `WebMCPInputError` for non-string or oversized input. */
  async process(html: string, options: ProcessOptions = {}): Promise<WebMCPDocument> {
    const job = this.prepare(html, options);
    if (job.hit) return job.hit;
    const threaded = this.thread ? analyseInWorker(job.request) : null;
    let doc: WebMCPDocument;
    if (!threaded) doc = buildDocument(job.request);
    else {
      try {
        doc = await threaded;
      } catch (err) {
        // The thread died under this request: answer it here; typed errors stand.
        if (!(err instanceof WorkerLost)) throw err;
        doc = buildDocument(job.request);
      }
    }
    return this.finish(job, doc);
  }

  /** Synchronous form of {@link process}, for callers that cannot await; always on the calling thread. */
  processSync(html: string, options: ProcessOptions = {}): WebMCPDocument {
    const job = this.prepare(html, options);
    return job.hit ?? this.finish(job, buildDocument(job.request));
  }

  private prepare(html: string, options: ProcessOptions): { request: BuildRequest; key?: string; hit?: WebMCPDocument } {
    if (typeof html !== 'string') throw new WebMCPInputError('ERR_INPUT', 'html must be a string');
    if (html.length > this.maxHtmlLength) throw new WebMCPInputError('ERR_INPUT', 'page is larger than the configured limit');
    const url = normaliseUrl(options.url);
    const level = options.level ?? this.level;
    const runtimeTools = options.runtimeTools?.length ? options.runtimeTools : undefined;
    const shadowRoots = options.shadowRoots === true;
    const goal = options.goal === undefined ? undefined : cleanText(String(options.goal), 200);
    const request: BuildRequest = {
      html, url, level, runtimeTools, shadowRoots, goal,
      generatedAt: new Date(this.now()).toISOString(),
      csrfHeader: this.csrfHeader,
      jwe: this.jwe,
    };
    if (!this.cache || runtimeTools) return { request };
    const key = `${shadowRoots ? 'shadow\u0000' : ''}${level}\u0000${goal ?? ''}\u0000${url ?? ''}\u0000${html}`;
    return { request, key, hit: this.cache.get(key) };
  }

  /** What only this thread can add: lazy token counts over the HTML, freezing, the cache entry. */
  private finish(job: { request: BuildRequest; key?: string }, doc: WebMCPDocument): WebMCPDocument {
    doc.metadata.tokens = lazyTokenCounts(job.request.html, doc);
    deepFreeze(doc);
    if (job.key && this.cache) this.cache.set(job.key, doc);
    return doc;
  }
}

/**
 * Token counts are exact (o200k_base) but computed on first read: counting a megabyte of HTML
 * costs more than analysing it, and most callers never look. Enumerable, so JSON includes them.
 */
function lazyTokenCounts(html: string, doc: WebMCPDocument): TokenCounts {
  let htmlTokens: number | undefined;
  let docTokens: number | undefined;
  const counts = { encoding: 'o200k_base' } as TokenCounts;
  Object.defineProperty(counts, 'html', { enumerable: true, get: () => (htmlTokens ??= countTokens(html)) });
  Object.defineProperty(counts, 'document', { enumerable: true, get: () => (docTokens ??= countTokens(formatForModel(doc))) });
  return counts;
}

function normaliseUrl(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  if (typeof url !== 'string') throw new WebMCPInputError('ERR_INPUT', 'url must be a string');
  try {
    return new URL(url).href;
  } catch (err) {
    if (err instanceof TypeError) throw new WebMCPInputError('ERR_INPUT', 'url is not an absolute URL');
    throw err;
  }
}

/** Documents are shared (cache, callers): freeze them so nobody changes one under another's feet. */
function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || Object.isFrozen(v)) continue;
    Object.freeze(v);
    for (const key of Object.keys(v)) {
      const desc = Object.getOwnPropertyDescriptor(v, key);
      if (desc && 'value' in desc) stack.push(desc.value);
    }
  }
  return value;
}
