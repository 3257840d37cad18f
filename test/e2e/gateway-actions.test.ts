/**
 * Attack catalogue, part 2: pages and actions. Params validated against the document, JWE
 * required for sensitive fields (plaintext refused, JWE decrypted and forwarded under the page's
 * field names), upstream answers capped, timeouts, ACLs, re-analysis on file change, and no
 * sensitive value ever in the audit trail or the logs.
 */
import { CompactEncrypt, importJWK, type JWK } from 'jose';
import Database from '../../src/store/sqlite/driver.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_HTML, expectSecurityHeaders, startGateway, startUpstream, type Gateway, type Upstream } from './gateway-harness.js';

const PASSWORD = 'correct-horse-battery-staple-4711';
let gw: Gateway;
let upstream: Upstream;
let agentToken: string;
let adminToken: string;
let admin: { id: string; key: string };
/** The checkbox's element name, as the core names it (from the page's document). */
let remember: string;

/** A sign-up form with a radio group, a checkbox group and a select whose labels repeat. */
const SIGNUP_HTML = `<!doctype html><html lang="en"><head><title>Sign up</title></head><body>
<form id="signup" action="/signup" method="post">
<label for="em">Email</label><input id="em" type="email" name="email" required>
<fieldset><legend>Plan</legend>
<label><input type="radio" name="plan" value="basic" required> Basic</label>
<label><input type="radio" name="plan" value="pro"> Pro</label></fieldset>
<label><input type="checkbox" name="topics" value="news"> News</label>
<label><input type="checkbox" name="topics" value="deals"> Deals</label>
<label>Country <select name="country"><option value="de">Germany</option><option value="fr">France</option><option value="o1">Other</option><option value="o2">Other</option></select></label>
<button type="submit">Sign up</button></form></body></html>`;

beforeAll(async () => {
  upstream = await startUpstream();
  gw = await startGateway({
    upstream,
    files: { 'pages/login.html': LOGIN_HTML, 'pages/private.html': LOGIN_HTML, 'pages/signup.html': SIGNUP_HTML },
    pages: {
      login: {
        url: 'https://shop.example/login',
        html: 'pages/login.html',
        actions: {
          LOG_IN: { upstream: `${upstream.url}/session`, method: 'POST', timeoutMs: 1000 },
          SUBSCRIBE: { upstream: `${upstream.url}/text`, method: 'POST', acl: { roles: ['admin'] } },
        },
      },
      private: { url: 'https://shop.example/private', html: 'pages/private.html', acl: { roles: ['admin'] }, actions: {} },
      signup: { url: 'https://shop.example/signup', html: 'pages/signup.html', actions: { SIGN_UP: { upstream: `${upstream.url}/signup`, method: 'POST' } } },
    },
  });
  const agent = await gw.createKey('agent');
  admin = await gw.createKey('admin');
  agentToken = (await gw.token(agent.key)).access_token;
  adminToken = (await gw.token(admin.key)).access_token;
  const doc = (await (await gw.fetch('/webmcp/pages/login', { headers: { authorization: `Bearer ${agentToken}` } })).json()) as {
    elements: { name: string; field?: string }[];
  };
  remember = doc.elements.find((e) => e.field === 'remember')!.name;
}, 60_000);

afterAll(async () => {
  await gw?.cleanup();
  await upstream?.close();
});

