import { LRUCache } from 'lru-cache';
import { WebMCPInputError } from '../errors.js';
import { applyDeclarations } from './declarations.js';
import { describePage } from './describe.js';
import { parseDocument } from './dom.js';
import { formatForModel } from './format.js';
import { cleanText } from './text.js';
import { countTokens } from './tokens.js';
import type { Diagnostic, OptimizationLevel, RuntimeTool, TokenCounts, WebMCPDocument } from './types.js';
import { walkPage } from './walk.js';

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

  constructor(options: ProcessorOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    const level = options.level ?? 'standard';
    if (level !== 'basic' && level !== 'standard' && level !== 'aggressive') throw new TypeError('options.level must be basic, standard or aggressive');
    this.level = level;
    this.now = options.now ?? Date.now;
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
    return this.processSync(html, options);
  }

  /** Synchronous form of {@link process}, for callers that cannot await. */
  processSync(html: string, options: ProcessOptions = {}): WebMCPDocument {
    if (typeof html !== 'string') throw new WebMCPInputError('ERR_INPUT', 'html must be a string');
    if (html.length > this.maxHtmlLength) throw new WebMCPInputError('ERR_INPUT', 'page is larger than the configured limit');
    const url = normaliseUrl(options.url);
    const level = options.level ?? this.level;
    const runtime = options.runtimeTools?.length ? options.runtimeTools : undefined;
    const shadowRoots = options.shadowRoots === true;
    const goal = options.goal === undefined ? undefined : cleanText(String(options.goal), 200);
    let key: string | undefined;
    if (this.cache && !runtime) {
      key = `${shadowRoots ? 'shadow\u0000' : ''}${level}\u0000${goal ?? ''}\u0000${url ?? ''}\u0000${html}`;
      const hit = this.cache.get(key);
      if (hit) return hit;
    }
    const doc = this.analyse(html, url, level, runtime, shadowRoots, goal);
    if (key && this.cache) this.cache.set(key, doc);
    return doc;
  }

  private analyse(html: string, url: string | undefined, level: OptimizationLevel, runtimeTools: RuntimeTool[] | undefined, shadowRoots = false, goal?: string): WebMCPDocument {
    const page = walkPage(parseDocument(html, { shadowRoots }));
    const described = describePage(page, url);
    const diagnostics: Diagnostic[] = [];
    const doc: WebMCPDocument = {
      version: '0.2',
      context: {},
      elements: described.elements,
      forms: described.forms,
      security: {},
      metadata: {
        generated_at: new Date(this.now()).toISOString(),
        optimization_level: level,
        tokens: undefined as unknown as TokenCounts,
      },
    };
    const title = cleanText(page.title, 200);
    if (title) doc.context.title = title;
    if (url) {
      doc.context.url = url;
      doc.metadata.page_url = url;
    }
    if (described.purpose) doc.context.purpose = described.purpose;
    const lang = cleanText(page.language, 35);
    if (lang) doc.context.language = lang;
    const description = cleanText(page.description, 200);
    if (description) doc.context.description = description;
    if (this.csrfHeader && (described.csrfField || page.csrfMeta)) {
      doc.security.csrf = { header_name: this.csrfHeader };
      const field = cleanText(described.csrfField ?? page.csrfMeta, 100);
      if (field) doc.security.csrf.token_field = field;
    }
    doc.security.jwt = { header_name: 'Authorization', encryption: this.jwe ? 'JWE' : 'none' };
    applyDeclarations(doc, page, described, diagnostics);
    if (runtimeTools) doc.tools = runtimeTools.map(cleanRuntimeTool);
    if (goal) doc.metadata.goal = goal;
    if (diagnostics.length) doc.metadata.diagnostics = diagnostics;
    doc.metadata.tokens = lazyTokenCounts(html, doc);
    return deepFreeze(doc);
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

function cleanRuntimeTool(t: RuntimeTool): RuntimeTool {
  const out: RuntimeTool = { name: cleanText(String(t.name), 64) };
  const d = cleanText(typeof t.description === 'string' ? t.description : '', 500);
  if (d) out.description = d;
  if (t.inputSchema && typeof t.inputSchema === 'object') out.inputSchema = JSON.parse(JSON.stringify(t.inputSchema)) as Record<string, unknown>;
  if (t.annotations && typeof t.annotations === 'object') out.annotations = JSON.parse(JSON.stringify(t.annotations)) as Record<string, unknown>;
  return out;
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
