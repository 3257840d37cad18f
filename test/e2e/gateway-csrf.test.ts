/**
 * Attack catalogue, part 3: browser sessions and CSRF over HTTP against `webmcp serve`.
 * Cookie-authenticated unsafe requests need the session's CSRF token and are refused when
 * Sec-Fetch-Site/Origin say cross-site; Bearer requests need none.
 */
import { CompactEncrypt, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecurityHeaders, startGateway, startUpstream, type Gateway, type Upstream } from './gateway-harness.js';

let gw: Gateway;
let upstream: Upstream;
let token: string;

beforeAll(async () => {
  upstream = await startUpstream();
  gw = await startGateway({ upstream });
  const agent = await gw.createKey('agent');
  token = (await gw.token(agent.key)).access_token;
}, 60_000);

afterAll(async () => {
  await gw?.cleanup();
  await upstream?.close();
});

async function openSession(): Promise<{ cookie: string; csrf: string; csrfCookie: string }> {
  const res = await gw.fetch('/webmcp/session', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(204);
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('webmcp-session='))!;
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  expect(setCookie).toMatch(/Path=\//);
  expect(setCookie).not.toMatch(/Secure/); // plain loopback HTTP
  const cookie = setCookie.split(';')[0]!;
  const csrfRes = await gw.fetch('/webmcp/csrf', { headers: { cookie } });
  expect(csrfRes.status).toBe(200);
  const body = (await csrfRes.json()) as { token: string; header_name: string; expires_in: number };
  expect(body.header_name).toBe('X-CSRF-Token');
  expect(body.expires_in).toBeGreaterThan(0);
  const csrfCookie = csrfRes.headers.getSetCookie().find((c) => c.startsWith('webmcp-csrf='))!.split(';')[0]!;
  return { cookie, csrf: body.token, csrfCookie };
}

async function encryptedPassword(): Promise<string> {
  const { keys } = (await (await gw.fetch('/.well-known/jwks.json')).json()) as { keys: (JWK & { use: string })[] };
  const jwk = keys.find((k) => k.use === 'enc')!;
  return new CompactEncrypt(new TextEncoder().encode('a-long-enough-password'))
    .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: jwk.kid })
    .encrypt(await importJWK(jwk, 'ECDH-ES+A256KW'));
}

async function postAction(headers: Record<string, string>): Promise<Response> {
  return gw.fetch('/webmcp/actions/login/LOG_IN', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ EMAIL: 'ann@example.com', PASSWORD: await encryptedPassword() }),
  });
}

describe('browser sessions and CSRF', () => {
  it('opens a session only with a Bearer token', async () => {
    expect((await gw.fetch('/webmcp/session', { method: 'POST' })).status).toBe(401);
    const { cookie } = await openSession();
    // A session cannot mint another session.
    expect((await gw.fetch('/webmcp/session', { method: 'POST', headers: { cookie } })).status).toBe(403);
    // Safe requests with the cookie work without a CSRF token.
    expect((await gw.fetch('/webmcp/pages', { headers: { cookie } })).status).toBe(200);
  });

  it('refuses cookie-authenticated unsafe requests without a valid, same-site CSRF token', async () => {
    const own = await openSession();
    const other = await openSession();
    const origin = new URL(gw.url).origin;
    const cases: [string, Record<string, string>][] = [
      ['no token', { cookie: own.cookie }],
      ['garbage token', { cookie: own.cookie, 'x-csrf-token': 'c1.abc.def.ghi' }],
      ["another session's token", { cookie: `${own.cookie}`, 'x-csrf-token': other.csrf }],
      ['foreign Origin', { cookie: own.cookie, 'x-csrf-token': own.csrf, origin: 'https://evil.example' }],
      ['Origin null', { cookie: own.cookie, 'x-csrf-token': own.csrf, origin: 'null' }],
      ['other port', { cookie: own.cookie, 'x-csrf-token': own.csrf, origin: origin.replace(/:\d+$/, ':1') }],
      ['Sec-Fetch-Site cross-site', { cookie: own.cookie, 'x-csrf-token': own.csrf, 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site same-site', { cookie: own.cookie, 'x-csrf-token': own.csrf, 'sec-fetch-site': 'same-site' }],
      ['cookie differs from token', { cookie: `${own.cookie}; ${other.csrfCookie}`, 'x-csrf-token': own.csrf }],
    ];
    const before = upstream.requests.length;
    for (const [name, headers] of cases) {
      const res = await postAction(headers);
      expect([name, res.status]).toEqual([name, 403]);
      expect(expectSecurityHeaders(res)).toEqual([]);
      expect(((await res.json()) as { code: string }).code).toBe('ERR_CSRF');
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('accepts a valid token (reusable until it expires), and Bearer requests need none', async () => {
    const { cookie, csrf, csrfCookie } = await openSession();
    const origin = new URL(gw.url).origin;
    const first = await postAction({ cookie: `${cookie}; ${csrfCookie}`, 'x-csrf-token': csrf, origin, 'sec-fetch-site': 'same-origin' });
    expect(first.status).toBe(200);
    const again = await postAction({ cookie, 'x-csrf-token': csrf });
    expect(again.status).toBe(200);
    expect((await postAction({ authorization: `Bearer ${token}`, origin: 'https://evil.example' })).status).toBe(200);
  });

  it('audits CSRF refusals and ends sessions on DELETE', async () => {
    const { cookie, csrf } = await openSession();
    expect((await gw.fetch('/webmcp/session', { method: 'DELETE', headers: { cookie } })).status).toBe(403);
    const del = await gw.fetch('/webmcp/session', { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    expect(del.status).toBe(204);
    expect(del.headers.getSetCookie().some((c) => c.startsWith('webmcp-session=;') && /Max-Age=0/.test(c))).toBe(true);
    expect((await gw.fetch('/webmcp/pages', { headers: { cookie } })).status).toBe(401);

    const admin = await gw.createKey('admin');
    const adminToken = (await gw.token(admin.key)).access_token;
    const { entries } = (await (await gw.fetch('/webmcp/audit?limit=1000', { headers: { authorization: `Bearer ${adminToken}` } })).json()) as {
      entries: { action: string; outcome: string }[];
    };
    expect(entries.filter((e) => e.action === 'csrf.refused' && e.outcome === 'refused').length).toBeGreaterThanOrEqual(10);
  });
});
