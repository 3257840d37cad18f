// WebMCPClient against a real in-process gateway over HTTP: discovery, pages, validation before
// sending, JWE for sensitive fields (captured on the wire), single-flight refresh across an
// expiry, refresh-token rotation, 401 recovery, 429 retries, cookie sessions with CSRF.
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMCPClient, WebMCPRequestError } from '../../src/client/index.js';
import { WebMCPError } from '../../src/errors.js';
import { PASSWORD, recordingFetch, startTestGateway, type TestGateway } from './gateway-fixture.js';

let gw: TestGateway;
let agentKey: string;

beforeAll(async () => {
  gw = await startTestGateway();
  agentKey = await gw.key('agent');
});

afterAll(async () => {
  await gw?.close();
});

function client(extra: Partial<ConstructorParameters<typeof WebMCPClient>[0]> = {}): WebMCPClient {
  return new WebMCPClient({ baseUrl: gw.url, apiKey: agentKey, now: gw.clock.now, ...extra });
}

const actionCalls = <T extends { url: string }>(sent: T[]): T[] => sent.filter((r) => r.url.includes('/webmcp/actions/'));

describe('reading', () => {
  it('lists pages, reads a document and analyzes HTML', async () => {
    const c = client();
    const pages = await c.pages();
    expect(pages).toEqual([
      expect.objectContaining({ id: 'shop', url: 'https://shop.example/login', title: 'Shop login', actions: ['LOG_IN', 'SEARCH_SUBMIT'] }),
    ]);
    const doc = await c.page('shop');
    expect(doc.version).toBe('0.2');
    expect(doc.elements.find((e) => e.name === 'PASSWORD')?.security?.encryption).toBe('required');
    const analyzed = await c.analyze('<form><input name="q" aria-label="Query"><button>Go</button></form>', 'https://x.example/');
    expect(analyzed.elements.map((e) => e.role)).toContain('action.submit');
    await c.close();
  });

  it('lists MCP tools for the actions with plaintext-sensitive schemas', async () => {
    const c = client();
    const tools = await c.tools();
    expect(tools.map((t) => t.name)).toEqual(['shop_log_in', 'shop_search_submit']);
    const login = tools[0]!;
    expect(login).toMatchObject({ page: 'shop', action: 'LOG_IN', annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true } });
    const password = (login.inputSchema.properties as Record<string, { description: string }>).PASSWORD!;
    expect(password.description).toContain('encrypted (JWE) on this machine');
    expect(tools[1]!.annotations.readOnlyHint).toBe(true);
    await c.close();
  });

  it('fails with a typed error for an unknown page', async () => {
    const c = client();
    const error = await c.page('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebMCPRequestError);
    expect(error).toMatchObject({ status: 404, code: 'ERR_NOT_FOUND' });
    await c.close();
  });
});

