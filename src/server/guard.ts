import { WebMCPSecurityError, isWebMCPError } from '../errors.js';
import { rateLimitHeaders, rateLimitKey, type RateLimitResult } from '../security/rate-limit/rate-limit.js';
import type { Principal, RequestContext } from './context.js';
import { presentedApiKey } from './http/credentials.js';
import type { GatewayServices } from './services.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i;

/**
 * The checks in front of every protected route, in the order the spec pins: the client IP's
 * rate-limit unit, the credential (401 before any body is read), the key's unit, the scope
 * (403), then CSRF for cookie-authenticated unsafe requests. Every refusal is audited.
 */
export async function guard(ctx: RequestContext, access: { scope: string; apiKey?: boolean }, s: GatewayServices): Promise<void> {
  const limiter = s.security.rateLimit;
  const ipKey = rateLimitKey.ip(ctx.ip);
  const ipResult = await limiter.consume(ipKey);
  if (!ipResult.allowed) await refuseRateLimit(ctx, s, ipResult, 'ip');

  let principal: Principal;
  try {
    principal = await authenticate(ctx, s, { apiKey: access.apiKey === true });
  } catch (error) {
    await refuse(ctx, s, 'auth', 'auth.refused', error);
    throw error;
  }
  ctx.principal = principal;

  const keyResult = await limiter.consume(rateLimitKey.apiKey(principal.apiKeyId ?? principal.sub));
  if (!keyResult.allowed) {
    // A 429 consumes nothing: give the IP's unit back.
    await limiter.refund(ipKey);
    await refuseRateLimit(ctx, s, keyResult, 'key');
  }
  setRateHeaders(ctx, s, keyResult.remaining < ipResult.remaining ? keyResult : ipResult);

  try {
    s.security.rbac.authorize(
      { subject: principal.sub, role: principal.role, keyScopes: null, tokenScopes: principal.scopes },
      { scope: access.scope, resource: ctx.route },
    );
  } catch (error) {
    await refuse(ctx, s, 'scope', 'auth.refused', error);
    throw error;
  }

  // `security.enableCSRF: false` leaves cookie requests to SameSite=Strict alone (the operator's call).
  if (principal.via === 'session' && !SAFE_METHODS.has(ctx.method) && s.security.config.enableCSRF) {
    const token = ctx.request.headers.get('x-csrf-token') ?? '';
    try {
      await s.security.csrf.verify(principal.sessionId!, token, ctx.request);
    } catch (error) {
      await refuse(ctx, s, 'csrf', 'csrf.refused', error);
      throw error;
    }
  }
}

/** After the handler: `skipSuccessfulRequests` gives the units of a successful request back. */
export async function settleRateLimit(ctx: RequestContext, status: number, s: GatewayServices): Promise<void> {
  const limiter = s.security.rateLimit;
  if (!limiter.skipSuccessfulRequests || status >= 400 || !ctx.principal) return;
  await limiter.refund(rateLimitKey.ip(ctx.ip));
  await limiter.refund(rateLimitKey.apiKey(ctx.principal.apiKeyId ?? ctx.principal.sub));
}

/**
 * Who is calling: a Bearer access token, else the browser session cookie. The token's API key
 * must still be live (revocation reaches running gateways through the store within 1 s).
 */
export async function authenticate(ctx: RequestContext, s: GatewayServices, options: { apiKey?: boolean } = {}): Promise<Principal> {
  if (options.apiKey) {
    const presented = presentedApiKey(ctx.request);
    if (presented === 'malformed') throw new WebMCPSecurityError('ERR_API_KEY', 'credentials refused', { cause: 'malformed api key' });
    if (presented !== null) {
      const key = await s.security.apiKeys.verify(presented);
      return {
        sub: key.id,
        apiKeyId: key.id,
        role: key.role,
        scopes: [...s.security.rbac.effectiveScopes({ subject: key.id, role: key.role, keyScopes: key.scopes })],
        via: 'api-key',
        jti: null,
        sessionId: null,
      };
    }
  }
  const authorization = ctx.request.headers.get('authorization');
  if (authorization !== null) {
    const match = BEARER.exec(authorization);
    if (!match) throw new WebMCPSecurityError('ERR_UNAUTHENTICATED', 'a Bearer token is required', { cause: 'authorization scheme' });
    const claims = await s.verifyToken(match[1]!);
    const key = await s.keys.live(claims.sub);
    if (!key) throw new WebMCPSecurityError('ERR_JWT_REVOKED', 'token refused', { cause: 'api key revoked or unknown' });
    const tokenScopes = claims.scope.split(' ').filter(Boolean);
    return {
      sub: claims.sub,
      apiKeyId: key.id,
      role: key.role,
      scopes: [...s.security.rbac.effectiveScopes({ subject: key.id, role: key.role, keyScopes: key.scopes, tokenScopes })],
      via: 'bearer',
      jti: claims.jti,
      sessionId: null,
    };
  }
  const sessionId = s.sessions.idFrom(ctx.request, ctx.secure);
  if (sessionId !== null) {
    const session = await s.sessions.get(sessionId);
    if (!session) throw new WebMCPSecurityError('ERR_UNAUTHENTICATED', 'session expired', { cause: 'unknown or expired session' });
    const key = session.apiKeyId ? await s.keys.live(session.apiKeyId) : null;
    if (!key) throw new WebMCPSecurityError('ERR_UNAUTHENTICATED', 'session ended', { cause: 'api key revoked or unknown' });
    if (session.jti && (await s.store.revocations.isRevoked(session.jti))) {
      throw new WebMCPSecurityError('ERR_UNAUTHENTICATED', 'session ended', { cause: 'opening token revoked' });
    }
    return {
      sub: session.sub,
      apiKeyId: key.id,
      role: key.role,
      scopes: [...s.security.rbac.effectiveScopes({ subject: key.id, role: key.role, keyScopes: key.scopes, tokenScopes: session.scopes })],
      via: 'session',
      jti: session.jti,
      sessionId,
    };
  }
  throw new WebMCPSecurityError('ERR_UNAUTHENTICATED', 'authentication required', { cause: 'no credential' });
}

async function refuseRateLimit(ctx: RequestContext, s: GatewayServices, result: RateLimitResult, budget: 'ip' | 'key'): Promise<never> {
  setRateHeaders(ctx, s, result);
  ctx.refusal = 'ratelimit';
  await s.audit(ctx, { action: 'ratelimit.refused', outcome: 'refused', details: { budget } });
  throw new WebMCPSecurityError('ERR_RATE_LIMITED', 'rate limit exceeded');
}

function setRateHeaders(ctx: RequestContext, s: GatewayServices, result: RateLimitResult): void {
  for (const [name, value] of Object.entries(rateLimitHeaders(result, s.security.rateLimit.policy))) ctx.extraHeaders.set(name, value);
}

/** Records a refusal (metrics reason + audit entry with the internal reason, never a credential). */
export async function refuse(ctx: RequestContext, s: GatewayServices, reason: string, action: string, error: unknown): Promise<void> {
  ctx.refusal = reason;
  if (isWebMCPError(error) && error.code === 'ERR_STORE_UNAVAILABLE') return; // an outage, not a refusal
  await s.audit(ctx, {
    action,
    outcome: 'refused',
    details: { reason: isWebMCPError(error) ? error.code : 'error', why: typeof (error as Error)?.cause === 'string' ? (error as Error).cause : undefined },
  });
}
