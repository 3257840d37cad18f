/**
 * Attack catalogue, part 1: credentials. Runs `webmcp serve` as a process and attacks it over HTTP:
 * forged/expired/wrong-audience/wrong-issuer/alg-confused/revoked/unscoped JWTs, refresh reuse,
 * wrong and revoked API keys, role limits.
 */
import { SignJWT, decodeProtectedHeader, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_SECRET, expectSecurityHeaders, rawRequest, startGateway, startUpstream, type Gateway, type Upstream } from './gateway-harness.js';

let gw: Gateway;
let upstream: Upstream;
let reader: { id: string; key: string };
let agent: { id: string; key: string };
let admin: { id: string; key: string };

beforeAll(async () => {
  upstream = await startUpstream();
  gw = await startGateway({ upstream });
  [reader, agent, admin] = await Promise.all([gw.createKey('reader'), gw.createKey('agent'), gw.createKey('admin')]);
}, 60_000);

afterAll(async () => {
  await gw?.cleanup();
  await upstream?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const form = (params: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(params).toString(),
});

/** Re-signs `claims` with the gateway's real secret (or another), copying the real token's header. */
async function forge(realToken: string, claims: Record<string, unknown>, options: { secret?: string; alg?: string } = {}): Promise<string> {
  const header = decodeProtectedHeader(realToken);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: header.typ, kid: header.kid })
    .sign(new TextEncoder().encode(options.secret ?? JWT_SECRET));
}

async function pagesStatus(token: string): Promise<number> {
  const res = await gw.fetch('/webmcp/pages', { headers: bearer(token) });
  expect(expectSecurityHeaders(res)).toEqual([]);
  if (res.status >= 400) expect(res.headers.get('content-type')).toBe('application/problem+json');
  return res.status;
}

describe('discovery', () => {
  it('publishes absolute URLs built from the request and a JWKS with an encryption key', async () => {
    const res = await rawRequest(gw.url, { path: '/.well-known/webmcp', headers: { host: 'gw.example:8443' } });
    expect(res.status).toBe(200);
    const doc = JSON.parse(res.body) as Record<string, string>;
    expect(doc['token_endpoint']).toBe('http://gw.example:8443/webmcp/token');
    expect(doc['jwks_uri']).toBe('http://gw.example:8443/.well-known/jwks.json');
    // Host-derived: never stored by a shared cache (a forged Host would poison it for everyone).
    expect(res.headers['cache-control']).toBe('private, max-age=300');
    expect(res.headers['vary']).toMatch(/host/i);
    expect(doc['scopes_supported']).toEqual(expect.arrayContaining(['webmcp:read', 'webmcp:write', 'webmcp:admin']));
    const jwks = (await (await gw.fetch('/.well-known/jwks.json')).json()) as { keys: { use: string; alg: string; d?: string }[] };
    expect(jwks.keys.some((k) => k.use === 'enc' && k.alg.startsWith('ECDH-ES'))).toBe(true);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });
});

