import type { RequestContext } from './context.js';
import type { Method } from './router.js';
import type { GatewayServices } from './services.js';

/**
 * Who may call a route. `public`: anyone (no rate limit beyond the route's own). Otherwise the
 * caller must authenticate (Bearer token or browser session), holds `scope`, consumes one unit
 * of its IP's and its key's rate-limit budget, and passes CSRF on unsafe cookie requests.
 * `apiKey: true` also accepts an API key itself (`X-API-Key` or Basic), for scrapers.
 */
export type Access = 'public' | { scope: string; apiKey?: boolean };

/** One endpoint. Route modules export arrays of these; `routes/index.ts` collects them. */
export interface Route {
  method: Method;
  path: string;
  access: Access;
  handle(ctx: RequestContext, services: GatewayServices): Promise<Response>;
}

/** Helper keeping route modules typed without ceremony. */
export function defineRoutes(routes: Route[]): Route[] {
  return routes;
}

/** A JSON response (`no-store`: gateway answers are per caller). */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}
