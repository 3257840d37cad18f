import { WebMCPProcessor, type ProcessOptions, type ProcessorOptions } from '../core/processor.js';
import type { WebMCPDocument } from '../core/types.js';
import { renderAndAnalyze, type AnalyzeRenderedOptions } from './analyze.js';
import { createBrowserPool, type BrowserPool, type BrowserPoolOptions, type RenderOptions } from './pool.js';
import type { RenderTarget } from './target.js';

export interface RenderingProcessOptions extends ProcessOptions {
  /** Load the page in Chromium first and analyse the live DOM (scripts run, stylesheets applied). */
  render?: boolean;
  /** Per-call render limits (timeouts, same-origin, ...). */
  renderOptions?: RenderOptions;
}

export interface RenderingProcessorOptions extends ProcessorOptions {
  /** Share an existing pool; otherwise the processor owns one, started on first render. */
  pool?: BrowserPool;
  /** Options of the processor's own pool. */
  browser?: BrowserPoolOptions;
  /** See {@link AnalyzeRenderedOptions.verifySelectors}. @default true */
  verifySelectors?: boolean;
}

/** A `WebMCPProcessor` whose `process` also accepts `render: true`. */
export interface RenderingProcessor {
  /**
   * Without `render`, exactly the core's `process`. With `render: true`, the HTML is loaded into
   * Chromium as the document at `url` (relative resources resolve against it), scripts run, and the
   * live DOM is analysed.
   */
  process(html: string, options?: RenderingProcessOptions): Promise<WebMCPDocument>;
  /** Renders a URL (or `{ html, url }`, `{ file }`) and analyses the live page. */
  analyze(target: RenderTarget, options?: Omit<AnalyzeRenderedOptions, 'pool' | 'processor' | 'browser'>): Promise<WebMCPDocument>;
  /** The core processor used for analysis. */
  readonly processor: WebMCPProcessor;
  readonly pool: BrowserPool;
  /** Closes the pool when the processor owns it. */
  close(): Promise<void>;
}

/**
 * @example
 * import { createRenderingProcessor } from 'webmcp/render';
 * const p = createRenderingProcessor({ browser: { sameOrigin: true } });
 * const doc = await p.process(html, { url: 'https://example.com/app', render: true });
 * await p.close();
 */
export function createRenderingProcessor(options: RenderingProcessorOptions = {}): RenderingProcessor {
  const { pool: given, browser, verifySelectors, ...processorOptions } = options;
  const processor = new WebMCPProcessor(processorOptions);
  const pool = given ?? createBrowserPool(browser);
  const analyze = async (target: RenderTarget, o: Omit<AnalyzeRenderedOptions, 'pool' | 'processor' | 'browser'> = {}): Promise<WebMCPDocument> => {
    const { document } = await renderAndAnalyze(target, { verifySelectors, ...o, pool, processor });
    return document;
  };
  return {
    processor,
    pool,
    async process(html, o = {}) {
      const { render, renderOptions, runtimeTools, url, ...rest } = o;
      if (!render) return processor.process(html, { ...rest, ...(url !== undefined ? { url } : {}), ...(runtimeTools ? { runtimeTools } : {}) });
      if (typeof html !== 'string') throw new TypeError('html must be a string');
      return analyze(url !== undefined ? { html, url } : { html }, { ...rest, ...renderOptions });
    },
    analyze,
    async close() {
      if (!given) await pool.close();
    },
  };
}
