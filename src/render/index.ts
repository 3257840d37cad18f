/**
 * webmcp/render: analyse pages as a browser shows them, after scripts ran and stylesheets applied.
 * Optional entry: it drives the system Chromium through playwright-core; the core stays browser-free.
 */
export { createBrowserPool, type BrowserPool, type BrowserPoolOptions, type BrowserPoolStats, type RenderOptions } from './pool.js';
export type { RenderedPage, RenderSession } from './session.js';
export { SYNTHETIC_URL, type RenderTarget } from './target.js';
export { analyzeRendered, analyzeUrl, renderAndAnalyze, renderPage, type AnalyzeRenderedOptions, type RenderedAnalysis } from './analyze.js';
export { createRenderingProcessor, type RenderingProcessOptions, type RenderingProcessor, type RenderingProcessorOptions } from './rendering-processor.js';
export { WebMCPRenderError, type RenderFailure } from './errors.js';
export { sanitizeRuntimeTools } from './runtime-tools.js';
export { CHROMIUM_ARGS, resolveChromium } from './launch.js';
