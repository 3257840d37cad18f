import { isWebMCPError, WebMCPSecurityError } from '../../errors.js';
import { rateLimitHeaders, rateLimitKey } from '../../security/rate-limit/rate-limit.js';
import type { RequestContext } from '../context.js';
import { parseForm, readBodyBytes, decodeUtf8, requireContentType } from '../http/body.js';
import { presentedApiKey, presentedBearer } from '../http/credentials.js';
import { parseJsonBytes } from '../http/json.js';
import { HttpError } from '../http/problem.js';
import { defineRoutes } from '../route.js';
import type { GatewayServices } from '../services.js';

/** RFC 6749 §5.2 error codes. */
type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

/** An RFC 6749 error answer (`{error, error_description}`), never a credential in it. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly reason?: string,
  ) {
    super(description);
  }
}

const TOKEN_BODY_LIMIT = 16 * 1024;

function oauthJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...headers },
  });
}

function oauthErrorResponse(error: OAuthError): Response {
  const headers: Record<string, string> = {};
  if (error.status === 401) headers['www-authenticate'] = 'Basic realm="webmcp", charset="UTF-8"';
  return oauthJson({ error: error.error, error_description: error.description }, error.status, headers);
}

/** Token-endpoint bodies: form-encoded (RFC 6749) or JSON, string values only. */
async function readParams(request: Request): Promise<Record<string, string>> {
  const type = requireContentType(request, ['application/x-www-form-urlencoded', 'application/json']);
  const bytes = await readBodyBytes(request, TOKEN_BODY_LIMIT);
  if (type === 'application/x-www-form-urlencoded') return parseForm(decodeUtf8(bytes));
  const value = parseJsonBytes(bytes, TOKEN_BODY_LIMIT);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OAuthError(400, 'invalid_request', 'the body must be an object');
  }
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new OAuthError(400, 'invalid_request', 'parameters must be strings');
    out[k] = v;
  }
  return out;
}

/** Like {@link readParams}, but a malformed body is an RFC 6749 `invalid_request` (413/415 stay problems). */
async function readOAuthParams(request: Request): Promise<Record<string, string>> {
  try {
    return await readParams(request);
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    if (isWebMCPError(error) && error.code === 'ERR_INPUT' && !(error instanceof HttpError && error.status !== 400)) {
      throw new OAuthError(400, 'invalid_request', 'the request body is malformed', 'malformed body');
    }
    throw error;
  }
}

/** The token endpoint's own per-IP budget, failed authentications included. */
async function consumeTokenBudget(ctx: RequestContext, s: GatewayServices): Promise<void> {
  const limiter = s.security.rateLimit;
  const result = await limiter.consume(rateLimitKey.tokenIp(ctx.ip));
  for (const [k, v] of Object.entries(rateLimitHeaders(result, limiter.policy))) ctx.extraHeaders.set(k, v);
  if (!result.allowed) {
    ctx.refusal = 'ratelimit';
    await s.audit(ctx, { action: 'ratelimit.refused', outcome: 'refused', details: { budget: 'token-ip' } });
    throw new WebMCPSecurityError('ERR_RATE_LIMITED', 'rate limit exceeded');
  }
}

interface Client {
  id: string;
  role: string;
  scopes: readonly string[];
}

/** Verifies the API key presented as client credentials; refusals are audited, never detailed. */
async function authenticateClient(ctx: RequestContext, s: GatewayServices, required: boolean): Promise<Client | null> {
  const presented = presentedApiKey(ctx.request);
  if (presented === null) {
    if (!required) return null;
    throw new OAuthError(401, 'invalid_client', 'client authentication failed', 'no client credentials');
  }
  if (presented === 'malformed') throw new OAuthError(401, 'invalid_client', 'client authentication failed', 'malformed credentials');
  try {
    const key = await s.security.apiKeys.verify(presented);
    return { id: key.id, role: key.role, scopes: key.scopes };
  } catch (error) {
    if (isWebMCPError(error) && error.code === 'ERR_API_KEY') {
      throw new OAuthError(401, 'invalid_client', 'client authentication failed', 'wrong, revoked or expired key');
    }
    throw error;
  }
}