describe('token endpoint', () => {
  it('issues tokens for X-API-Key (form) and Basic (JSON) with every held scope by default', async () => {
    const viaHeader = await gw.token(agent.key);
    expect(viaHeader.scope).toBe('webmcp:read webmcp:write');
    expect(decodeJwt(viaHeader.access_token)).toMatchObject({ sub: agent.id, iss: 'webmcp', aud: 'webmcp' });
    const [id, secret] = agent.key.split('.') as [string, string];
    const res = await gw.fetch('/webmcp/token', {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', scope: 'webmcp:read' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'webmcp:read' });
    expect(typeof body['refresh_token']).toBe('string');
  });

  it('answers RFC 6749 errors: invalid_scope, invalid_client, unsupported_grant_type, invalid_request', async () => {
    const scope = await gw.fetch('/webmcp/token', { ...form({ grant_type: 'client_credentials', scope: 'webmcp:write' }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': reader.key } });
    expect(scope.status).toBe(400);
    expect(await scope.json()).toMatchObject({ error: 'invalid_scope' });

    const wrong = await gw.fetch('/webmcp/token', { ...form({ grant_type: 'client_credentials' }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': `${agent.id}.${'A'.repeat(43)}` } });
    expect(wrong.status).toBe(401);
    const wrongBody = (await wrong.json()) as Record<string, string>;
    expect(wrongBody['error']).toBe('invalid_client');
    expect(JSON.stringify(wrongBody)).not.toContain(agent.id);

    const none = await gw.fetch('/webmcp/token', form({ grant_type: 'client_credentials' }));
    expect(none.status).toBe(401);
    const grant = await gw.fetch('/webmcp/token', { ...form({ grant_type: 'password' }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': agent.key } });
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const missing = await gw.fetch('/webmcp/token', { ...form({}), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': agent.key } });
    expect(await missing.json()).toMatchObject({ error: 'invalid_request' });
    const type = await gw.fetch('/webmcp/token', { method: 'POST', headers: { 'content-type': 'text/plain', 'x-api-key': agent.key }, body: 'grant_type=client_credentials' });
    expect(type.status).toBe(415);
  });
});

describe('JWT attacks', () => {
  it('accepts a genuine token', async () => {
    expect(await pagesStatus((await gw.token(agent.key)).access_token)).toBe(200);
  });

  it('refuses forged, expired, wrong-audience, wrong-issuer and alg-confused tokens with 401', async () => {
    const real = (await gw.token(agent.key)).access_token;
    const claims = decodeJwt(real);
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string][] = [
      ['forged (other secret)', await forge(real, claims, { secret: 'another-secret-another-secret-another-secret-xx' })],
      ['expired', await forge(real, { ...claims, iat: now - 7200, exp: now - 3600 })],
      ['wrong audience', await forge(real, { ...claims, aud: 'someone-else' })],
      ['wrong issuer', await forge(real, { ...claims, iss: 'https://evil.example' })],
      ['HS512 with the same secret', await forge(real, claims, { alg: 'HS512' })],
      ['alg none', `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`],
      ['tampered scope', real.split('.').map((part, i) => (i === 1 ? Buffer.from(JSON.stringify({ ...claims, scope: 'webmcp:read webmcp:write webmcp:admin' })).toString('base64url') : part)).join('.')],
      ['oversized', 'a'.repeat(9000)],
      ['garbage', 'not.a.jwt'],
    ];
    for (const [name, token] of cases) {
      expect([name, await pagesStatus(token)]).toEqual([name, 401]);
    }
    const res = await gw.fetch('/webmcp/pages', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(res.status).toBe(401);
  });

  it('refuses a token revoked through RFC 7009 (by the token itself or by its key)', async () => {
    const one = await gw.token(agent.key);
    const res = await gw.fetch('/webmcp/revoke', { ...form({ token: one.access_token }), headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer(one.access_token) } });
    expect(res.status).toBe(200);
    expect(await pagesStatus(one.access_token)).toBe(401);

    const two = await gw.token(agent.key);
    const byKey = await gw.fetch('/webmcp/revoke', { ...form({ token: two.access_token, token_type_hint: 'access_token' }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': agent.key } });
    expect(byKey.status).toBe(200);
    expect(await pagesStatus(two.access_token)).toBe(401);

    // Another client may not revoke it, and unauthenticated revocation is refused.
    const three = await gw.token(agent.key);
    const foreign = await gw.fetch('/webmcp/revoke', { ...form({ token: three.access_token }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': reader.key } });
    expect(foreign.status).toBe(400);
    expect((await gw.fetch('/webmcp/revoke', form({ token: three.access_token }))).status).toBe(401);
    expect(await pagesStatus(three.access_token)).toBe(200);
  });

  it('answers 403 for a token without the scope the route needs', async () => {
    const readOnly = (await gw.token(agent.key, 'webmcp:read')).access_token;
    const act = await gw.fetch('/webmcp/actions/login/LOG_IN', { method: 'POST', headers: { ...bearer(readOnly), 'content-type': 'application/json' }, body: '{}' });
    expect(act.status).toBe(403);
    expect(((await act.json()) as { code: string }).code).toBe('ERR_SCOPE');
  });
});

describe('refresh tokens', () => {
  it('rotate on every use, and a reused one kills the whole family', async () => {
    const first = await gw.token(agent.key);
    const r1 = await gw.fetch('/webmcp/token', form({ grant_type: 'refresh_token', refresh_token: first.refresh_token }));
    expect(r1.status).toBe(200);
    const second = (await r1.json()) as { access_token: string; refresh_token: string };
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(await pagesStatus(second.access_token)).toBe(200);

    const reuse = await gw.fetch('/webmcp/token', form({ grant_type: 'refresh_token', refresh_token: first.refresh_token }));
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    // The legitimate successor is dead too.
    const after = await gw.fetch('/webmcp/token', form({ grant_type: 'refresh_token', refresh_token: second.refresh_token }));
    expect(after.status).toBe(400);
    expect(await after.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses garbage refresh tokens and scope widening', async () => {
    const bad = await gw.fetch('/webmcp/token', form({ grant_type: 'refresh_token', refresh_token: 'x'.repeat(43) }));
    expect(await bad.json()).toMatchObject({ error: 'invalid_grant' });
    const narrow = await gw.token(agent.key, 'webmcp:read');
    const widen = await gw.fetch('/webmcp/token', form({ grant_type: 'refresh_token', refresh_token: narrow.refresh_token, scope: 'webmcp:write' }));
    expect(await widen.json()).toMatchObject({ error: 'invalid_scope' });
  });
});

describe('roles and API keys', () => {
  it('a reader cannot act and an agent cannot read the audit; an admin can', async () => {
    const readerToken = (await gw.token(reader.key)).access_token;
    const act = await gw.fetch('/webmcp/actions/login/LOG_IN', { method: 'POST', headers: { ...bearer(readerToken), 'content-type': 'application/json' }, body: '{}' });
    expect(act.status).toBe(403);
    const agentToken = (await gw.token(agent.key)).access_token;
    expect((await gw.fetch('/webmcp/audit', { headers: bearer(agentToken) })).status).toBe(403);
    expect((await gw.fetch('/webmcp/audit/verify', { headers: bearer(agentToken) })).status).toBe(403);
    const adminToken = (await gw.token(admin.key)).access_token;
    const audit = await gw.fetch('/webmcp/audit?limit=5', { headers: bearer(adminToken) });
    expect(audit.status).toBe(200);
    const page = (await audit.json()) as { entries: { seq: number }[]; next: number | null };
    expect(page.entries).toHaveLength(5);
    expect(page.next).toBe(page.entries[4]!.seq);
    const nextPage = (await (await gw.fetch(`/webmcp/audit?limit=5&after=${page.next}`, { headers: bearer(adminToken) })).json()) as { entries: { seq: number }[] };
    expect(nextPage.entries[0]!.seq).toBe(page.next! + 1);
    const verify = await gw.fetch('/webmcp/audit/verify', { headers: bearer(adminToken) });
    expect(await verify.json()).toMatchObject({ ok: true });
  });

  it('a key revoked with `webmcp keys revoke` stops working on the running gateway within 1 s', async () => {
    const doomed = await gw.createKey('agent');
    const tokens = await gw.token(doomed.key);
    expect(await pagesStatus(tokens.access_token)).toBe(200);
    const revoked = await gw.cli(['keys', 'revoke', doomed.id]);
    expect(revoked.code).toBe(0);
    const start = Date.now();
    let status = 200;
    while (Date.now() - start < 1000 && status === 200) status = await pagesStatus(tokens.access_token);
    expect(status).toBe(401);
    expect(Date.now() - start).toBeLessThan(1000);
    const again = await gw.fetch('/webmcp/token', { ...form({ grant_type: 'client_credentials' }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': doomed.key } });
    expect(again.status).toBe(401);
    const refresh = await gw.fetch('/webmcp/token', form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }));
    expect(refresh.status).toBe(400);
  });

  it('`webmcp keys list --json` shows keys without secrets; rotate prints a new working key', async () => {
    const list = await gw.cli(['keys', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(agent.key.split('.')[1]!);
    const rows = JSON.parse(list.stdout) as { id: string; state: string }[];
    expect(rows.find((r) => r.id === agent.id)?.state).toBe('active');
    const rotated = await gw.cli(['keys', 'rotate', reader.id, '--json']);
    expect(rotated.code).toBe(0);
    const newKey = (JSON.parse(rotated.stdout) as { key: string }).key;
    expect((await gw.token(newKey)).scope).toBe('webmcp:read');
    const old = await gw.fetch('/webmcp/token', { ...form({ grant_type: 'client_credentials' }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': reader.key } });
    expect(old.status).toBe(401);
  });
});

describe('security headers', () => {
  it('are on every response: success, 3xx, 4xx of every kind, static files and pages', async () => {
    const token = (await gw.token(agent.key)).access_token;
    const requests: [string, RequestInit | undefined, number][] = [
      ['/healthz', undefined, 200],
      ['/readyz', undefined, 200],
      ['/.well-known/webmcp', undefined, 200],
      ['/.well-known/jwks.json', undefined, 200],
      ['/admin', undefined, 200],
      ['/admin/app.js', undefined, 200],
      ['/nope', undefined, 404],
      ['/healthz', { method: 'DELETE' }, 405],
      ['/webmcp/pages', undefined, 401],
      ['/webmcp/audit', { headers: bearer(token) }, 403],
      ['/webmcp/analyze', { method: 'POST', headers: { ...bearer(token), 'content-type': 'text/plain' }, body: 'x' }, 415],
      ['/webmcp/analyze', { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: 'x'.repeat(1024 * 1024 + 1) }, 413],
      ['/webmcp/analyze', { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: '{"__proto__":{}}' }, 400],
      ['/webmcp/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=nope' }, 400],
    ];
    for (const [path, init, status] of requests) {
      const res = await gw.fetch(path, init);
      expect([path, res.status]).toEqual([path, status]);
      expect([path, expectSecurityHeaders(res)]).toEqual([path, []]);
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('strict-transport-security')).toBeNull(); // plain HTTP
      await res.arrayBuffer();
    }
    const admin = await gw.fetch('/admin');
    const csp = admin.headers.get('content-security-policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(csp).not.toContain('unsafe-inline');
    // The login page's stylesheet carries this response's nonce.
    expect(await admin.text()).toContain(`href="/admin/app.css" nonce="${nonce}"`);
  });
});
