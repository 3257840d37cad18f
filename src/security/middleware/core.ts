import { randomUUID } from 'node:crypto';
import { isWebMCPError, WebMCPSecurityError, type WebMCPErrorCode } from '../../errors.js';
import type { AuditAction } from '../audit/audit.js';
import type { HeaderTarget } from '../headers/headers.js';
import { silentLogger } from '../logger.js';
import { clientIp } from '../rate-limit/client-ip.js';
import { rateLimitHeaders, rateLimitKey, type RateLimitResult } from '../rate-limit/rate-limit.js';
import type { Acl } from '../rbac/rbac.js';
import { problemResponse } from './problem.js';
import type { AuthenticatedPrincipal, ConnectionInfo, MiddlewareOptions, MiddlewareParts, SecurityContext } from './types.js';

/** Context plus what `finish` needs; never handed out as is. */
export interface InternalContext extends SecurityContext {
  principal: AuthenticatedPrincipal | null;
  sessionId: string | null;
  readonly method: string;
  readonly path: string;
  /** Rate-limit keys that took a unit (refunded for `skipSuccessfulRequests`). */
  readonly consumed: string[];
  /** The tightest budget seen, for the `RateLimit` headers. */
  rate: RateLimitResult | null;
}

export interface Core {
  /** Rate limit, authentication and CSRF. `refusal` is the finished response when refused. */
  begin(request: Request, connection?: ConnectionInfo): Promise<{ ctx: InternalContext; refusal: Response | null }>;
  /** Security headers, request id and rate-limit headers onto any response (synchronous, for Node's writeHead). */
  decorate(ctx: InternalContext, target: HeaderTarget): void;
  /** After the response: gives the units back when `skipSuccessfulRequests` and the status is < 400. */
  settle(ctx: InternalContext, status: number): Promise<void>;
  /** {@link Core.decorate} then {@link Core.settle}. */
  finish(ctx: InternalContext, target: HeaderTarget, status: number): Promise<void>;
  /** The `require(scope)` check: null when allowed, else the (finished) 401/403 response. */
  authorize(ctx: InternalContext, scope: string, acl: Acl | null): Promise<Response | null>;
  /** A finished problem response for an unexpected failure (never leaks the error). */
  failure(ctx: InternalContext | null, error: unknown): Promise<Response>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;
const GENERIC_401 = 'Missing or invalid credentials.';

/** The one implementation every adapter (Web, Express, Fastify, Hono) runs. */
export function createCore(parts: MiddlewareParts, options: MiddlewareOptions = {}): Core {
  const { rateLimit, audit, csrf, headers, rbac } = parts;
  const enableCSRF = options.enableCSRF !== false;
  const logger = options.logger ?? silentLogger;
  const trustProxy = options.trustProxy ?? false;

  async function record(ctx: InternalContext, action: AuditAction, error: unknown, extra: Record<string, unknown> = {}): Promise<void> {
    try {
      await audit.append({
        actor: ctx.principal?.subject ?? 'anonymous',
        action,
        resource: `${ctx.method} ${ctx.path}`,
        outcome: 'refused',
        ip: ctx.ip,
        request_id: ctx.requestId,
        details: { ...extra, code: isWebMCPError(error) ? error.code : undefined, reason: typeof (error as Error)?.cause === 'string' ? (error as Error).cause : undefined },
      });
    } catch (failure) {
      // The refusal stands either way; a lost audit entry is an operational error to report.
      logger.error({ err: (failure as Error)?.name, code: (failure as { code?: unknown })?.code, action }, 'audit append failed');
    }
  }

  async function finished(ctx: InternalContext, response: Response): Promise<Response> {
    await finish(ctx, response.headers, response.status);
    return response;
  }

  function refusal(ctx: InternalContext, status: number, code: WebMCPErrorCode, detail: string, extra?: HeadersInit): Promise<Response> {
    return finished(ctx, problemResponse(status, detail, { code, headers: extra }));
  }

  async function consume(ctx: InternalContext, key: string): Promise<RateLimitResult> {
    const result = await rateLimit.consume(key);
    if (result.allowed) {
      ctx.consumed.push(key);
      if (!ctx.rate || result.remaining < ctx.rate.remaining) ctx.rate = result;
    } else {
      ctx.rate = result;
    }
    return result;
  }

  async function rateRefusal(ctx: InternalContext, budget: 'ip' | 'key'): Promise<Response> {
    // A 429 consumes nothing: give back the units this request already took.
    await Promise.all(ctx.consumed.splice(0).map((key) => rateLimit.refund(key)));
    await record(ctx, 'ratelimit.refused', new WebMCPSecurityError('ERR_RATE_LIMITED', 'rate limited'), { budget });
    return refusal(ctx, 429, 'ERR_RATE_LIMITED', 'Rate limit exceeded; retry after the time given in Retry-After.');
  }

  async function authenticate(ctx: InternalContext, request: Request): Promise<AuthenticatedPrincipal | null> {
    const authorization = request.headers.get('authorization');
    if (authorization !== null && /^bearer(\s|$)/i.test(authorization.trim())) {
      const match = BEARER.exec(authorization.trim());
      if (!match) throw new WebMCPSecurityError('ERR_JWT_INVALID', 'token refused', { cause: 'malformed Authorization header' });
      const claims = await parts.jwt.verify(match[1]!);
      const scopes = claims.scopes ?? (typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : []);
      return {
        subject: claims.sub,
        role: typeof claims.role === 'string' ? claims.role : null,
        keyScopes: null,
        tokenScopes: [...scopes],
        via: 'bearer',
        keyId: typeof claims.client_id === 'string' ? claims.client_id : null,
        claims,
      };
    }
    const apiKey = request.headers.get('x-api-key');
    if (apiKey !== null && parts.apiKeys) {
      const key = await parts.apiKeys.verify(apiKey.trim());
      return { subject: key.id, role: key.role, keyScopes: [...key.scopes], tokenScopes: null, via: 'api-key', keyId: key.id, claims: null };
    }
    if (parts.sessions) {
      const id = parts.sessions.idFrom(request, ctx.https);
      const session = id ? await parts.sessions.get(id) : null;
      if (id && session) {
        ctx.sessionId = id;
        return {
          subject: session.sub,
          role: session.role,
          keyScopes: null,
          tokenScopes: [...session.scopes],
          via: 'session',
          keyId: session.apiKeyId,
          claims: null,
        };
      }
    }
    return null;
  }

  async function begin(request: Request, connection: ConnectionInfo = {}) {
    const url = new URL(request.url);
    const forwardedProto = trustProxy ? request.headers.get('x-forwarded-proto')?.split(',').pop()?.trim().toLowerCase() : undefined;
    const https = connection.https ?? (forwardedProto ? forwardedProto === 'https' : url.protocol === 'https:');
    const ctx: InternalContext = {
      requestId: randomUUID(),
      nonce: headers.nonce(),
      ip: clientIp(request, { socketAddress: connection.ip ?? options.clientAddress?.(request) ?? null, trustProxy }),
      https,
      principal: null,
      sessionId: null,
      method: request.method.toUpperCase(),
      path: url.pathname,
      consumed: [],
      rate: null,
    };
    try {
      if (!(await consume(ctx, rateLimitKey.ip(ctx.ip))).allowed) return { ctx, refusal: await rateRefusal(ctx, 'ip') };

      try {
        ctx.principal = await authenticate(ctx, request);
      } catch (error) {
        if (!(error instanceof WebMCPSecurityError)) throw error;
        await record(ctx, 'auth.refused', error);
        return {
          ctx,
          refusal: await refusal(ctx, 401, 'ERR_UNAUTHENTICATED', GENERIC_401, { 'www-authenticate': 'Bearer error="invalid_token"' }),
        };
      }

      if (ctx.principal) {
        const key = ctx.principal.keyId ? rateLimitKey.apiKey(ctx.principal.keyId) : rateLimitKey.subject(ctx.principal.subject);
        if (!(await consume(ctx, key)).allowed) return { ctx, refusal: await rateRefusal(ctx, 'key') };
      }

      if (enableCSRF && ctx.principal?.via === 'session' && !SAFE_METHODS.has(ctx.method)) {
        try {
          await csrf.verify(ctx.sessionId!, request.headers.get('x-csrf-token') ?? '', request);
        } catch (error) {
          if (!(error instanceof WebMCPSecurityError)) throw error;
          await record(ctx, 'csrf.refused', error);
          return { ctx, refusal: await refusal(ctx, 403, 'ERR_CSRF', 'CSRF check failed.') };
        }
      }
      return { ctx, refusal: null };
    } catch (error) {
      return { ctx, refusal: await failure(ctx, error) };
    }
  }

  function decorate(ctx: InternalContext, target: HeaderTarget): void {
    headers.apply(target, { https: ctx.https, nonce: ctx.nonce });
    target.set('X-Request-Id', ctx.requestId);
    if (ctx.rate) for (const [name, value] of Object.entries(rateLimitHeaders(ctx.rate, rateLimit.policy))) target.set(name, value);
  }

  async function finish(ctx: InternalContext, target: HeaderTarget, status: number): Promise<void> {
    decorate(ctx, target);
    await settle(ctx, status);
  }

  async function settle(ctx: InternalContext, status: number): Promise<void> {
    if (rateLimit.skipSuccessfulRequests && status < 400 && ctx.consumed.length > 0) {
      const keys = ctx.consumed.splice(0);
      try {
        await Promise.all(keys.map((key) => rateLimit.refund(key)));
      } catch (error) {
        // The response is already decided; a failed refund only costs the client a unit.
        logger.warn({ err: (error as Error)?.name, code: (error as { code?: unknown })?.code }, 'rate-limit refund failed');
      }
    }
  }

  async function authorize(ctx: InternalContext, scope: string, acl: Acl | null): Promise<Response | null> {
    try {
      rbac.authorize(ctx.principal, { scope, resource: ctx.path, acl });
      return null;
    } catch (error) {
      if (!(error instanceof WebMCPSecurityError)) throw error;
      await record(ctx, 'auth.refused', error, { scope });
      if (error.code === 'ERR_UNAUTHENTICATED') {
        return refusal(ctx, 401, 'ERR_UNAUTHENTICATED', 'Authentication required.', { 'www-authenticate': 'Bearer' });
      }
      const challenge = `Bearer error="insufficient_scope", scope="${scope.replace(/["\\]/g, '')}"`;
      return refusal(ctx, 403, error.code, 'Not allowed.', { 'www-authenticate': challenge });
    }
  }

  async function failure(ctx: InternalContext | null, error: unknown): Promise<Response> {
    const outage = isWebMCPError(error) && error.code === 'ERR_STORE_UNAVAILABLE';
    logger.error({ err: (error as Error)?.name, code: (error as { code?: unknown })?.code, requestId: ctx?.requestId }, outage ? 'store unavailable' : 'security middleware failed');
    const response = outage
      ? problemResponse(503, 'A backing store is unavailable; retry shortly.', { code: 'ERR_STORE_UNAVAILABLE', headers: { 'retry-after': '1' } })
      : problemResponse(500, 'The request could not be processed.');
    if (ctx) {
      ctx.consumed.splice(0); // nothing to refund on a failure: the units stay spent
      headers.apply(response.headers, { https: ctx.https, nonce: ctx.nonce });
      response.headers.set('X-Request-Id', ctx.requestId);
    } else {
      headers.apply(response.headers, { https: false });
    }
    return response;
  }

  return { begin, decorate, settle, finish, authorize, failure };
}
