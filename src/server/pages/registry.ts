import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { decodeHtml } from '../../core/encoding.js';
import { WebMCPConfigError } from '../../errors.js';
import type { WebMCPDocument, WebMCPElement } from '../../core/types.js';
import type { ResolvedPage } from '../config/resolve.js';
import type { Logger } from '../logger.js';

/** What the registry needs from the core: `WebMCPProcessor#process`. */
export interface PageAnalyzer {
  process(html: string, options: { url: string }): Promise<WebMCPDocument>;
}

/**
 * Analyses what a browser shows (webmcp/render) for `render: true` pages: a URL the browser loads,
 * or the page file's HTML served as the page's URL.
 */
export type PageRenderer = (target: { url: string; html?: string }) => Promise<WebMCPDocument>;

export interface PageState {
  readonly id: string;
  readonly config: ResolvedPage;
  /** The current document, or null while the page could not be analysed. */
  readonly document: WebMCPDocument | null;
  readonly analyzedAt: string | null;
  /** Operator-facing reason the page has no (fresh) document. */
  readonly error: string | null;
}

export interface PageRegistry {
  /** Analyses every page; a page whose file cannot be read or analysed is a config error. */
  start(): Promise<void>;
  get(id: string): PageState | undefined;
  list(): PageState[];
  /** Re-reads one page now (used by the watcher and by tests). */
  refresh(id: string): Promise<void>;
  close(): void;
}

export interface PageRegistryOptions {
  analyzer: PageAnalyzer;
  /** Required when a page says `render: true`. */
  renderer?: PageRenderer;
  logger: Logger;
  /** Fetches pages configured by `url` only. */
  fetch?: typeof fetch;
  /** Milliseconds to wait for more file events before re-analysing. */
  debounceMs?: number;
  /** Largest page accepted (bytes). */
  maxPageBytes?: number;
  /** Watch html files for changes (default true). */
  watch?: boolean;
}

const DEFAULT_MAX_PAGE_BYTES = 10 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 15_000;
/** A remote page that failed is retried at most this often, on access. */
const RETRY_MS = 30_000;

interface Entry {
  id: string;
  config: ResolvedPage;
  document: WebMCPDocument | null;
  analyzedAt: string | null;
  error: string | null;
  /** mtime + size of the file last analysed, to skip events that changed nothing. */
  fingerprint: string | null;
  lastAttempt: number;
  pending: Promise<void> | null;
}

/**
 * Keeps the configured pages' WebMCP documents. Files are watched through their folder (so an
 * editor that replaces the file by rename is seen too) and re-analysed after a short debounce;
 * a failed re-analysis keeps the previous document and logs the reason.
 */
