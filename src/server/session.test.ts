import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/memory/index.js';
import { createGateway, type Gateway } from './app.js';
import { createLogger } from './logger.js';

// A clock the test moves: CSRF tokens, sessions and tokens all expire by it.
let clock = Date.UTC(2030, 0, 1);
const now = () => clock;
let gateway: Gateway;

function call(path: string, init: RequestInit = {}): Promise<Response> {
  return gateway.fetch(new Request(`http://127.0.0.1:8080${path}`, init), { remoteAddress: '127.0.0.1' });
}

beforeAll(async () => {
  gateway = await createGateway(
    { security: { jwt: { secret: 'session-test-secret-0123456789abcdef-0123456789' }, csrfTokenExpiry: '60s' }, sessions: { ttl: '1h' } },
    { store: createMemoryStore({ now }), logger: createLogger('silent'), now, watchPages: false },
  );
});

afterAll(async () => {
  await gateway?.close();
});

describe('session CSRF expiry', () => {
  it('refuses an expired CSRF token and accepts a fresh one', async () => {
    const key = await gateway.services.security.apiKeys.create({ name: 'admin', role: 'admin' });
    const tokenRes = await call('/webmcp/token', {
      method: 'POST',
      headers: { 'x-api-key': key.key, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    const opened = await call('/webmcp/session', { method: 'POST', headers: { authorization: `Bearer ${access_token}` } });
    expect(opened.status).toBe(204);
    const cookie = opened.headers.getSetCookie()[0]!.split(';')[0]!;
    const { token: csrf } = (await (await call('/webmcp/csrf', { headers: { cookie } })).json()) as { token: string };

    const create = (csrfToken: string) =>
      call('/admin/api/keys', {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'k', role: 'reader' }),
      });
    expect((await create(csrf)).status).toBe(201);
    clock += 61_000;
    const expired = await create(csrf);
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { code: string }).code).toBe('ERR_CSRF');
    const { token: fresh } = (await (await call('/webmcp/csrf', { headers: { cookie } })).json()) as { token: string };
    expect((await create(fresh)).status).toBe(201);

    // The session itself ends after its TTL.
    clock += 3600_000;
    expect((await call('/webmcp/pages', { headers: { cookie } })).status).toBe(401);
  });
});
