import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMCPStoreError } from '../errors.js';
import { createMemoryStore } from '../store/memory/index.js';
import type { Store } from '../store/types.js';
import { createGateway, type Gateway } from './app.js';
import { createLogger } from './logger.js';

/** A store whose every backend call fails like an unreachable Redis/PostgreSQL while `down`. */
function flakyStore(inner: Store): { store: Store; setDown(down: boolean): void } {
  let down = false;
  const fail = () => Promise.reject(new WebMCPStoreError('ERR_STORE_UNAVAILABLE', 'store is unavailable'));
  const wrap = <T extends object>(part: T): T =>
    new Proxy(part, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => (down ? fail() : (value as (...a: unknown[]) => unknown).apply(target, args));
      },
    });
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'ping') return () => (down ? fail() : inner.ping());
      if (prop === 'close' || prop === 'kind' || prop === 'requiresMasterKey' || prop === 'events') return typeof value === 'function' ? value.bind(target) : value;
      return value && typeof value === 'object' ? wrap(value) : value;
    },
  });
  return { store, setDown: (d) => (down = d) };
}

let gateway: Gateway;
let flaky: ReturnType<typeof flakyStore>;

function call(path: string, init: RequestInit = {}): Promise<Response> {
  return gateway.fetch(new Request(`http://127.0.0.1:8080${path}`, init), { remoteAddress: '127.0.0.1' });
}

beforeAll(async () => {
  flaky = flakyStore(createMemoryStore());
  gateway = await createGateway(
    { security: { jwt: { secret: 'outage-test-secret-0123456789abcdef-0123456789ab' } } },
    { store: flaky.store, logger: createLogger('silent'), watchPages: false },
  );
});

afterAll(async () => {
  await gateway?.close();
});

describe('store outage', () => {
  it('fails closed with 503 on protected calls and /readyz, keeps /healthz, and recovers', async () => {
    const key = await gateway.services.security.apiKeys.create({ name: 'a', role: 'agent' });
    const tokenRes = await call('/webmcp/token', {
      method: 'POST',
      headers: { 'x-api-key': key.key, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    const pages = () => call('/webmcp/pages', { headers: { authorization: `Bearer ${access_token}` } });
    expect((await pages()).status).toBe(200);

    flaky.setDown(true);
    const refused = await pages();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await call('/readyz')).status).toBe(503);
    expect((await call('/healthz')).status).toBe(200);
    const token = await call('/webmcp/token', {
      method: 'POST',
      headers: { 'x-api-key': key.key, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(503);

    flaky.setDown(false);
    expect((await call('/readyz')).status).toBe(200);
    expect((await pages()).status).toBe(200);
  });
});
