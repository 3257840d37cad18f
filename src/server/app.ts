import { WebMCPConfigError } from '../errors.js';
import { clientIp } from '../security/rate-limit/client-ip.js';
import { resolveGatewayConfig, type ResolvedGatewayConfig } from './config/resolve.js';
import type { ConnectionInfo, RequestContext } from './context.js';
import { HttpError, problem, problemFor, problemResponse } from './http/problem.js';
import type { Route } from './route.js';
import { Router, type Method } from './router.js';
import { allRoutes } from './routes/index.js';
import { guard, settleRateLimit } from './guard.js';
import { createServices, type GatewayDeps, type GatewayServices } from './services.js';

/** A running gateway: a Web-standard `fetch` plus `close`. Serve it with `listen()` from `webmcp/server`. */
export interface Gateway {
  /** Answers one request. Never rejects: every failure becomes a problem+json response. */
  fetch(request: Request, info?: ConnectionInfo): Promise<Response>;
  /** The answer for requests the transport could not turn into a `Request` (bad Host, bad target). */
  malformedRequest(): Response;
  /** Stops page watchers and background work and closes the store (flushing the audit log). */
  close(): Promise<void>;
  readonly config: ResolvedGatewayConfig;
  readonly services: GatewayServices;
}

const resolvedConfigs = new WeakSet<object>();

/**
 * Builds the gateway: opens the store, sets up `webmcp/security`, analyses the configured pages.
 * Accepts a resolved config (from {@link loadGatewayConfig}) or a raw config object, whose
 * relative paths are then resolved against `deps.baseDir` (default: the working directory).
 *
 * @example
 * const gateway = await createGateway(loadGatewayConfig('webmcp.config.json'));
 * const server = await listen(gateway, { host: '127.0.0.1', port: 8080 });
 */
