import { HttpError } from '../http/problem.js';
import { asObject, readJson } from '../http/json.js';
import { defineRoutes, json } from '../route.js';

const ALLOWED_KEYS = new Set(['html', 'url']);

/** `POST /webmcp/analyze` `{html, url}` -> WebMCPDocument. */
export const analyzeRoutes = defineRoutes([
  {
    method: 'POST',
    path: '/webmcp/analyze',
    access: { scope: 'webmcp:read' },
    async handle(ctx, s) {
      const body = asObject(await readJson(ctx.request, s.config.bodyLimit));
      for (const key of Object.keys(body)) {
        if (!ALLOWED_KEYS.has(key)) throw new HttpError(400, 'invalid-request', 'unknown field in the body');
      }
      const { html, url } = body;
      if (typeof html !== 'string') throw new HttpError(400, 'invalid-request', '"html" must be a string');
      if (typeof url !== 'string' || !isHttpUrl(url)) throw new HttpError(400, 'invalid-request', '"url" must be an absolute http(s) URL');
      const document = await s.analyzer.process(html, { url });
      await s.audit(ctx, {
        action: 'analyze',
        outcome: 'ok',
        details: { url: new URL(url).origin + new URL(url).pathname, bytes: html.length, elements: document.elements.length },
      });
      return json(document);
    },
  },
]);

function isHttpUrl(value: string): boolean {
  if (value.length > 2048) return false;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    // Not parseable as a URL: that is the answer.
    return false;
  }
}