export function createPageRegistry(pages: Readonly<Record<string, ResolvedPage>>, options: PageRegistryOptions): PageRegistry {
  const entries = new Map<string, Entry>();
  for (const [id, config] of Object.entries(pages)) {
    entries.set(id, { id, config, document: null, analyzedAt: null, error: null, fingerprint: null, lastAttempt: 0, pending: null });
  }
  const watchers: FSWatcher[] = [];
  const timers = new Map<string, NodeJS.Timeout>();
  const intervals: NodeJS.Timeout[] = [];
  const debounceMs = options.debounceMs ?? 100;
  const maxBytes = options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES;
  const doFetch = options.fetch ?? fetch;
  let closed = false;

  async function load(entry: Entry): Promise<{ html: string; fingerprint: string | null }> {
    const { config } = entry;
    if (config.html) {
      const info = await stat(config.html);
      if (info.size > maxBytes) throw new Error(`page file is larger than ${maxBytes} bytes`);
      const html = decodeHtml(await readFile(config.html));
      return { html, fingerprint: `${info.mtimeMs}:${info.size}` };
    }
    const response = await doFetch(config.url!, {
      redirect: 'follow',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    if (!response.ok) throw new Error(`fetching the page answered ${response.status}`);
    const text = await response.text();
    if (text.length > maxBytes) throw new Error(`page is larger than ${maxBytes} bytes`);
    return { html: text, fingerprint: null };
  }

  async function analyse(entry: Entry, force: boolean, strict = false): Promise<void> {
    entry.lastAttempt = Date.now();
    // Without a public URL the document gets a reserved placeholder, never the server's file path.
    const url = entry.config.url ?? `https://page.invalid/${encodeURIComponent(entry.id)}`;
    let document: WebMCPDocument;
    let fingerprint: string | null = null;
    if (entry.config.render && !entry.config.html) {
      // The browser loads the page itself, scripts and all.
      document = await renderer()({ url });
    } else {
      const loaded = await load(entry);
      fingerprint = loaded.fingerprint;
      if (!force && fingerprint !== null && fingerprint === entry.fingerprint) return;
      document = entry.config.render ? await renderer()({ url, html: loaded.html }) : await options.analyzer.process(loaded.html, { url });
    }
    const missing = missingActions(entry.config, document);
    if (missing.length > 0) {
      const known = [...actionElements(document).keys()].slice(0, 20).join(', ') || 'none';
      const reason = `the page has no action element named ${missing[0]} (actions: ${known})`;
      if (strict) throw new WebMCPConfigError(`pages.${entry.id}.actions.${missing[0]}`, reason);
      options.logger.warn({ page: entry.id, actions: missing }, 'configured actions are no longer in the page document');
    }
    entry.analyzedAt = new Date().toISOString();
    entry.document = withAnalysisTime(document, entry.analyzedAt);
    entry.fingerprint = fingerprint;
    entry.error = null;
  }

  function renderer(): PageRenderer {
    if (!options.renderer) throw new Error('rendering is not available');
    return options.renderer;
  }

  function refreshEntry(entry: Entry, force: boolean): Promise<void> {
    // One analysis per page at a time; a change during it schedules another through the watcher.
    if (entry.pending) return entry.pending;
    entry.pending = analyse(entry, force)
      .catch((error: unknown) => {
        entry.error = error instanceof Error ? error.message : String(error);
        options.logger.error({ page: entry.id, err: entry.error }, 'page analysis failed; keeping the previous document');
      })
      .finally(() => {
        entry.pending = null;
      });
    return entry.pending;
  }

  function schedule(entry: Entry): void {
    if (closed) return;
    clearTimeout(timers.get(entry.id));
    timers.set(
      entry.id,
      setTimeout(() => {
        timers.delete(entry.id);
        void refreshEntry(entry, false).then(() => {
          if (entry.error === null) options.logger.info({ page: entry.id }, 'page re-analysed');
        });
      }, debounceMs),
    );
  }

  function watchFiles(): void {
    const byDir = new Map<string, Entry[]>();
    for (const entry of entries.values()) {
      if (!entry.config.html) continue;
      const dir = dirname(entry.config.html);
      byDir.set(dir, [...(byDir.get(dir) ?? []), entry]);
    }
    for (const [dir, list] of byDir) {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => {
        for (const entry of list) {
          if (filename === null || filename === basename(entry.config.html!)) schedule(entry);
        }
      });
      watcher.on('error', (error) => options.logger.warn({ dir, err: error.message }, 'page watcher failed'));
      watchers.push(watcher);
    }
  }

  return {
    async start() {
      for (const entry of entries.values()) {
        try {
          await analyse(entry, true, true);
        } catch (error) {
          if (error instanceof WebMCPConfigError) throw error;
          const where = entry.config.html ? `pages.${entry.id}.html` : `pages.${entry.id}.url`;
          if (entry.config.html) {
            throw new WebMCPConfigError(where, `cannot analyse the page: ${error instanceof Error ? error.message : String(error)}`, {
              cause: error,
            });
          }
          // A remote page may come back later: serve without it and retry on access.
          entry.error = error instanceof Error ? error.message : String(error);
          options.logger.warn({ page: entry.id, err: entry.error }, 'remote page unavailable at start; will retry');
        }
      }
      if (options.watch !== false) watchFiles();
      for (const entry of entries.values()) {
        if (entry.config.refreshIntervalMs === null) continue;
        const timer = setInterval(() => {
          if (!closed) void refreshEntry(entry, true);
        }, entry.config.refreshIntervalMs);
        // A schedule never keeps the process alive on its own.
        timer.unref();
        intervals.push(timer);
      }
    },
    get(id) {
      const entry = entries.get(id);
      if (!entry) return undefined;
      if (!entry.config.html && entry.document === null && Date.now() - entry.lastAttempt > RETRY_MS) {
        void refreshEntry(entry, true);
      }
      return entry;
    },
    list() {
      return [...entries.values()];
    },
    async refresh(id) {
      const entry = entries.get(id);
      if (entry) await refreshEntry(entry, true);
    },
    close() {
      closed = true;
      for (const w of watchers) w.close();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      for (const t of intervals) clearInterval(t);
    },
  };
}

/**
 * The document as served: `metadata.analyzed_at` says when the gateway analysed it. Only the top
 * two levels are copied; lazily counted token figures stay lazy.
 */
function withAnalysisTime(document: WebMCPDocument, analyzedAt: string): WebMCPDocument {
  if (document.metadata.analyzed_at) return document;
  return Object.freeze({ ...document, metadata: Object.freeze({ ...document.metadata, analyzed_at: analyzedAt }) });
}

/** The action elements of a document by name. */
export function actionElements(document: WebMCPDocument): Map<string, WebMCPElement> {
  const out = new Map<string, WebMCPElement>();
  for (const element of document.elements) if (element.role.startsWith('action.')) out.set(element.name, element);
  return out;
}

function missingActions(config: ResolvedPage, document: WebMCPDocument): string[] {
  const actions = actionElements(document);
  return Object.keys(config.actions).filter((name) => !actions.has(name));
}
