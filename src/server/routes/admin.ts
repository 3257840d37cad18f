import { WebMCPSecurityError, isWebMCPError } from '../../errors.js';
import { rateLimitHeaders, rateLimitKey } from '../../security/rate-limit/rate-limit.js';
import { ADMIN_SCRIPT, ADMIN_STYLES } from '../admin/assets.js';
import { renderDashboard, renderLogin } from '../admin/render.js';
import type { Principal, RequestContext } from '../context.js';
import { authenticate, refuse } from '../guard.js';
import { decodeUtf8, parseForm, readBodyBytes, requireContentType } from '../http/body.js';
import { asObject, readJson } from '../http/json.js';
import { HttpError } from '../http/problem.js';
import { defineRoutes, json } from '../route.js';
import type { GatewayServices } from '../services.js';
import { callableActions } from './pages.js';

const ROLES = new Set(['reader', 'agent', 'admin']);
const AUDIT_ROWS = 25;
/** The dashboard's chain status is re-verified at most this often (a full walk of the log). */
const CHAIN_CHECK_MS = 30_000;
type ChainStatus = Awaited<ReturnType<GatewayServices['security']['audit']['verify']>> & { checkedAt: number };
const chainChecks = new WeakMap<GatewayServices, { at: number; result: Promise<ChainStatus> }>();

function chainStatus(s: GatewayServices): Promise<ChainStatus> {
  const cached = chainChecks.get(s);
  if (cached && Date.now() - cached.at < CHAIN_CHECK_MS) return cached.result;
  const at = Date.now();
  const result = s.security.audit.verify().then((r) => ({ ...r, checkedAt: at }));
  chainChecks.set(s, { at, result });
  // A failed check must not be remembered: the next load tries again.
  result.catch(() => chainChecks.delete(s));
  return result;
}

function page(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

/**
 * With `Referrer-Policy: no-referrer` browsers send `Origin: null` on form posts, which the
 * login's same-origin check must refuse; `same-origin` keeps the Origin for our own posts and
 * still sends nothing to other sites.
 */
function keepOwnOrigin(ctx: RequestContext): void {
  ctx.headerOverrides.set('referrer-policy', 'same-origin');
}

/** The admin session behind the request's cookie, or null (no cookie, expired, revoked key). */
async function adminSession(ctx: RequestContext, s: GatewayServices): Promise<Principal | null> {
  if (s.sessions.idFrom(ctx.request, ctx.secure) === null) return null;
  try {
    const principal = await authenticate(ctx, s);
    return principal.via === 'session' ? principal : null;
  } catch (error) {
    if (isWebMCPError(error) && error.code === 'ERR_STORE_UNAVAILABLE') throw error;
    // An ended session simply shows the login form again.
    return null;
  }
}

/** Per-IP budget for the admin page and login (the login shares the token endpoint's budget). */
async function consume(ctx: RequestContext, s: GatewayServices, key: string): Promise<void> {
  const limiter = s.security.rateLimit;
  const result = await limiter.consume(key);
  for (const [k, v] of Object.entries(rateLimitHeaders(result, limiter.policy))) ctx.extraHeaders.set(k, v);
  if (!result.allowed) {
    ctx.refusal = 'ratelimit';
    await s.audit(ctx, { action: 'ratelimit.refused', outcome: 'refused', details: { budget: key.startsWith('rl:token') ? 'token-ip' : 'ip' } });
    throw new WebMCPSecurityError('ERR_RATE_LIMITED', 'rate limit exceeded');
  }
}

/**
 * A login form post must come from our own page: browsers send `Sec-Fetch-Site` and `Origin`
 * on POSTs, and a foreign one means login CSRF (signing the victim into the attacker's key).
 */
function sameOrigin(request: Request, own: string): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.get('origin');
  if (origin !== null) {
    if (origin === 'null') return false;
    try {
      if (new URL(origin).origin !== own) return false;
    } catch {
      // An unparsable Origin cannot be ours.
      return false;
    }
  }
  return true;
}

