import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Security } from '../../src/security/index.js';
import type { HonoSecurityEnv } from '../../src/security/middleware/index.js';
import { makeSecurity, middlewareScenarios, type AppHandle, type BuildApp } from './middleware-scenarios.js';

/** A Hono app driven through `app.request()` (no sockets). */
const build: BuildApp = async (sec) => {
  const app = new Hono<HonoSecurityEnv>();
  app.use(sec.hono());
  app.get('/public', (c) => c.text('public'));
  app.post('/public-post', (c) => c.text('public'));
  app.get('/read', sec.require('webmcp:read'), (c) => c.text('read'));
  app.post('/write', sec.require('webmcp:write'), (c) => c.text('written'));
  app.get('/nonce', (c) => c.text(c.get('webmcp').nonce));
  app.get('/boom', () => {
    throw new Error('kaboom-internal-detail');
  });
  // Hono's default onError logs to the console; answer the same generic 500 quietly.
  app.onError((_error, c) => c.text('Internal Server Error', 500));
  app.get('/proxied', async () => fetch('data:text/plain,upstream'));
  return {
    send: async (method, path, headers = {}) => {
      const res = await app.request(`http://127.0.0.1${path}`, { method, headers });
      return { status: res.status, headers: res.headers, body: await res.text() };
    },
    close: async () => {},
  };
};

describe('webmcp/security middleware: Hono', () => {
  let sec: Security;
  let limitedSec: Security;
  let app: AppHandle;
  let limited: AppHandle;
  beforeAll(async () => {
    [sec, limitedSec] = await Promise.all([makeSecurity(), makeSecurity(3)]);
    [app, limited] = await Promise.all([build(sec), build(limitedSec)]);
  });
  afterAll(async () => {
    await Promise.all([sec.close(), limitedSec.close()]);
  });

  middlewareScenarios(() => ({ app, sec, limited }), { genericErrors: true });

  it('decorates a fetch() response whose headers are immutable', async () => {
    const res = await app.send('GET', '/proxied');
    expect(res.status).toBe(200);
    expect(res.body).toBe('upstream');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('fits an untyped Hono app too', async () => {
    const plain = new Hono();
    plain.use(sec.hono());
    plain.get('/r', sec.require('webmcp:read'), (c) => c.text('r'));
    const res = await plain.request('http://127.0.0.1/r');
    expect(res.status).toBe(401);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('sec.context(c) and c.get("webmcp") agree', async () => {
    const s = await makeSecurity();
    const h = new Hono<HonoSecurityEnv>();
    h.use(s.hono());
    h.get('/', (c) => c.text(String(s.context(c)?.requestId === c.get('webmcp').requestId)));
    const res = await h.request('http://127.0.0.1/');
    expect(await res.text()).toBe('true');
    await s.close();
  });
});
