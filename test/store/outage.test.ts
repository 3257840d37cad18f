// Outage behaviour of the Redis + PostgreSQL store. This file starts its own servers, because it
// stops and restarts them and must not disturb the run's shared ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMCPStoreError } from '../../src/errors.js';
import { createRedisPostgresStore } from '../../src/store/redis-postgres.js';
import type { Store } from '../../src/store/types.js';
import { startPostgres, startRedis, type PostgresService, type RedisService } from '../setup/services.js';

let redis: RedisService;
let postgres: PostgresService;
let store: Store;

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  store = await createRedisPostgresStore({ redis: redis.url, postgres: postgres.url });
}, 60_000);

afterAll(async () => {
  await store?.close();
  await Promise.allSettled([redis?.destroy(), postgres?.destroy()]);
});

/** Awaits `p`, expecting ERR_STORE_UNAVAILABLE, and returns how long the rejection took. */
async function unavailableWithin(p: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  const err = await p().then(
    () => null,
    (e: unknown) => e,
  );
  const elapsed = performance.now() - started;
  expect(err).toBeInstanceOf(WebMCPStoreError);
  expect((err as WebMCPStoreError).code).toBe('ERR_STORE_UNAVAILABLE');
  return elapsed;
}

/** Retries `fn` until it resolves; returns how long recovery took. */
async function recoversWithin(limitMs: number, fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let lastError: unknown;
  while (performance.now() - started < limitMs) {
    try {
      await fn();
      return performance.now() - started;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`did not recover within ${limitMs} ms`, { cause: lastError });
}

const audit = (s: Store) =>
  s.audit.append((head) => ({
    seq: head ? head.seq + 1 : 1,
    ts: new Date().toISOString(),
    actor: 'outage-test',
    action: 'action.call',
    resource: '/x',
    outcome: 'ok',
    ip: null,
    request_id: null,
    details: null,
    prev_hash: head ? head.hash : '0'.repeat(64),
    hash: `h${head ? head.seq + 1 : 1}`,
  }));

describe('redis+postgres store during outages', () => {
  it('Redis down: ping and Redis-backed calls reject within 1 s; PostgreSQL calls still work; recovery is automatic', async () => {
    const received: string[] = [];
    await store.events.subscribe('outage', (m) => received.push(m));
    await store.kv.set('before', 'v', 60_000);

    await redis.stop();
    for (const call of [
      () => store.ping(),
      () => store.kv.get('before'),
      () => store.kv.set('k', 'v', 1000),
      () => store.counters.consume('rl', 60_000, 10),
      () => store.events.publish('outage', 'lost'),
    ]) {
      expect(await unavailableWithin(call)).toBeLessThan(1000);
    }
    await expect(store.revocations.isRevoked('jti')).resolves.toBe(false);

    await redis.start();
    expect(await recoversWithin(5000, () => store.ping())).toBeLessThan(5000);
    expect((await store.counters.consume('rl', 60_000, 10)).allowed).toBe(true);
    // The subscription comes back by itself after the reconnect.
    await recoversWithin(5000, async () => {
      await store.events.publish('outage', 'after-restart');
      await new Promise((r) => setTimeout(r, 100));
      if (!received.includes('after-restart')) throw new Error('not yet delivered');
    });
  });

  it('Redis killed (SIGKILL): calls reject within 1 s and recover after restart', async () => {
    await redis.stop({ kill: true });
    expect(await unavailableWithin(() => store.ping())).toBeLessThan(1000);
    expect(await unavailableWithin(() => store.counters.consume('rl2', 60_000, 10))).toBeLessThan(1000);
    await redis.start();
    await recoversWithin(5000, () => store.kv.set('k', 'v', 1000));
  });

  it('PostgreSQL down: ping and durable calls reject within 1 s; Redis calls still work; recovery is automatic', async () => {
    await audit(store);
    await postgres.stop();
    for (const call of [
      () => store.ping(),
      () => store.apiKeys.get('k'),
      () => store.revocations.isRevoked('jti'),
      () => store.refreshTokens.consume('h', Date.now()),
      () => store.keyring.list(),
      () => audit(store),
    ]) {
      expect(await unavailableWithin(call)).toBeLessThan(1000);
    }
    await expect(store.kv.setIfAbsent('pg-down', 'v', 1000)).resolves.toBe(true);

    await postgres.start();
    await recoversWithin(5000, () => store.ping());
    const entry = await audit(store);
    expect(entry.seq).toBe(2);
  });

  it('PostgreSQL killed (SIGKILL): calls reject within 1 s and recover after restart', async () => {
    await postgres.stop({ kill: true });
    expect(await unavailableWithin(() => store.ping())).toBeLessThan(1000);
    expect(await unavailableWithin(() => store.apiKeys.list())).toBeLessThan(1000);
    await postgres.start();
    await recoversWithin(5000, () => store.apiKeys.list());
    expect((await store.audit.head())?.seq).toBe(2);
  });

  it('Redis hung (SIGSTOP): calls give up after the 1 s budget instead of waiting', async () => {
    const pid = redis.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      expect(await unavailableWithin(() => store.ping())).toBeLessThan(1500);
      expect(await unavailableWithin(() => store.kv.get('x'))).toBeLessThan(1500);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await recoversWithin(5000, () => store.kv.get('x'));
  });

  it('refuses to open while a server is unreachable, quickly', async () => {
    await redis.stop();
    const started = performance.now();
    await expect(createRedisPostgresStore({ redis: redis.url, postgres: postgres.url })).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
    expect(performance.now() - started).toBeLessThan(2000);
    await redis.start();
  });
});