export async function createGateway(
  config: ResolvedGatewayConfig | Record<string, unknown>,
  deps: GatewayDeps & { baseDir?: string } = {},
): Promise<Gateway> {
  const resolved = isResolved(config)
    ? config
    : resolveGatewayConfig(config, { baseDir: deps.baseDir ?? process.cwd(), env: process.env });
  resolvedConfigs.add(resolved);
  const services = await createServices(resolved, deps);
  // The per-request line holds only fields the gateway makes itself (id, method, route pattern,
  // status, duration, peer address), never a header or a body: redacting it would only cost time
  // (pino's path redaction is about two thirds of a line's cost). Every other log keeps redaction.
  const accessLog = services.logger.child({}, { redact: { paths: [] } });
  const router = new Router<Route>();
  for (const route of [...allRoutes(services), ...(deps.routes ?? [])]) router.add(route);

  function finish(ctx: Pick<RequestContext, 'id' | 'secure' | 'extraHeaders' | 'nonce'> & { headerOverrides?: Headers }, response: Response): Response {
    let out = response;
    // Responses we did not build (fetch results, Response.redirect) may have immutable headers.
    try {
      out.headers.set('x-request-id', ctx.id);
    } catch {
      // Immutable headers: copy into a response we own; nothing is lost.
      out = new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
      out.headers.set('x-request-id', ctx.id);
    }
    for (const [name, value] of ctx.extraHeaders) {
      if (name === 'set-cookie') out.headers.append(name, value);
      else out.headers.set(name, value);
    }
    // Responses that embed no script or style (JSON, problems) still get a fresh nonce in their CSP;
    // a random UUID is as unguessable for that and far cheaper than fresh random bytes each time.
    services.security.headers.apply(out.headers, { https: ctx.secure, nonce: ctx.nonce ?? crypto.randomUUID() });
    if (ctx.headerOverrides) for (const [name, value] of ctx.headerOverrides) out.headers.set(name, value);
    return out;
  }

  function errorResponse(error: unknown, ctx: RequestContext | null, id: string): Response {
    const { problem: body, headers } = problemFor(error);
    if (body.status >= 500) {
      services.logger.error(
        { reqId: id, route: ctx?.route, err: error instanceof Error ? { name: error.name, message: error.message, code: (error as { code?: string }).code, stack: error.stack } : String(error) },
        'request failed',
      );
    }
    if (ctx && body.status !== 404 && body.status !== 405 && body.status < 500 && !ctx.refusal) {
      ctx.refusal = body.status === 413 ? 'body-too-large' : body.status === 415 ? 'content-type' : body.status === 400 ? 'input' : `status-${body.status}`;
    }
    return problemResponse(body, headers);
  }

  async function handle(request: Request, info: ConnectionInfo = {}): Promise<Response> {
    const startedAt = performance.now();
    const id = crypto.randomUUID();
    const url = new URL(request.url);
    const secure = isSecure(request, url, info, resolved.trustProxy);
    let ctx: RequestContext | null = null;
    let response: Response;
    let routeName = 'unmatched';
    try {
      const lookup = router.lookup(request.method, url.pathname);
      if (lookup.kind === 'not-found') throw new HttpError(404, 'not-found', 'no such resource', { code: 'ERR_NOT_FOUND' });
      if (lookup.kind === 'method-not-allowed') {
        const allow = [...new Set(lookup.allow.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])))].join(', ');
        throw new HttpError(405, 'method-not-allowed', 'this method is not allowed here', { headers: { allow } });
      }
      const { route, params } = lookup.match;
      routeName = route.path;
      ctx = {
        request,
        url,
        method: request.method as Method,
        id,
        ip: clientIp(request, { socketAddress: info.remoteAddress ?? null, trustProxy: resolved.trustProxy }),
        secure,
        params,
        route: route.path,
        startedAt,
        principal: null,
        extraHeaders: new Headers(),
        headerOverrides: new Headers(),
        nonce: null,
        refusal: null,
      };
      if (route.access !== 'public') await guard(ctx, route.access, services);
      response = await route.handle(ctx, services);
      if (route.access !== 'public') await settleRateLimit(ctx, response.status, services);
    } catch (error) {
      response = errorResponse(error, ctx, id);
    }
    const finished = finish(ctx ?? { id, secure, extraHeaders: new Headers(), nonce: null }, response);
    const seconds = (performance.now() - startedAt) / 1000;
    services.metrics.observeRequest(request.method, routeName, finished.status, seconds);
    if (ctx?.refusal) services.metrics.refusal(ctx.refusal);
    accessLog.info(
      { reqId: id, method: request.method, route: routeName, status: finished.status, ms: Math.round(seconds * 1000), ip: ctx?.ip },
      'request',
    );
    return finished;
  }

  return {
    config: resolved,
    services,
    async fetch(request, info) {
      try {
        return await handle(request, info);
      } catch (error) {
        // Only reachable if building the error response itself failed; still never a stack.
        services.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'response building failed');
        return new Response(JSON.stringify(problem(500, 'internal', 'the request could not be completed')), {
          status: 500,
          headers: { 'content-type': 'application/problem+json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' },
        });
      }
    },
    malformedRequest() {
      const id = crypto.randomUUID();
      return finish(
        { id, secure: false, extraHeaders: new Headers(), nonce: null },
        problemResponse(problem(400, 'invalid-request', 'the request could not be parsed')),
      );
    },
    close: () => services.close(),
  };
}

function isResolved(config: object): config is ResolvedGatewayConfig {
  return resolvedConfigs.has(config) || (Object.isFrozen(config) && typeof (config as { baseDir?: unknown }).baseDir === 'string');
}

function isSecure(request: Request, url: URL, info: ConnectionInfo, trustProxy: boolean): boolean {
  if (info.secure !== undefined && info.secure) return true;
  if (trustProxy) {
    const proto = request.headers.get('x-forwarded-proto');
    if (proto) return proto.split(',').pop()!.trim().toLowerCase() === 'https';
  }
  return info.secure ?? url.protocol === 'https:';
}

/** Loopback hosts on which plain HTTP is allowed while `security.httpsOnly` is true. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/**
 * Refuses plain HTTP on a non-loopback host while `httpsOnly` is on (spec section 6).
 * Throws {@link WebMCPConfigError} naming `host`.
 */
export function assertTransportAllowed(host: string, tlsConfigured: boolean, httpsOnly: boolean): void {
  if (!tlsConfigured && httpsOnly && !isLoopbackHost(host)) {
    throw new WebMCPConfigError('host', 'plain HTTP is only served on a loopback host while security.httpsOnly is true; configure tls');
  }
}
