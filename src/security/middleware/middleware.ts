import type { MiddlewareHandler } from 'hono';
import type { Acl } from '../rbac/rbac.js';
import { createCore, type InternalContext } from './core.js';
import { expressAdapter, type ExpressMiddleware, type ExpressNext } from './express.js';
import { fastifyAdapter, sendThroughReply, type FastifyPlugin, type FastifyReplyLike, type FastifyRequestLike } from './fastify.js';
import { honoAdapter, type HonoSecurityEnv } from './hono.js';
import { sendWebResponse, type NodeRequestLike, type NodeResponseLike } from './node.js';
import type { ConnectionInfo, MiddlewareOptions, MiddlewareParts, SecurityContext, WebHandler } from './types.js';

interface HonoContextLike {
  req: { raw: Request };
  get?(key: string): unknown;
}

/**
 * What `sec.require(scope)` returns: usable as a route guard in every supported framework.
 * - Web: `sec.require('webmcp:write')(handler)` wraps a `(Request) => Promise<Response>` handler
 *   (and runs the whole middleware itself when `sec.handle` is not already around it).
 * - Express: `app.post('/x', sec.require('webmcp:write'), handler)`.
 * - Fastify: `app.post('/x', { preHandler: sec.require('webmcp:write') }, handler)`.
 * - Hono: `app.post('/x', sec.require('webmcp:write'), handler)`.
 */
export interface RequireGuard {
  (handler: WebHandler): (request: Request, connection?: ConnectionInfo) => Promise<Response>;
  (request: Request, next: WebHandler): Promise<Response>;
  (c: HonoContextLike, next: () => Promise<void>): Promise<Response | undefined>;
  (request: FastifyRequestLike, reply: FastifyReplyLike, done?: unknown): Promise<unknown>;
  (req: NodeRequestLike, res: NodeResponseLike, next: ExpressNext): void;
}

export interface SecurityMiddleware {
  /**
   * Runs `next` behind the security checks: rate limits, Bearer/API-key/session authentication,
   * CSRF for cookie-authenticated unsafe requests, and security headers on whatever comes back.
   */
  handle(request: Request, next: WebHandler, connection?: ConnectionInfo): Promise<Response>;
  /** Express 5 middleware: `app.use(sec.express())`. */
  express(): ExpressMiddleware;
  /** Fastify 5 plugin: `await app.register(sec.fastify())`. */
  fastify(): FastifyPlugin;
  /** Hono middleware: `app.use(sec.hono())`; `c.get('webmcp')` is the context. */
  hono(): MiddlewareHandler<HonoSecurityEnv>;
  /** Demands an authenticated caller holding `scope` (401 without one, 403 with too little scope or outside the ACL). */
  require(scope: string, options?: { acl?: Acl | null }): RequireGuard;
  /** The security context of a request (Web `Request`, Node/Express request, Fastify request, or Hono context). */
  context(of: Request | NodeRequestLike | FastifyRequestLike | HonoContextLike): SecurityContext | null;
}

/**
 * Builds the middleware from a security object's parts (what `createSecurity()` wires up).
 *
 * @example
 * const mw = createSecurityMiddleware(parts, { enableCSRF: config.enableCSRF });
 * export default { fetch: (req) => mw.handle(req, router) };
 */