async function dashboard(ctx: RequestContext, s: GatewayServices, who: Principal): Promise<Response> {
  const nonce = ctx.nonce!;
  const csrfToken = await s.security.csrf.issue(who.sessionId!);
  ctx.extraHeaders.append('set-cookie', s.security.csrf.cookie(csrfToken, { https: ctx.secure }));
  const head = await s.store.audit.head();
  const [keys, audit, chain] = await Promise.all([
    s.store.apiKeys.list(),
    s.security.audit.entries({ after: Math.max(0, (head?.seq ?? 0) - AUDIT_ROWS), limit: AUDIT_ROWS }),
    chainStatus(s),
  ]);
  const limiter = s.security.rateLimit;
  const ipState = await limiter.peek(rateLimitKey.ip(ctx.ip));
  const keyStates = new Map<string, { remaining: number; resetMs: number }>();
  for (const k of keys) {
    if (k.revokedAt !== null) continue;
    const st = await limiter.peek(rateLimitKey.apiKey(k.id));
    if (st.remaining < st.limit) keyStates.set(k.id, st);
  }
  return page(
    renderDashboard({
      nonce,
      csrfToken,
      who: { keyId: who.apiKeyId ?? who.sub, role: who.role },
      pages: s.pages.list(),
      actionsOf: callableActions,
      keys: keys.sort((a, b) => a.createdAt - b.createdAt),
      audit,
      chain,
      rateLimit: {
        policy: { limit: limiter.policy.limit, windowMs: limiter.policy.windowMs },
        ip: { address: ctx.ip, remaining: ipState.remaining, resetMs: ipState.resetMs },
        keys: keyStates,
      },
    }),
  );
}

function publicKey(k: { id: string; name?: string; role: string; scopes: readonly string[] }) {
  return { id: k.id, name: k.name ?? null, role: k.role, scopes: [...k.scopes] };
}

function keyIdParam(ctx: RequestContext): string {
  const id = ctx.params['id']!;
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new HttpError(404, 'not-found', 'no such key', { code: 'ERR_NOT_FOUND' });
  return id;
}