function requestedScopes(params: Record<string, string>): string[] | null {
  const raw = params['scope'];
  if (raw === undefined) return null;
  if (raw.length > 1024 || !/^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(raw)) {
    throw new OAuthError(400, 'invalid_scope', 'the scope parameter is malformed');
  }
  return [...new Set(raw.split(' '))];
}

/** Scopes granted: the requested ones when all are held, all held ones when none were asked for. */
function grant(held: readonly string[], requested: string[] | null): string[] {
  if (requested === null) return [...held];
  for (const scope of requested) {
    if (!held.includes(scope)) throw new OAuthError(400, 'invalid_scope', 'a requested scope is not granted to this client');
  }
  return requested;
}

async function clientCredentials(ctx: RequestContext, s: GatewayServices, params: Record<string, string>, client: Client | null): Promise<Response> {
  if (!client) throw new OAuthError(401, 'invalid_client', 'client authentication failed', 'no client credentials');
  const held = [...s.security.rbac.effectiveScopes({ subject: client.id, role: client.role, keyScopes: client.scopes })];
  const scopes = grant(held, requestedScopes(params));
  if (scopes.length === 0) throw new OAuthError(400, 'invalid_scope', 'this client holds no scope');
  ctx.principal = { sub: client.id, apiKeyId: client.id, role: client.role, scopes, via: 'api-key', jti: null, sessionId: null };
  const accessToken = await s.security.jwt.issue({ sub: client.id, scope: scopes });
  const refresh = await s.security.refresh.issue({ subject: client.id, apiKeyId: client.id, scopes });
  await s.audit(ctx, { action: 'token.issue', outcome: 'ok', actor: client.id, details: { grant: 'client_credentials', scope: scopes.join(' ') } });
  return tokenAnswer(s, accessToken, refresh.token, scopes);
}

async function refreshGrant(ctx: RequestContext, s: GatewayServices, params: Record<string, string>, client: Client | null): Promise<Response> {
  const presented = params['refresh_token'];
  if (!presented) throw new OAuthError(400, 'invalid_request', 'refresh_token is required');
  let next;
  try {
    next = await s.security.refresh.rotate(presented);
  } catch (error) {
    if (isWebMCPError(error) && (error.code === 'ERR_REFRESH_REUSED' || error.code === 'ERR_REFRESH_INVALID')) {
      throw new OAuthError(400, 'invalid_grant', 'the refresh token is invalid', error.code === 'ERR_REFRESH_REUSED' ? 'reused: family revoked' : 'invalid');
    }
    throw error;
  }
  const keyId = next.apiKeyId;
  const key = keyId ? await s.keys.live(keyId) : null;
  if (!key || (client && client.id !== keyId)) {
    // Presented by another client (stolen) or its key is gone: end the family.
    await s.security.refresh.revoke(next.token);
    throw new OAuthError(400, 'invalid_grant', 'the refresh token is invalid', client ? 'client mismatch: family revoked' : 'api key revoked');
  }
  const held = [...s.security.rbac.effectiveScopes({ subject: key.id, role: key.role, keyScopes: key.scopes, tokenScopes: next.scopes })];
  const scopes = grant(held, requestedScopes(params));
  if (scopes.length === 0) throw new OAuthError(400, 'invalid_scope', 'no scope remains for this token');
  ctx.principal = { sub: key.id, apiKeyId: key.id, role: key.role, scopes, via: 'api-key', jti: null, sessionId: null };
  const accessToken = await s.security.jwt.issue({ sub: key.id, scope: scopes });
  await s.audit(ctx, { action: 'token.refresh', outcome: 'ok', actor: key.id, details: { scope: scopes.join(' ') } });
  return tokenAnswer(s, accessToken, next.token, scopes);
}

function tokenAnswer(s: GatewayServices, accessToken: string, refreshToken: string, scopes: string[]): Response {
  return oauthJson({
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: s.security.config.jwt.expiresIn,
    refresh_token: refreshToken,
    scope: scopes.join(' '),
  });
}

