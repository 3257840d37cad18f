import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Security } from '../../src/security/index.js';
import { httpSender, makeSecurity, middlewareScenarios, type AppHandle, type BuildApp } from './middleware-scenarios.js';

/** A Fastify 5 app over real HTTP on 127.0.0.1. */
const build: BuildApp = async (sec) => {
  const app = Fastify({ logger: false });
  await app.register(sec.fastify());
  app.get('/public', async () => 'public');
  app.post('/public-post', async () => 'public');
  app.get('/read', { preHandler: sec.require('webmcp:read') }, async () => 'read');
  app.post('/write', { preHandler: sec.require('webmcp:write') }, async () => 'written');
  app.get('/nonce', async (request) => sec.context(request)!.nonce);
  app.get('/boom', async () => {
    throw new Error('kaboom-internal-detail');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    send: httpSender((app.server.address() as AddressInfo).port),
    close: () => app.close(),
  };
};

describe('webmcp/security middleware: Fastify 5', () => {
  let sec: Security;
  let limitedSec: Security;
  let app: AppHandle;
  let limited: AppHandle;
  beforeAll(async () => {
    [sec, limitedSec] = await Promise.all([makeSecurity(), makeSecurity(3)]);
    [app, limited] = await Promise.all([build(sec), build(limitedSec)]);
  });
  afterAll(async () => {
    await Promise.all([app.close(), limited.close()]);
    await Promise.all([sec.close(), limitedSec.close()]);
  });

  middlewareScenarios(() => ({ app, sec, limited }), { genericErrors: false });

  it('covers routes registered in encapsulated child plugins', async () => {
    const s = await makeSecurity();
    const f = Fastify({ logger: false });
    await f.register(s.fastify());
    await f.register(async (child) => {
      child.get('/child', { preHandler: s.require('webmcp:admin') }, async () => 'child');
    });
    await f.listen({ port: 0, host: '127.0.0.1' });
    const send = httpSender((f.server.address() as AddressInfo).port);
    const res = await send('GET', '/child');
    expect(res.status).toBe(401);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const admin = await s.jwt.issue({ sub: 'ops', scope: 'webmcp:admin' });
    expect((await send('GET', '/child', { authorization: `Bearer ${admin}` })).body).toBe('child');
    await f.close();
    await s.close();
  });
});