describe('acting', () => {
  it('encrypts the sensitive field: JWE on the wire, plaintext only at the upstream', async () => {
    const rec = recordingFetch();
    const c = client({ fetch: rec.fetch });
    const before = gw.upstream.calls.length;
    const answer = await c.act('shop', 'LOG_IN', { EMAIL: 'ann@example.com', PASSWORD, PLAN: 'pro', REMEMBER: true });
    expect(answer).toEqual({ status: 200, body: { ok: true, user: 'ann@example.com', plan: 'pro' } });

    const upstream = gw.upstream.calls.slice(before);
    expect(upstream).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(upstream[0]!.body))).toEqual({ email: 'ann@example.com', password: PASSWORD, plan: 'pro', remember: 'yes' });

    for (const request of rec.sent) {
      expect(request.body).not.toContain(PASSWORD);
      expect(request.url).not.toContain(PASSWORD);
    }
    const [call] = actionCalls(rec.sent);
    const sent = JSON.parse(call!.body) as Record<string, string | boolean>;
    // Sent as the tool schema keys them: the radio group by its group name.
    expect(Object.keys(sent).sort()).toEqual(['EMAIL', 'PASSWORD', 'PLAN', 'REMEMBER']);
    expect(sent.PLAN).toBe('pro');
    const header = decodeProtectedHeader(sent.PASSWORD as string);
    const jwks = (await (await fetch(`${gw.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string; use: string }[] };
    expect(header).toMatchObject({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: jwks.keys.find((k) => k.use === 'enc')!.kid });
    await c.close();
  });

  it('passes the upstream status through', async () => {
    const c = client();
    expect(await c.act('shop', 'LOG_IN', { EMAIL: 'ann@example.com', PASSWORD: 'wrong-password' })).toMatchObject({ status: 401, body: { ok: false } });
    await c.close();
  });

  it('validates params against the document before sending anything', async () => {
    const rec = recordingFetch();
    const c = client({ fetch: rec.fetch });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ EMAIL: 'ann@example.com', PASSWORD, ADMIN: true }, /unknown parameter "ADMIN"/],
      [{ EMAIL: 'ann@example.com' }, /PASSWORD is required/],
      [{ EMAIL: 'not-an-email', PASSWORD }, /EMAIL must be an email address/],
      [{ EMAIL: 'ann@example.com', PASSWORD: 'short' }, /PASSWORD must have at least 8 characters/],
      [{ EMAIL: 'ann@example.com', PASSWORD, PLAN: 'gold' }, /PLAN must be one of its options/],
      [{ EMAIL: 'ann@example.com', PASSWORD, REMEMBER: { yes: 1 } }, /REMEMBER must be true or false/],
      [{ EMAIL: 'ann@example.com', PASSWORD, PLAN_FREE: true, PLAN_PRO: true }, /two options of one group/],
    ];
    for (const [params, message] of cases) {
      const error = await c.act('shop', 'LOG_IN', params).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebMCPError);
      expect(error).toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(message) });
      // Never the value in the message.
      expect((error as Error).message).not.toContain(PASSWORD);
    }
    await expect(c.act('shop', 'NO_SUCH_ACTION', {})).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect(actionCalls(rec.sent)).toEqual([]);
    await c.close();
  });

  it('100 concurrent act calls across a token expiry cause exactly one refresh', async () => {
    const rec = recordingFetch();
    const c = client({ fetch: rec.fetch });
    await c.act('shop', 'SEARCH_SUBMIT', { SEARCH: 'warm-up' });
    const grants = () => rec.sent.filter((r) => r.url.endsWith('/webmcp/token')).map((r) => new URLSearchParams(r.body).get('grant_type'));
    expect(grants()).toEqual(['client_credentials']);

    // Past the 15-minute lifetime, for the gateway too: the old token is really dead now.
    gw.clock.advance(16 * 60_000);
    const before = gw.upstream.calls.length;
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => c.act('shop', 'SEARCH_SUBMIT', { SEARCH: `q${i}` })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(grants()).toEqual(['client_credentials', 'refresh_token']);
    expect(gw.upstream.calls.length - before).toBe(100);
    // Every call went out once: none was refused as expired and replayed.
    expect(actionCalls(rec.sent)).toHaveLength(101);
    await c.close();
  });

  it('rotates refresh tokens and recovers with client credentials when the family is revoked', async () => {
    const rec = recordingFetch();
    const c = client({ fetch: rec.fetch });
    await c.pages();
    gw.clock.advance(16 * 60_000);
    await c.pages();
    const refreshes = rec.sent.filter((r) => r.url.endsWith('/webmcp/token') && r.body.includes('refresh_token'));
    const spent = new URLSearchParams(refreshes[0]!.body).get('refresh_token')!;
    // Replaying the spent refresh token is refused and revokes the family (spec section 5).
    const replay = await fetch(`${gw.url}/webmcp/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: spent }),
    });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });

    gw.clock.advance(16 * 60_000);
    expect((await c.pages()).map((p) => p.id)).toEqual(['shop']);
    const grants = rec.sent.filter((r) => r.url.endsWith('/webmcp/token')).map((r) => new URLSearchParams(r.body).get('grant_type'));
    expect(grants).toEqual(['client_credentials', 'refresh_token', 'refresh_token', 'client_credentials']);
    await c.close();
  });

  it('gets a new token once when the gateway refuses the held one (revoked)', async () => {
    const rec = recordingFetch();
    const c = client({ fetch: rec.fetch });
    await c.page('shop');
    const token = rec.sent.find((r) => r.url.endsWith('/webmcp/pages/shop'))!.headers.get('authorization')!.slice('Bearer '.length);
    const revoked = await fetch(`${gw.url}/webmcp/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token}` },
      body: new URLSearchParams({ token }),
    });
    expect(revoked.status).toBe(200);
    expect((await c.act('shop', 'SEARCH_SUBMIT', { SEARCH: 'after revoke' })).status).toBe(200);
    const calls = actionCalls(rec.sent);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${token}`);
    expect(calls[1]!.headers.get('authorization')).not.toBe(`Bearer ${token}`);
    await c.close();
  });
});

describe('discovery', () => {
  it('never sends credentials to another origin named by the discovery document', async () => {
    const urls: string[] = [];
    const hostile = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      urls.push(url);
      if (url.endsWith('/.well-known/webmcp')) {
        const real = (await (await fetch(input, init)).json()) as Record<string, unknown>;
        const moved = Object.fromEntries(Object.entries(real).map(([k, v]) => [k, typeof v === 'string' ? v.replace(gw.url, 'https://evil.example') : v]));
        return new Response(JSON.stringify(moved), { headers: { 'content-type': 'application/json' } });
      }
      if (url.startsWith('https://evil.example')) throw new Error('credentials sent to a foreign origin');
      return fetch(input, init);
    }) as typeof fetch;
    const c = client({ fetch: hostile });
    expect((await c.pages()).map((p) => p.id)).toEqual(['shop']);
    expect(await c.act('shop', 'LOG_IN', { EMAIL: 'ann@example.com', PASSWORD })).toMatchObject({ status: 200 });
    expect(urls.filter((u) => !u.startsWith(gw.url))).toEqual([]);
    expect(urls.some((u) => u.endsWith('/webmcp/token'))).toBe(true);
    await c.close();
  });
});

describe('closing', () => {
  it('close() revokes the refresh token it holds', async () => {
    let refreshToken = '';
    const capture = (async (input: string | URL | Request, init?: RequestInit) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/webmcp/token') && res.ok) refreshToken = ((await res.clone().json()) as { refresh_token: string }).refresh_token;
      return res;
    }) as typeof fetch;
    const c = client({ fetch: capture });
    await c.pages();
    expect(refreshToken).not.toBe('');
    await c.close();
    const reuse = await fetch(`${gw.url}/webmcp/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    });
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('rate limits', () => {
  /** Answers the first `times` requests matching `path` with a 429 the way the gateway does. */
  function throttling(path: string, times: number, retryAfter: string) {
    const rec = recordingFetch();
    let left = times;
    const wrapped = (async (input: string | URL | Request, init?: RequestInit) => {
      if (String(input).includes(path) && left-- > 0) {
        await rec.fetch(input, init).then((r) => r.body?.cancel());
        return new Response(JSON.stringify({ type: 'urn:webmcp:problem:rate-limited', title: 'Too Many Requests', status: 429, detail: 'rate limit exceeded', code: 'ERR_RATE_LIMITED' }), {
          status: 429,
          headers: { 'content-type': 'application/problem+json', 'retry-after': retryAfter },
        });
      }
      return rec.fetch(input, init);
    }) as typeof fetch;
    return { fetch: wrapped, sent: rec.sent };
  }

  it('retries an idempotent call after Retry-After', async () => {
    const t = throttling('/webmcp/pages', 1, '1');
    const c = client({ fetch: t.fetch });
    const started = Date.now();
    expect((await c.pages()).length).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(t.sent.filter((r) => r.url.endsWith('/webmcp/pages'))).toHaveLength(2);
    await c.close();
  });

  it('does not repeat a state-changing action, and gives up when Retry-After is too long', async () => {
    const post = throttling('/webmcp/actions/shop/LOG_IN', 1, '1');
    const c = client({ fetch: post.fetch });
    const error = await c.act('shop', 'LOG_IN', { EMAIL: 'ann@example.com', PASSWORD }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_RATE_LIMITED', status: 429, retryAfterMs: 1000 });
    expect(actionCalls(post.sent)).toHaveLength(1);
    await c.close();

    const slow = throttling('/webmcp/pages', 1, '3600');
    const c2 = client({ fetch: slow.fetch });
    await expect(c2.pages()).rejects.toMatchObject({ code: 'ERR_RATE_LIMITED', retryAfterMs: 3_600_000 });
    await c2.close();
  });
});

describe('cookie sessions', () => {
  it('opens a session, sends the CSRF header on unsafe calls and no bearer token', async () => {
    const rec = recordingFetch();
    const c = client({ fetch: rec.fetch, auth: 'session' });
    expect((await c.pages()).length).toBe(1);
    const answer = await c.act('shop', 'LOG_IN', { EMAIL: 'ann@example.com', PASSWORD });
    expect(answer.status).toBe(200);
    const [call] = actionCalls(rec.sent);
    expect(call!.headers.get('authorization')).toBeNull();
    expect(call!.headers.get('cookie')).toMatch(/webmcp-session=/);
    expect(call!.headers.get('x-csrf-token')).toBeTruthy();
    expect(call!.body).not.toContain(PASSWORD);
    await c.close();
    // close() ended the session: its cookie no longer authenticates.
    const replay = await fetch(`${gw.url}/webmcp/pages`, { headers: { cookie: call!.headers.get('cookie')! } });
    expect(replay.status).toBe(401);
  });

  it('a forged CSRF token is refused by the gateway', async () => {
    const rec = recordingFetch();
    const c = client({ fetch: rec.fetch, auth: 'session' });
    await c.act('shop', 'SEARCH_SUBMIT', { SEARCH: 'x' });
    const cookie = actionCalls(rec.sent)[0]!.headers.get('cookie')!;
    const forged = await fetch(`${gw.url}/webmcp/actions/shop/SEARCH_SUBMIT`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': 'forged', 'content-type': 'application/json' },
      body: JSON.stringify({ SEARCH: 'x' }),
    });
    expect(forged.status).toBe(403);
    await c.close();
  });
});

describe('construction', () => {
  it('refuses misuse with TypeErrors', () => {
    expect(() => new WebMCPClient({ baseUrl: 'ftp://x', apiKey: 'k' })).toThrow(TypeError);
    expect(() => new WebMCPClient({ baseUrl: gw.url, apiKey: '' })).toThrow(TypeError);
    expect(() => new WebMCPClient({ baseUrl: gw.url, apiKey: 'k', pins: ['sha256/x'] })).toThrow(TypeError);
    expect(() => new WebMCPClient({ baseUrl: 'https://x.example', apiKey: 'k', pins: ['nope'] })).toThrow(/sha256/);
  });

  it('a wrong API key is a typed 401', async () => {
    const c = new WebMCPClient({ baseUrl: gw.url, apiKey: 'wmk_nope.secret' });
    await expect(c.pages()).rejects.toMatchObject({ status: 401, code: 'ERR_UNAUTHENTICATED', problem: { error: 'invalid_client' } });
  });
});
