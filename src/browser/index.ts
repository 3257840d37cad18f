/**
 * `webmcp/browser`: registers a page's WebMCP tools with the browser's in-page agent surface
 * (W3C WebMCP). Zero dependencies; include it as an ES module, or use `webmcp/browser/auto`.
 *
 * @example
 * ```js
 * import { registerPageTools } from 'webmcp/browser';
 * const tools = registerPageTools();          // reads <script type="application/webmcp+json">
 * console.log(await tools.ready);             // ['login']
 * tools.abort();                              // unregisters them again
 * ```
 */
import { checkDescription, fetchGatewayDescription, readEmbeddedDescription } from './source.js';
import { buildPageTools } from './tools.js';
import type { ModelContextLike, ModelContextTool, PageDescription, PageToolsController, RegisterPageToolsOptions } from './types.js';

export { buildPageTools, toolName } from './tools.js';
export type * from './types.js';

/** Fired on `document` once the tools are registered; `detail.tools` lists their names. */
export const REGISTERED_EVENT = 'webmcp:registered';

/**
 * Builds the page's tools from its WebMCP description (given, read from the gateway, or embedded in
 * the page) and registers them with `document.modelContext`, falling back to
 * `navigator.modelContext`. Aborting the returned controller unregisters them; its `ready` promise
 * resolves to the registered names (empty when the browser has no WebMCP surface).
 */
export function registerPageTools(options: RegisterPageToolsOptions = {}): PageToolsController {
  const controller = new AbortController();
  const outer = options.signal;
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', () => controller.abort(outer.reason), { once: true, signal: controller.signal });
  const ready = start(options, controller);
  return Object.defineProperty(controller, 'ready', { value: ready, enumerable: true }) as PageToolsController;
}

async function start(options: RegisterPageToolsOptions, controller: AbortController): Promise<string[]> {
  const signal = controller.signal;
  const doc = options.document ?? globalThis.document;
  if (doc.readyState === 'loading') {
    await new Promise((resolve) => doc.addEventListener('DOMContentLoaded', resolve, { once: true }));
  }
  const surface = findSurface(doc, options.modelContext);
  if (!surface) return [];
  const description = await describe(options, doc);
  if (signal.aborted) return [];
  const tools = buildPageTools(description, doc, options.page);
  try {
    for (const tool of tools) await surface(tool, signal);
  } catch (err) {
    // All or nothing: a half-registered page would confuse the agent more than none.
    controller.abort(err);
    throw err;
  }
  const names = tools.map((t) => t.name);
  doc.dispatchEvent(new (doc.defaultView ?? globalThis).CustomEvent(REGISTERED_EVENT, { detail: { tools: names } }));
  return names;
}

async function describe(options: RegisterPageToolsOptions, doc: Document): Promise<PageDescription> {
  if (options.description) return checkDescription(options.description);
  if (options.gateway) {
    if (!options.page) throw new TypeError('webmcp: options.page is required with options.gateway');
    return fetchGatewayDescription(options.gateway, options.page);
  }
  const embedded = readEmbeddedDescription(doc);
  if (!embedded) throw new Error('webmcp: this page has no application/webmcp+json description');
  return embedded;
}

type Register = (tool: ModelContextTool, signal: AbortSignal) => Promise<unknown>;

/**
 * `document.modelContext` takes the signal and unregisters on abort. `navigator.modelContext`
 * (earlier drafts) is told with `unregisterTool(name)`.
 */
function findSurface(doc: Document, given?: ModelContextLike): Register | null {
  const fromDocument = (doc as Document & { modelContext?: ModelContextLike }).modelContext;
  const fromNavigator = (doc.defaultView?.navigator as (Navigator & { modelContext?: ModelContextLike }) | undefined)?.modelContext;
  const surface = given ?? fromDocument ?? fromNavigator;
  if (!surface || typeof surface.registerTool !== 'function') return null;
  const withSignal = surface === fromDocument || typeof surface.unregisterTool !== 'function';
  return async (tool, signal) => {
    if (withSignal) return surface.registerTool(tool, { signal });
    await surface.registerTool(tool);
    signal.addEventListener('abort', () => surface.unregisterTool?.(tool.name), { once: true });
  };
}