/** The admin dashboard, its login, its static files and the key-management API it calls. */
export const adminRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/admin',
    access: 'public',
    async handle(ctx, s) {
      await consume(ctx, s, rateLimitKey.ip(ctx.ip));
      ctx.nonce = s.security.headers.nonce();
      keepOwnOrigin(ctx);
      const who = await adminSession(ctx, s);
      if (!who) return page(renderLogin(ctx.nonce, null));
      if (!who.scopes.includes('webmcp:admin')) return page(renderLogin(ctx.nonce, 'This session does not hold webmcp:admin.'), 403);
      return dashboard(ctx, s, who);
    },
  },
  {
    method: 'POST',
    path: '/admin/login',
    access: 'public',
    async handle(ctx, s) {
      await consume(ctx, s, rateLimitKey.tokenIp(ctx.ip));
      ctx.nonce = s.security.headers.nonce();
      keepOwnOrigin(ctx);
      if (!sameOrigin(ctx.request, ctx.url.origin)) {
        const error = new WebMCPSecurityError('ERR_CSRF', 'cross-site login refused', { cause: 'foreign origin' });
        await refuse(ctx, s, 'csrf', 'csrf.refused', error);
        throw error;
      }
      requireContentType(ctx.request, ['application/x-www-form-urlencoded']);
      const form = parseForm(decodeUtf8(await readBodyBytes(ctx.request, 8 * 1024)));
      const presented = form['api_key']?.trim() ?? '';
      let key: { id: string; role: string; scopes: readonly string[] };
      try {
        if (!presented) throw new WebMCPSecurityError('ERR_API_KEY', 'no key', { cause: 'empty' });
        key = await s.security.apiKeys.verify(presented);
      } catch (error) {
        if (!(isWebMCPError(error) && error.code === 'ERR_API_KEY')) throw error;
        ctx.refusal = 'auth';
        await s.audit(ctx, { action: 'admin.login', outcome: 'refused', details: { reason: 'invalid key' } });
        // The form page itself loads fine (200); the refusal is in the page, the audit and metrics.
        return page(renderLogin(ctx.nonce, 'That key was not accepted.'));
      }
      const scopes = [...s.security.rbac.effectiveScopes({ subject: key.id, role: key.role, keyScopes: key.scopes })];
      if (!scopes.includes('webmcp:admin')) {
        ctx.refusal = 'scope';
        await s.audit(ctx, { action: 'admin.login', outcome: 'refused', actor: key.id, details: { reason: 'not an admin key' } });
        return page(renderLogin(ctx.nonce, 'That key is not an admin key.'));
      }
      const { id } = await s.sessions.create({ apiKeyId: key.id, sub: key.id, role: key.role, scopes, jti: null });
      ctx.extraHeaders.append('set-cookie', s.sessions.cookie(id, ctx.secure));
      await s.audit(ctx, { action: 'admin.login', outcome: 'ok', actor: key.id, details: { via: 'api-key' } });
      return new Response(null, { status: 303, headers: { location: '/admin' } });
    },
  },
  {
    method: 'GET',
    path: '/admin/app.js',
    access: 'public',
    async handle() {
      return new Response(ADMIN_SCRIPT, { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' } });
    },
  },
  {
    method: 'GET',
    path: '/admin/app.css',
    access: 'public',
    async handle() {
      return new Response(ADMIN_STYLES, { headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' } });
    },
  },
  {
    method: 'GET',
    path: '/admin/api/keys',
    access: { scope: 'webmcp:admin' },
    async handle(_ctx, s) {
      const keys = await s.store.apiKeys.list();
      return json({
        keys: keys.map((k) => ({
          ...publicKey(k),
          created_at: k.createdAt,
          last_used_at: k.lastUsedAt,
          expires_at: k.expiresAt,
          revoked_at: k.revokedAt,
        })),
      });
    },
  },
  {
    method: 'POST',
    path: '/admin/api/keys',
    access: { scope: 'webmcp:admin' },
    async handle(ctx, s) {
      const body = asObject(await readJson(ctx.request, 16 * 1024));
      const { name, role, scopes } = body;
      for (const k of Object.keys(body)) {
        if (k !== 'name' && k !== 'role' && k !== 'scopes') throw new HttpError(400, 'invalid-request', 'unknown field in the body');
      }
      if (typeof name !== 'string' || name.trim().length === 0 || name.length > 100) {
        throw new HttpError(400, 'invalid-request', '"name" must be 1 to 100 characters');
      }
      if (typeof role !== 'string' || !(ROLES.has(role) || s.security.rbac.roleScopes(role) !== null)) {
        throw new HttpError(400, 'invalid-request', '"role" must be reader, agent or admin');
      }
      if (scopes !== undefined && (!Array.isArray(scopes) || !scopes.every((x) => typeof x === 'string' && s.security.config.jwt.scopes.includes(x)))) {
        throw new HttpError(400, 'invalid-request', '"scopes" must be a list of known scopes');
      }
      const created = await s.security.apiKeys.create({ name: name.trim(), role, ...(scopes ? { scopes: scopes as string[] } : {}) });
      await s.audit(ctx, { action: 'key.create', outcome: 'ok', resource: `key:${created.id}`, details: { id: created.id, name: name.trim(), role, scopes: created.scopes } });
      return json({ ...publicKey({ ...created, name: name.trim() }), key: created.key }, 201);
    },
  },
  {
    method: 'POST',
    path: '/admin/api/keys/:id/revoke',
    access: { scope: 'webmcp:admin' },
    async handle(ctx, s) {
      const id = keyIdParam(ctx);
      const done = await s.security.apiKeys.revoke(id);
      if (!done) throw new HttpError(404, 'not-found', 'no such key', { code: 'ERR_NOT_FOUND' });
      s.keys.forget(id);
      await s.audit(ctx, { action: 'key.revoke', outcome: 'ok', resource: `key:${id}`, details: { id } });
      return json({ id, revoked: true });
    },
  },
  {
    method: 'POST',
    path: '/admin/api/keys/:id/rotate',
    access: { scope: 'webmcp:admin' },
    async handle(ctx, s) {
      const id = keyIdParam(ctx);
      const rotated = await s.security.apiKeys.rotate(id);
      s.keys.forget(id);
      await s.audit(ctx, { action: 'key.rotate', outcome: 'ok', resource: `key:${id}`, details: { id } });
      return json({ id: rotated.id, key: rotated.key });
    },
  },
]);