function act(action: string, params: unknown, token = agentToken, page = 'login'): Promise<Response> {
  return gw.fetch(`/webmcp/actions/${page}/${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof params === 'string' ? params : JSON.stringify(params),
  });
}

async function encrypt(value: string, alg: 'ECDH-ES+A256KW' | 'ECDH-ES' = 'ECDH-ES+A256KW'): Promise<string> {
  const { keys } = (await (await gw.fetch('/.well-known/jwks.json')).json()) as { keys: (JWK & { use: string })[] };
  const jwk = keys.find((k) => k.use === 'enc')!;
  const key = await importJWK(jwk, alg);
  return new CompactEncrypt(new TextEncoder().encode(value)).setProtectedHeader({ alg, enc: 'A256GCM', kid: jwk.kid }).encrypt(key);
}

describe('actions', () => {
  it('refuses plaintext for an encryption-required field and forwards nothing', async () => {
    const before = upstream.requests.length;
    const res = await act('LOG_IN', { EMAIL: 'ann@example.com', PASSWORD });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('ERR_ENCRYPTION_REQUIRED');
    expect(upstream.requests.length).toBe(before);
  });

  it('decrypts a JWE field and forwards it form-encoded under the original field names', async () => {
    for (const alg of ['ECDH-ES+A256KW', 'ECDH-ES'] as const) {
      upstream.requests.length = 0;
      const res = await act('LOG_IN', { EMAIL: 'ann@example.com', PASSWORD: await encrypt(PASSWORD, alg), [remember]: true });
      expect(res.status).toBe(200);
      expect(expectSecurityHeaders(res)).toEqual([]);
      const answer = (await res.json()) as { status: number; body: { ok: boolean } };
      expect(answer).toEqual({ status: 200, body: { ok: true, received: expect.any(Number) } });
      const sent = upstream.requests[0]!;
      expect(sent.method).toBe('POST');
      expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(sent.headers['authorization']).toBeUndefined();
      const form = new URLSearchParams(sent.body);
      expect(form.get('email')).toBe('ann@example.com');
      expect(form.get('password')).toBe(PASSWORD);
      expect(form.get('remember')).toBe('yes');
    }
  });

  it('refuses a JWE that is not for us, tampered or for a wrong key', async () => {
    const jwe = await encrypt(PASSWORD);
    const parts = jwe.split('.');
    parts[3] = parts[3]!.slice(0, -2) + (parts[3]!.endsWith('AA') ? 'BB' : 'AA');
    const tampered = await act('LOG_IN', { EMAIL: 'ann@example.com', PASSWORD: parts.join('.') });
    expect(tampered.status).toBe(400);
    expect(((await tampered.json()) as { code: string }).code).toBe('ERR_DECRYPT');
  });

  it('validates params against the document', async () => {
    const jwe = await encrypt(PASSWORD);
    const cases: [string, unknown][] = [
      ['unknown param', { EMAIL: 'a@b.co', PASSWORD: jwe, ADMIN: 'true' }],
      ['param of another form', { EMAIL: 'a@b.co', PASSWORD: jwe, TOPIC: 'a' }],
      ['missing required', { PASSWORD: jwe }],
      ['wrong type', { EMAIL: { $ne: '' }, PASSWORD: jwe }],
      ['not an email', { EMAIL: 'nope', PASSWORD: jwe }],
      ['too short after decrypting', { EMAIL: 'a@b.co', PASSWORD: await encrypt('short') }],
      ['array body', '[1,2]'],
      ['checkbox value not allowed', { EMAIL: 'a@b.co', PASSWORD: jwe, [remember]: 'no' }],
      ['proto key', '{"EMAIL":"a@b.co","__proto__":{"x":1}}'],
    ];
    for (const [name, params] of cases) {
      const res = await act('LOG_IN', params);
      expect([name, res.status]).toEqual([name, 400]);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await act('NOPE', {})).status).toBe(404);
    expect((await act('LOG_IN', {}, agentToken, 'nope')).status).toBe(404);
  });

  it('enforces page and action ACLs', async () => {
    expect((await gw.fetch('/webmcp/pages/private', { headers: { authorization: `Bearer ${agentToken}` } })).status).toBe(403);
    expect((await gw.fetch('/webmcp/pages/private', { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(200);
    const list = (await (await gw.fetch('/webmcp/pages', { headers: { authorization: `Bearer ${agentToken}` } })).json()) as { pages: { id: string }[] };
    expect(list.pages.map((p) => p.id)).toEqual(['login', 'signup']); // not 'private'
    expect((await act('SUBSCRIBE', { TOPIC: 'a' })).status).toBe(403);
  });

  it('caps text answers at 64 KiB and answers 504 when the upstream is too slow', async () => {
    const res = await act('SUBSCRIBE', { TOPIC: 'b' }, adminToken);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { status: number; body: string };
    expect(answer.status).toBe(200);
    expect(answer.body.length).toBe(64 * 1024);
    expect((await act('SUBSCRIBE', { TOPIC: 'zzz' }, adminToken)).status).toBe(400);

    upstream.delayMs = 2500;
    try {
      const slow = await act('LOG_IN', { EMAIL: 'a@b.co', PASSWORD: await encrypt(PASSWORD) });
      expect(slow.status).toBe(504);
    } finally {
      upstream.delayMs = 0;
    }
  });
});

describe('action params on the core model (what the MCP tools advertise)', () => {
  interface Doc { elements: { name: string; field?: string; group?: string; value?: string; role: string }[] }
  let doc: Doc;
  const key = (field: string) => {
    const e = doc.elements.find((x) => x.field === field)!;
    return e.group ?? e.name;
  };
  const member = (field: string, value: string) => doc.elements.find((x) => x.field === field && x.value === value)!.name;
  const sent = () => {
    const body = new URLSearchParams(upstream.requests.at(-1)!.body);
    return { email: body.get('email'), plan: body.getAll('plan'), topics: body.getAll('topics'), country: body.getAll('country') };
  };

  beforeAll(async () => {
    doc = (await (await gw.fetch('/webmcp/pages/signup', { headers: { authorization: `Bearer ${agentToken}` } })).json()) as Doc;
  });

  it('takes radio and checkbox groups by group name and forwards the HTML fields', async () => {
    expect(key('plan')).not.toBe(member('plan', 'pro')); // the group key is not an element name
    const res = await act('SIGN_UP', { EMAIL: 'ann@example.com', [key('plan')]: 'pro', [key('topics')]: ['news', 'deals'], [key('country')]: 'fr' }, agentToken, 'signup');
    expect(res.status).toBe(200);
    expect(sent()).toEqual({ email: 'ann@example.com', plan: ['pro'], topics: ['news', 'deals'], country: ['fr'] });
  });

  it('still takes a group member by its element name', async () => {
    const res = await act('SIGN_UP', { EMAIL: 'ann@example.com', [member('plan', 'basic')]: true, [member('topics', 'deals')]: true }, agentToken, 'signup');
    expect(res.status).toBe(200);
    expect(sent()).toMatchObject({ plan: ['basic'], topics: ['deals'] });
    const both = await act('SIGN_UP', { EMAIL: 'ann@example.com', [member('plan', 'basic')]: true, [key('plan')]: 'pro' }, agentToken, 'signup');
    expect(both.status).toBe(400);
  });

  it('accepts an option label that names exactly one option and forwards its value', async () => {
    const res = await act('SIGN_UP', { EMAIL: 'ann@example.com', [key('plan')]: 'Pro', [key('country')]: 'Germany' }, agentToken, 'signup');
    expect(res.status).toBe(200);
    expect(sent()).toMatchObject({ plan: ['pro'], country: ['de'] });
    const before = upstream.requests.length;
    for (const bad of [{ [key('country')]: 'Other' }, { [key('country')]: 'Spain' }, { [key('plan')]: 'gold' }, { [key('plan')]: ['pro'] }, { [key('topics')]: 'news' }]) {
      const refused = await act('SIGN_UP', { EMAIL: 'ann@example.com', [key('plan')]: 'basic', ...bad }, agentToken, 'signup');
      expect([bad, refused.status]).toEqual([bad, 400]);
      const problem = (await refused.json()) as { code: string; detail: string };
      expect(problem.code).toBe('ERR_INPUT');
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('names the param in the refusal, never a value or an unknown key', async () => {
    const missing = (await (await act('SIGN_UP', { EMAIL: 'ann@example.com' }, agentToken, 'signup')).json()) as { detail: string };
    expect(missing.detail).toBe(`${key('plan')} is required`);
    const unknown = (await (await act('SIGN_UP', { EMAIL: 'ann@example.com', '<img src=x>': 1 }, agentToken, 'signup')).json()) as { detail: string };
    expect(unknown.detail).toBe('unknown parameter');
    const wrong = (await (await act('SIGN_UP', { EMAIL: 'secret-looking-value', [key('plan')]: 'basic' }, agentToken, 'signup')).json()) as { detail: string };
    expect(wrong.detail).toBe('EMAIL must be an email address');
  });
});

describe('pages', () => {
  it('analyses posted HTML and refuses bad bodies', async () => {
    const ok = await gw.fetch('/webmcp/analyze', {
      method: 'POST',
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ html: LOGIN_HTML, url: 'https://shop.example/login' }),
    });
    expect(ok.status).toBe(200);
    const doc = (await ok.json()) as { elements: { name: string; security?: { encryption?: string } }[] };
    expect(doc.elements.find((e) => e.name === 'PASSWORD')?.security?.encryption).toBe('required');
    for (const body of [{ html: 1, url: 'https://x.example' }, { html: '<p>', url: 'javascript:alert(1)' }, { html: '<p>' }, { html: '<p>', url: 'https://x.example', extra: 1 }]) {
      const res = await gw.fetch('/webmcp/analyze', {
        method: 'POST',
        headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
    }
  });

  it('re-analyses a page when its file changes', async () => {
    const changed = LOGIN_HTML.replace('</form>', '<label for="otp">One-time code</label><input id="otp" name="otp" type="text"></form>');
    writeFileSync(join(gw.dir, 'pages/login.html'), changed);
    const deadline = Date.now() + 5000;
    let names: string[] = [];
    while (Date.now() < deadline) {
      const doc = (await (await gw.fetch('/webmcp/pages/login', { headers: { authorization: `Bearer ${agentToken}` } })).json()) as { elements: { name: string }[] };
      names = doc.elements.map((e) => e.name);
      if (names.some((n) => n.includes('ONE_TIME') || n.includes('OTP'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(names.some((n) => n.includes('ONE_TIME') || n.includes('OTP'))).toBe(true);
  });

  it('serves Prometheus metrics to admins only', async () => {
    expect((await gw.fetch('/metrics', { headers: { authorization: `Bearer ${agentToken}` } })).status).toBe(403);
    const res = await gw.fetch('/metrics', { headers: { 'x-api-key': admin.key } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('webmcp_http_requests_total{method="POST",route="/webmcp/actions/:page/:action",status="200"}');
    expect(text).toMatch(/webmcp_refusals_total\{reason="encryption"\} \d+/);
    expect(text).toContain('webmcp_http_request_duration_seconds_bucket');
  });
});

describe('audit', () => {
  it('records every action call without any sensitive value, in the API, the database and the logs', async () => {
    const res = await gw.fetch('/webmcp/audit?limit=1000', { headers: { authorization: `Bearer ${adminToken}` } });
    const { entries } = (await res.json()) as { entries: { action: string; outcome: string; details: Record<string, unknown> | null; request_id: string }[] };
    const calls = entries.filter((e) => e.action === 'action.call');
    expect(calls.some((e) => e.outcome === 'ok' && (e.details?.['encrypted'] as string[]).includes('PASSWORD'))).toBe(true);
    expect(calls.some((e) => e.outcome === 'refused' && e.details?.['reason'] === 'ERR_ENCRYPTION_REQUIRED')).toBe(true);
    expect(calls.some((e) => e.outcome === 'error')).toBe(true);
    const dump = JSON.stringify(entries);
    expect(dump).not.toContain(PASSWORD);
    expect(dump).not.toContain('ann@example.com');
    expect(dump).not.toContain(agentToken);

    const db = new Database(join(gw.dir, 'data/webmcp.db'), { readonly: true, fileMustExist: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      for (const { name } of tables) {
        const rows = JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all());
        expect([name, rows.includes(PASSWORD)]).toEqual([name, false]);
        expect([name, rows.includes(admin.key.split('.')[1]!)]).toEqual([name, false]);
      }
    } finally {
      db.close();
    }
    expect(gw.stderr() + gw.stdout()).not.toContain(PASSWORD);
    expect(gw.stderr()).not.toContain(agentToken);
  });

  it('gives the request id of a call to its audit entry', async () => {
    const res = await act('LOG_IN', { EMAIL: 'bob@example.com', PASSWORD: await encrypt(PASSWORD) });
    const id = res.headers.get('x-request-id');
    const { entries } = (await (await gw.fetch('/webmcp/audit?limit=1000', { headers: { authorization: `Bearer ${adminToken}` } })).json()) as {
      entries: { action: string; request_id: string }[];
    };
    expect(entries.find((e) => e.request_id === id)?.action).toBe('action.call');
  });
});