export function createSecurityMiddleware(parts: MiddlewareParts, options: MiddlewareOptions = {}): SecurityMiddleware {
  const core = createCore(parts, options);
  const webContexts = new WeakMap<Request, InternalContext>();
  const nodeContexts = new WeakMap<object, InternalContext>();

  async function handle(request: Request, next: WebHandler, connection?: ConnectionInfo): Promise<Response> {
    const { ctx, refusal } = await core.begin(request, connection);
    webContexts.set(request, ctx);
    if (refusal) return refusal;
    let response: Response;
    try {
      response = await next(request);
      if (!(response instanceof Response)) throw new TypeError('handler did not return a Response');
      if (response.type === 'error') throw new TypeError('handler returned Response.error()');
    } catch (error) {
      return core.failure(ctx, error);
    }
    try {
      core.decorate(ctx, response.headers);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      // Immutable headers (a Response from fetch() or Response.redirect()): copy, then decorate.
      response = new Response(response.body, response);
      core.decorate(ctx, response.headers);
    }
    await core.settle(ctx, response.status);
    return response;
  }

  function lookup(of: unknown): InternalContext | null {
    if (of instanceof Request) return webContexts.get(of) ?? null;
    const o = of as { raw?: unknown; req?: { raw?: unknown } } | null;
    if (o && typeof o === 'object') {
      if (o.req?.raw instanceof Request) return webContexts.get(o.req.raw) ?? null;
      if (o.raw && typeof o.raw === 'object') return nodeContexts.get(o.raw) ?? null;
      return nodeContexts.get(o) ?? null;
    }
    return null;
  }

  function missing(): TypeError {
    return new TypeError('sec.require() needs the security middleware (sec.express()/fastify()/hono()) in front of it');
  }

  function requireScope(scope: string, { acl = null }: { acl?: Acl | null } = {}): RequireGuard {
    if (typeof scope !== 'string' || scope.length === 0) throw new TypeError('require() needs a scope');

    function guard(a: unknown, b?: unknown, c?: unknown): unknown {
      // Web: wrap a handler.
      if (typeof a === 'function') {
        const handler = a as WebHandler;
        const guarded = async (request: Request): Promise<Response> => {
          const ctx = webContexts.get(request)!;
          return (await core.authorize(ctx, scope, acl)) ?? handler(request);
        };
        return (request: Request, connection?: ConnectionInfo) =>
          webContexts.has(request) ? guarded(request) : handle(request, guarded, connection);
      }
      // Web: (request, next) middleware form.
      if (a instanceof Request && typeof b === 'function') {
        const ctx = webContexts.get(a);
        if (!ctx) return handle(a, (r) => guard(r, b) as Promise<Response>);
        return core.authorize(ctx, scope, acl).then((refusal) => refusal ?? (b as WebHandler)(a));
      }
      // Hono: (c, next).
      const honoCtx = a as HonoContextLike | null;
      if (honoCtx?.req?.raw instanceof Request && typeof b === 'function') {
        const ctx = webContexts.get(honoCtx.req.raw);
        if (!ctx) return Promise.reject(missing());
        return core.authorize(ctx, scope, acl).then(async (refusal) => {
          if (refusal) return refusal;
          await (b as () => Promise<void>)();
          return undefined;
        });
      }
      // Fastify: preHandler (request, reply[, done]); the returned promise is what Fastify awaits.
      const reply = b as FastifyReplyLike | null;
      if (reply && typeof reply.code === 'function' && typeof reply.send === 'function' && (a as FastifyRequestLike)?.raw) {
        const ctx = nodeContexts.get((a as FastifyRequestLike).raw);
        if (!ctx) return Promise.reject(missing());
        return core.authorize(ctx, scope, acl).then((refusal) => (refusal ? sendThroughReply(reply, refusal) : undefined));
      }
      // Express: (req, res, next).
      if (typeof c === 'function' && typeof (b as NodeResponseLike | null)?.setHeader === 'function') {
        const next = c as ExpressNext;
        const ctx = nodeContexts.get(a as object);
        if (!ctx) {
          next(missing());
          return undefined;
        }
        core
          .authorize(ctx, scope, acl)
          .then((refusal) => (refusal ? sendWebResponse(b as NodeResponseLike, refusal) : next()))
          .catch(next);
        return undefined;
      }
      throw new TypeError('sec.require() guard called with unrecognised arguments');
    }
    return guard as RequireGuard;
  }

  return {
    handle,
    express: () => expressAdapter(core, nodeContexts, webContexts),
    fastify: () => fastifyAdapter(core, nodeContexts, webContexts),
    hono: () => honoAdapter(core, webContexts),
    require: requireScope,
    context: (of) => lookup(of),
  };
}
