import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/memory/index.js';
import { createGateway, type Gateway } from './app.js';
import { createLogger } from './logger.js';

const SECRET = 'unit-test-secret-0123456789abcdef-0123456789abcdef';
const LOGIN = `<!doctype html><title>Login</title><form id="login" action="/session" method="post">
<label for="e">Email</label><input id="e" type="email" name="email" required>
<label for="p">Password</label><input id="p" type="password" name="password" required>
<button type="submit">Log in</button></form>`;

let gateway: Gateway;
let upstreamBodies: string[] = [];

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  return gateway.fetch(new Request(`http://127.0.0.1:8080${path}`, init), { remoteAddress: '127.0.0.1' });
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'webmcp-app-'));
  writeFileSync(join(dir, 'login.html'), LOGIN);
  const fakeUpstream: typeof fetch = async (_url, init) => {
    upstreamBodies.push(String(init?.body ?? ''));
    return new Response(JSON.stringify({ ok: true }), { headers: { 'content-type': 'application/json' } });
  };
  gateway = await createGateway(
    {
      security: { jwt: { secret: SECRET } },
      pages: { login: { html: 'login.html', url: 'https://shop.example/login', actions: { LOG_IN: { upstream: 'http://upstream.test/session' } } } },
    },
    { baseDir: dir, store: createMemoryStore(), logger: createLogger('silent'), fetch: fakeUpstream, watchPages: false },
  );
});

afterAll(async () => {
  await gateway?.close();
});

async function agentToken(role: 'reader' | 'agent' | 'admin' = 'agent'): Promise<string> {
  const key = await gateway.services.security.apiKeys.create({ name: 't', role });
  const res = await call('/webmcp/token', {
    method: 'POST',
    headers: { 'x-api-key': key.key, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('gateway app', () => {
  it('answers /healthz and /readyz with security headers and a request id', async () => {
    const res = await call('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect((await call('/readyz')).status).toBe(200);
  });

  it('answers unknown paths and wrong methods with problem+json and headers', async () => {
    const res = await call('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 404, title: 'Not Found' });
    const wrong = await call('/healthz', { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
  });

  it('sends HSTS only over HTTPS', async () => {
    const res = await gateway.fetch(new Request('https://gw.example/healthz'), { remoteAddress: '10.0.0.1', secure: true });
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('refuses protected routes without a credential (401) and with too little scope (403)', async () => {
    expect((await call('/webmcp/pages')).status).toBe(401);
    const reader = await agentToken('reader');
    const refused = await call('/webmcp/actions/login/LOG_IN', {
      method: 'POST',
      headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(403);
  });

  it('lists pages and serves documents', async () => {
    const token = await agentToken();
    const res = await call('/webmcp/pages', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const { pages } = (await res.json()) as { pages: { id: string; actions: string[] }[] };
    expect(pages).toEqual([expect.objectContaining({ id: 'login', actions: ['LOG_IN'] })]);
    const doc = await call('/webmcp/pages/login', { headers: { authorization: `Bearer ${token}` } });
    expect(((await doc.json()) as { version: string }).version).toBe('0.2');
  });

  it('refuses a plaintext password and forwards a JWE one under the original field names', async () => {
    const token = await agentToken();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const plain = await call('/webmcp/actions/login/LOG_IN', { method: 'POST', headers, body: JSON.stringify({ EMAIL: 'a@b.c', PASSWORD: 'hunter22' }) });
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { code: string }).code).toBe('ERR_ENCRYPTION_REQUIRED');

    const { keys } = await gateway.services.security.jwks();
    const enc = keys.find((k) => k.use === 'enc')!;
    const jwe = await gateway.services.security.jwe.encryptFor(enc, 'hunter22');
    upstreamBodies = [];
    const ok = await call('/webmcp/actions/login/LOG_IN', { method: 'POST', headers, body: JSON.stringify({ EMAIL: 'a@b.c', PASSWORD: jwe }) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 200, body: { ok: true } });
    expect(new URLSearchParams(upstreamBodies[0]).get('password')).toBe('hunter22');
    expect(new URLSearchParams(upstreamBodies[0]).get('email')).toBe('a@b.c');

    const unknown = await call('/webmcp/actions/login/LOG_IN', { method: 'POST', headers, body: JSON.stringify({ NOPE: 'x' }) });
    expect(unknown.status).toBe(400);
  });
});
