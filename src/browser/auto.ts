/**
 * `webmcp/browser/auto`: include it and the page's tools are registered on load.
 *
 * ```html
 * <script src="/webmcp-auto.js"></script>                                  <!-- embedded description -->
 * <script src="/webmcp-auto.js" data-gateway="https://gw.example" data-page="login"></script>
 * ```
 * Built as one standalone file (no imports), usable as a classic or a module script. The controller
 * is kept on `globalThis.webmcpPageTools` so the page can unregister the tools (`.abort()`).
 */
import { registerPageTools } from './index.js';

const script = (document.currentScript ?? document.querySelector('script[data-page]')) as HTMLScriptElement | null;
const data = script?.dataset ?? {};
const controller = registerPageTools({
  page: data.page,
  gateway: data.gateway ? { baseUrl: data.gateway } : undefined,
});
(globalThis as { webmcpPageTools?: AbortController }).webmcpPageTools = controller;
// Nobody awaits an auto script: report a failure on the console instead of an unhandled rejection.
controller.ready.catch((err: unknown) => console.error(err instanceof Error ? err.message : err));
