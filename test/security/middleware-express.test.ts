import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Security } from '../../src/security/index.js';
import { httpSender, makeSecurity, middlewareScenarios, type AppHandle, type BuildApp } from './middleware-scenarios.js';

/** An Express 5 app over real HTTP on 127.0.0.1. */
const build: BuildApp = async (sec) => {
  const app = express();
  app.use(sec.express());
  app.get('/public', (_req, res) => void res.send('public'));
  app.post('/public-post', (_req, res) => void res.send('public'));
  app.get('/read', sec.require('webmcp:read'), (_req, res) => void res.send('read'));
  app.post('/write', sec.require('webmcp:write'), (_req, res) => void res.send('written'));
  app.get('/nonce', (req, res) => void res.send(sec.context(req)!.nonce));
  app.get('/locals', (_req, res) => void res.send(String((res.locals as { cspNonce?: string }).cspNonce)));
  app.get('/boom', async () => {
    throw new Error('kaboom-internal-detail');
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    send: httpSender((server.address() as AddressInfo).port),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};

describe('webmcp/security middleware: Express 5', () => {
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

  it('exposes the nonce in res.locals and removes X-Powered-By', async () => {
    const res = await app.send('GET', '/locals');
    expect(res.headers.get('content-security-policy')).toContain(`'nonce-${res.body}'`);
    expect(res.headers.has('x-powered-by')).toBe(false);
  });

  it('rate-limits by the socket address, not a spoofed X-Forwarded-For', async () => {
    const s = await makeSecurity(2);
    const a = await build(s);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await a.send('GET', '/public', { 'x-forwarded-for': `203.0.113.${i}` })).status);
    expect(codes).toEqual([200, 200, 429]);
    await a.close();
    await s.close();
  });

  it('refuses a require() guard used without the middleware', async () => {
    const s = await makeSecurity();
    const bare = express();
    bare.get('/x', s.require('webmcp:read'), (_req, res) => void res.send('never'));
    const server: Server = await new Promise((resolve) => {
      const srv = bare.listen(0, '127.0.0.1', () => resolve(srv));
    });
    const res = await httpSender((server.address() as AddressInfo).port)('GET', '/x');
    expect(res.status).toBe(500);
    expect(res.body).not.toContain('never');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await s.close();
  });
});