async function auditOAuthRefusal(ctx: RequestContext, s: GatewayServices, error: OAuthError, grantType: string | undefined): Promise<void> {
  ctx.refusal = error.error === 'invalid_client' ? 'auth' : error.error;
  const action = grantType === 'refresh_token' && error.error === 'invalid_grant' ? 'token.refresh' : 'auth.refused';
  await s.audit(ctx, {
    action,
    outcome: 'refused',
    details: { error: error.error, reason: error.reason, grant: grantType?.slice(0, 40) },
  });
}

/** Authenticates a revocation request: the API key, or the access token itself as Bearer. */
async function revocationClient(ctx: RequestContext, s: GatewayServices): Promise<string> {
  const bearer = presentedBearer(ctx.request);
  if (bearer === 'malformed') throw new OAuthError(401, 'invalid_client', 'client authentication failed', 'malformed bearer');
  if (bearer !== null) {
    try {
      const claims = await s.security.jwt.verify(bearer);
      return claims.sub;
    } catch (error) {
      if (isWebMCPError(error) && error.code.startsWith('ERR_JWT')) {
        throw new OAuthError(401, 'invalid_client', 'client authentication failed', 'bad bearer');
      }
      throw error;
    }
  }
  return (await authenticateClient(ctx, s, true))!.id;
}

async function revoke(ctx: RequestContext, s: GatewayServices, clientId: string, params: Record<string, string>): Promise<Response> {
  const token = params['token'];
  if (!token) throw new OAuthError(400, 'invalid_request', 'token is required');
  const hint = params['token_type_hint'];
  let kind: 'access' | 'refresh' | 'unknown' = 'unknown';
  if (hint !== 'refresh_token' && token.split('.').length === 3) {
    let owner: string | null = null;
    try {
      owner = (await s.security.jwt.verify(token)).sub;
    } catch (error) {
      // Invalid, expired or already revoked: nothing to revoke (RFC 7009 §2.2 still answers 200).
      if (!(isWebMCPError(error) && error.code.startsWith('ERR_JWT'))) throw error;
    }
    if (owner !== null) {
      if (owner !== clientId) throw new OAuthError(400, 'unauthorized_client', 'the token belongs to another client', 'foreign token');
      await s.security.jwt.revoke(token);
      kind = 'access';
    }
  } else if (await s.security.refresh.revoke(token)) {
    kind = 'refresh';
  }
  ctx.principal = { sub: clientId, apiKeyId: clientId, role: '', scopes: [], via: 'api-key', jti: null, sessionId: null };
  await s.audit(ctx, { action: 'token.revoke', outcome: 'ok', actor: clientId, details: { kind } });
  return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } });
}

/** OAuth 2.0 token endpoint (client_credentials, refresh_token) and RFC 7009 revocation. */
export const tokenRoutes = defineRoutes([
  {
    method: 'POST',
    path: '/webmcp/token',
    access: 'public',
    async handle(ctx, s) {
      await consumeTokenBudget(ctx, s);
      let grantType: string | undefined;
      try {
        // Credentials are checked before the body is read (401 before 400).
        const client = await authenticateClient(ctx, s, false);
        const params = await readOAuthParams(ctx.request);
        grantType = params['grant_type'];
        if (!grantType) throw new OAuthError(400, 'invalid_request', 'grant_type is required');
        if (grantType === 'client_credentials') return await clientCredentials(ctx, s, params, client);
        if (grantType === 'refresh_token') return await refreshGrant(ctx, s, params, client);
        throw new OAuthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials or refresh_token');
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        await auditOAuthRefusal(ctx, s, error, grantType);
        return oauthErrorResponse(error);
      }
    },
  },
  {
    method: 'POST',
    path: '/webmcp/revoke',
    access: 'public',
    async handle(ctx, s) {
      await consumeTokenBudget(ctx, s);
      try {
        const clientId = await revocationClient(ctx, s);
        return await revoke(ctx, s, clientId, await readOAuthParams(ctx.request));
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        await auditOAuthRefusal(ctx, s, error, 'revoke');
        return oauthErrorResponse(error);
      }
    },
  },
]);
