/**
 * One behaviour suite for every middleware form (Web handle, Express, Fastify, Hono): each test
 * file builds the same small app and hands the suite a way to send requests to it.
 *
 * App routes: GET /public, GET /read (require webmcp:read), POST /write (require webmcp:write),
 * GET /boom (throws), GET /nonce (answers the CSP nonce from the security context).
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { expect, it } from 'vitest';
import { createSecurity, type Security } from '../../src/security/index.js';

export interface Sent {
  status: number;
  headers: Headers;
  body: string;
}
export type Send = (method: string, path: string, headers?: Record<string, string>) => Promise<Sent>;

export interface AppHandle {
  send: Send;
  close(): Promise<void>;
}

/** Builds the app for a framework around `sec`. */
export type BuildApp = (sec: Security) => Promise<AppHandle>;

export async function makeSecurity(maxRequests = 1000): Promise<Security> {
  return createSecurity({
    jwt: { secret: randomBytes(32).toString('base64url') },
    rateLimit: { windowMs: 60_000, maxRequests },
    csrfTokenExpiry: 600,
  });
}

/** Plain HTTP/1.1 over node:http, so no client adds Origin/Sec-Fetch-* headers on its own. */
export function httpSender(port: number): Send {
  return (method, path, headers = {}) =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) for (const x of v) h.append(k, x);
            else if (v !== undefined) h.set(k, String(v));
          }
          resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
}

function expectSecurityHeaders(res: Sent): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(/script-src [^;]*'nonce-[A-Za-z0-9+/=]{24}'/);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  expect(res.headers.get('permissions-policy')).toContain('camera=()');
  expect(res.headers.has('x-powered-by')).toBe(false);
  expect(res.headers.has('strict-transport-security')).toBe(false); // plain HTTP
  expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
}

function expectProblem(res: Sent, status: number): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body).toMatchObject({ type: 'about:blank', status });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(res.body).not.toMatch(/at .+\(.+:\d+:\d+\)/); // no stack trace
  return body;
}

