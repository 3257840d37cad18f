import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Security } from '../../src/security/index.js';
import { makeSecurity, middlewareScenarios, type AppHandle, type BuildApp } from './middleware-scenarios.js';

/** A plain Web-standard app: `sec.handle(request, router)` with `sec.require(scope)(handler)` routes. */
const build: BuildApp = async (sec) => {
  const read = sec.require('webmcp:read')(async () => new Response('read'));
  const write = sec.require('webmcp:write')(async () => new Response('written'));
  const router = async (req: Request): Promise<Response> => {
    const { pathname } = new URL(req.url);
    const route = `${req.method} ${pathname}`;
    if (route === 'GET /public' || route === 'POST /public-post') return new Response('public');
    if (route === 'GET /read') return read(req);
    if (route === 'POST /write') return write(req);
    if (route === 'GET /nonce') return new Response(sec.context(req)!.nonce);
    if (route === 'GET /boom') throw new Error('kaboom-internal-detail');
    return new Response('not found', { status: 404 });
  };
  return {
    send: async (method, path, headers = {}) => {
      const res = await sec.handle(new Request(`http://127.0.0.1:8080${path}`, { method, headers }), router, { ip: '127.0.0.1' });
      return { status: res.status, headers: res.headers, body: await res.text() };
    },
    close: async () => {},
  };
};

describe('webmcp/security middleware: Web-standard handle()', () => {
  let sec: Security;
  let limitedSec: Security;
  let app: AppHandle;
  let limited: AppHandle;
  beforeAll(async () => {
    [sec, limitedSec] = await Promise.all([makeSecurity(), makeSecurity(3)]);
    [app, limited] = await Promise.all([build(sec), build(limitedSec)]);
  });
  afterAll(async () => {
    await Promise.all([app.close(), limited.close(), sec.close(), limitedSec.close()]);
  });

  middlewareScenarios(() => ({ app, sec, limited }), { genericErrors: true });

  it('a require()-wrapped handler runs the whole middleware on its own', async () => {
    const standalone = sec.require('webmcp:read')(async () => new Response('alone'));
    const res = await standalone(new Request('http://127.0.0.1/x'), { ip: '127.0.0.1' });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const token = await sec.jwt.issue({ sub: 'solo', scope: 'webmcp:read' });
    const ok = await standalone(new Request('http://127.0.0.1/x', { headers: { authorization: `Bearer ${token}` } }));
    expect(await ok.text()).toBe('alone');
  });

  it('decorates immutable responses (Response.redirect) and refuses Response.error()', async () => {
    const redirected = await sec.handle(new Request('http://127.0.0.1/r'), async () => Response.redirect('http://127.0.0.1/next', 302));
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe('http://127.0.0.1/next');
    expect(redirected.headers.get('x-content-type-options')).toBe('nosniff');
    const failed = await sec.handle(new Request('http://127.0.0.1/e'), async () => Response.error());
    expect(failed.status).toBe(500);
    expect(failed.headers.get('x-frame-options')).toBe('DENY');
  });

  it('answers 503 (with headers) while the store is down, never a stack trace', async () => {
    const down = await makeSecurity();
    const original = down.store.counters.consume.bind(down.store.counters);
    const { WebMCPStoreError } = await import('../../src/errors.js');
    down.store.counters.consume = async () => {
      throw new WebMCPStoreError('ERR_STORE_UNAVAILABLE', 'store unavailable');
    };
    const res = await down.handle(new Request('http://127.0.0.1/public'), async () => new Response('never'));
    expect(res.status).toBe(503);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.json()).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    down.store.counters.consume = original;
    await down.close();
  });

  it('skipSuccessfulRequests gives successful units back', async () => {
    const { createSecurity } = await import('../../src/security/index.js');
    const { randomBytes } = await import('node:crypto');
    const s = await createSecurity({ jwt: { secret: randomBytes(32).toString('base64url') }, rateLimit: { windowMs: 60_000, maxRequests: 2, skipSuccessfulRequests: true } });
    const ok = async () => new Response('ok');
    const fail = async () => new Response('no', { status: 400 });
    for (let i = 0; i < 5; i++) expect((await s.handle(new Request('http://127.0.0.1/'), ok, { ip: '10.0.0.1' })).status).toBe(200);
    expect((await s.handle(new Request('http://127.0.0.1/'), fail, { ip: '10.0.0.1' })).status).toBe(400);
    expect((await s.handle(new Request('http://127.0.0.1/'), fail, { ip: '10.0.0.1' })).status).toBe(400);
    expect((await s.handle(new Request('http://127.0.0.1/'), ok, { ip: '10.0.0.1' })).status).toBe(429);
    await s.close();
  });

  it('limits exactly maxRequests of 200 concurrent requests from one client', async () => {
    const s = await makeSecurity(50);
    const results = await Promise.all(
      Array.from({ length: 200 }, () => s.handle(new Request('http://127.0.0.1/'), async () => new Response('ok'), { ip: '198.51.100.7' })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(50);
    expect(results.filter((r) => r.status === 429)).toHaveLength(150);
    // Another client has its own budget.
    expect((await s.handle(new Request('http://127.0.0.1/'), async () => new Response('ok'), { ip: '198.51.100.8' })).status).toBe(200);
    await s.close();
  });
});
