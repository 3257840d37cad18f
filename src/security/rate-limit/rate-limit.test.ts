import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../store/memory/index.js';
import { createSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/types.js';
import { createRateLimiter, rateLimitedResponse, rateLimitHeaders, rateLimitKey } from './rate-limit.js';

const dir = mkdtempSync(join(tmpdir(), 'webmcp-rl-'));
const stores: Array<[string, () => Store]> = [
  ['memory', () => createMemoryStore()],
  ['sqlite', () => createSqliteStore(join(dir, `rl-${Math.random().toString(36).slice(2)}.db`))],
];
const opened: Store[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe.each(stores)('rate limiter over the %s store', (_name, make) => {
  const open = () => {
    const s = make();
    opened.push(s);
    return s;
  };

  it('grants exactly maxRequests of 200 concurrent calls, and refused calls consume nothing', async () => {
    const limiter = createRateLimiter({ windowMs: 60_000, maxRequests: 50 }, open());
    const key = rateLimitKey.ip('203.0.113.7');
    const results = await Promise.all(Array.from({ length: 200 }, () => limiter.consume(key)));
    expect(results.filter((r) => r.allowed)).toHaveLength(50);
    expect(results.filter((r) => !r.allowed).every((r) => r.remaining === 0)).toBe(true);
    const state = await limiter.peek(key);
    expect(state.remaining).toBe(0);
    await limiter.refund(key);
    expect((await limiter.consume(key)).allowed).toBe(true); // 150 refusals took no units
    expect((await limiter.consume(key)).allowed).toBe(false);
  });

  it('counts keys separately and reports remaining units', async () => {
    const limiter = createRateLimiter({ windowMs: 60_000, maxRequests: 3 }, open());
    expect((await limiter.consume('a')).remaining).toBe(2);
    expect((await limiter.consume('a')).remaining).toBe(1);
    expect((await limiter.consume('b')).remaining).toBe(2);
    const r = await limiter.consume('a');
    expect(r).toMatchObject({ allowed: true, remaining: 0, limit: 3 });
    expect(r.resetMs).toBeGreaterThan(0);
    expect(r.resetMs).toBeLessThanOrEqual(60_000);
  });
});

describe('rate limiter windows', () => {
  it('opens a fresh window after windowMs', async () => {
    let t = 1_000_000;
    const store = createMemoryStore({ now: () => t });
    const limiter = createRateLimiter({ windowMs: 1_000, maxRequests: 2 }, store);
    await limiter.consume('k');
    await limiter.consume('k');
    expect((await limiter.consume('k')).allowed).toBe(false);
    t += 1_000;
    expect((await limiter.consume('k')).allowed).toBe(true);
    await store.close();
  });

  it('refuses bad options at creation', () => {
    const store = createMemoryStore();
    expect(() => createRateLimiter({ windowMs: 0, maxRequests: 1 }, store)).toThrow(TypeError);
    expect(() => createRateLimiter({ windowMs: 1000, maxRequests: 0 }, store)).toThrow(TypeError);
    expect(() => createRateLimiter({ windowMs: 1000, maxRequests: 1, policyName: 'a"b' }, store)).toThrow(TypeError);
  });
});

describe('rate-limit headers', () => {
  const policy = { name: 'default', limit: 100, windowMs: 60_000 };

  it('uses the structured-field RateLimit-Policy / RateLimit form of the IETF draft', () => {
    expect(rateLimitHeaders({ allowed: true, remaining: 99, resetMs: 59_001, limit: 100 }, policy)).toEqual({
      'RateLimit-Policy': '"default";q=100;w=60',
      RateLimit: '"default";r=99;t=60',
    });
  });

  it('adds Retry-After (at least 1 s) when refused', () => {
    const h = rateLimitHeaders({ allowed: false, remaining: 0, resetMs: 41_200, limit: 100 }, policy);
    expect(h).toMatchObject({ RateLimit: '"default";r=0;t=42', 'Retry-After': '42' });
    expect(rateLimitHeaders({ allowed: false, remaining: 0, resetMs: 0, limit: 100 }, policy)['Retry-After']).toBe('1');
  });

  it('builds a 429 problem+json response', async () => {
    const res = rateLimitedResponse({ allowed: false, remaining: 0, resetMs: 5_000, limit: 100 }, policy);
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('ratelimit-policy')).toBe('"default";q=100;w=60');
    expect(await res.json()).toMatchObject({ type: 'about:blank', title: 'Too Many Requests', status: 429, code: 'ERR_RATE_LIMITED' });
  });
});