/** Registers the shared tests; `ctx()` returns the live app and its security object. */
export function middlewareScenarios(
  ctx: () => { app: AppHandle; sec: Security; limited: AppHandle },
  options: { genericErrors: boolean },
): void {
  const send: Send = (...args) => ctx().app.send(...args);
  const token = (scope: string) => ctx().sec.jwt.issue({ sub: `agent-${scope.replace(/\W/g, '')}`, scope });

  it('puts the security headers, request id and rate-limit headers on a public response', async () => {
    const res = await send('GET', '/public');
    expect(res.status).toBe(200);
    expect(res.body).toBe('public');
    expectSecurityHeaders(res);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('ratelimit-policy')).toBe('"default";q=1000;w=60');
    expect(res.headers.get('ratelimit')).toMatch(/^"default";r=\d+;t=\d+$/);
  });

  it('gives the handler the CSP nonce of its own response', async () => {
    const res = await send('GET', '/nonce');
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^[A-Za-z0-9+/=]{24}$/);
    expect(res.headers.get('content-security-policy')).toContain(`'nonce-${res.body}'`);
    const again = await send('GET', '/nonce');
    expect(again.body).not.toBe(res.body);
  });

  it('puts the security headers on errors and unknown routes too', async () => {
    const boom = await send('GET', '/boom');
    expect(boom.status).toBe(500);
    // Error bodies are the framework's error handler's business (Express shows stacks outside
    // production, Fastify echoes messages); the Web and Hono forms answer generically.
    if (options.genericErrors) expect(boom.body).not.toContain('kaboom-internal-detail');
    expectSecurityHeaders(boom);
    const missing = await send('GET', '/nope');
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing);
  });

  it('answers 401 without credentials on a protected route, public routes stay open', async () => {
    const res = await send('GET', '/read');
    const body = expectProblem(res, 401);
    expect(body.code).toBe('ERR_UNAUTHENTICATED');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expectSecurityHeaders(res);
    expect((await send('POST', '/public-post')).status).toBe(200);
  });

  it('verifies a Bearer token whenever one is sent: a bad one is 401 even on a public route', async () => {
    const good = await token('webmcp:read');
    const forged = `${good.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`;
    for (const bad of [forged, 'not-a-jwt', `${good}x`]) {
      const res = await send('GET', '/public', { authorization: `Bearer ${bad}` });
      const body = expectProblem(res, 401);
      expect(body.detail).toBe('Missing or invalid credentials.');
      expect(res.body).not.toContain(bad.slice(0, 20));
      expectSecurityHeaders(res);
    }
  });

  it('answers 403 with too little scope and lets enough scope through', async () => {
    const reader = await token('webmcp:read');
    expect((await send('GET', '/read', { authorization: `Bearer ${reader}` })).status).toBe(200);
    const refused = await send('POST', '/write', { authorization: `Bearer ${reader}` });
    expect(expectProblem(refused, 403).code).toBe('ERR_SCOPE');
    expect(refused.headers.get('www-authenticate')).toContain('insufficient_scope');
    const agent = await token('webmcp:read webmcp:write');
    const ok = await send('POST', '/write', { authorization: `Bearer ${agent}`, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(ok.status).toBe(200); // Bearer requests are CSRF-exempt
    expect(ok.body).toBe('written');
  });

  it('authenticates API keys presented in X-API-Key', async () => {
    const key = await ctx().sec.apiKeys.create({ name: 'mw-test', role: 'reader', scopes: ['webmcp:read'] });
    expect((await send('GET', '/read', { 'x-api-key': key.key })).status).toBe(200);
    expect((await send('POST', '/write', { 'x-api-key': key.key })).status).toBe(403);
    expectProblem(await send('GET', '/read', { 'x-api-key': `${key.id}.wrong-secret` }), 401);
  });

  it('enforces CSRF on cookie-authenticated unsafe requests', async () => {
    const { sec } = ctx();
    const { id } = await sec.sessions.create({ apiKeyId: null, sub: 'browser-user', role: 'agent', scopes: ['webmcp:read', 'webmcp:write'], jti: null });
    const { id: otherId } = await sec.sessions.create({ apiKeyId: null, sub: 'someone-else', role: 'agent', scopes: ['webmcp:write'], jti: null });
    const cookie = `webmcp-session=${id}`;
    const csrf = await sec.csrf.issue(id);

    expect((await send('GET', '/read', { cookie })).status).toBe(200); // safe method: no token needed
    const missing = await send('POST', '/write', { cookie });
    expect(expectProblem(missing, 403).code).toBe('ERR_CSRF');
    expectSecurityHeaders(missing);
    expect((await send('POST', '/write', { cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await send('POST', '/write', { cookie, 'x-csrf-token': csrf })).status).toBe(200); // reusable
    expect((await send('POST', '/write', { cookie, 'x-csrf-token': await sec.csrf.issue(otherId) })).status).toBe(403);
    expect((await send('POST', '/write', { cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await send('POST', '/write', { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' })).status).toBe(403);
    expect((await send('POST', '/write', { cookie, 'x-csrf-token': csrf, origin: 'null' })).status).toBe(403);
    // A session nobody created is no session at all.
    expect((await send('POST', '/write', { cookie: `webmcp-session=${randomBytes(32).toString('base64url')}`, 'x-csrf-token': csrf })).status).toBe(401);
  });

  it('audits refusals under the response request id, without the credential', async () => {
    const bad = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const res = await send('GET', '/public', { authorization: `Bearer ${bad}` });
    const requestId = res.headers.get('x-request-id');
    const entries = await ctx().sec.audit.entries({ limit: 1000 });
    const entry = entries.find((e) => e.request_id === requestId);
    expect(entry).toMatchObject({ action: 'auth.refused', outcome: 'refused', resource: 'GET /public', details: { code: 'ERR_JWT_INVALID' } });
    expect(JSON.stringify(entries)).not.toContain(bad);
    expect((await ctx().sec.audit.verify()).ok).toBe(true);
  });

  it('rate-limits per client: 429 problem with Retry-After and RateLimit headers', async () => {
    const limited = ctx().limited;
    const statuses: number[] = [];
    let last: Sent | null = null;
    for (let i = 0; i < 5; i++) {
      last = await limited.send('GET', '/public');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const body = expectProblem(last!, 429);
    expect(body.code).toBe('ERR_RATE_LIMITED');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('ratelimit-policy')).toBe('"default";q=3;w=60');
    expect(last!.headers.get('ratelimit')).toMatch(/^"default";r=0;t=\d+$/);
    expectSecurityHeaders(last!);
  });
}
