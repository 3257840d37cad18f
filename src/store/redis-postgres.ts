import type { Store } from './types.js';
import { DEFAULT_STORE_TIMEOUT_MS, closed, withTimeout } from './internal/errors.js';
import { createPostgresBackend } from './postgres/index.js';
import { createRedisBackend } from './redis/index.js';

export interface RedisPostgresStoreOptions {
  /** Redis URL (kv, rate-limit counters, events). May carry `?keyPrefix=`. */
  redis: string;
  /** PostgreSQL URL (api keys, refresh tokens, revocations, keyring, audit log). May carry `?schema=`. */
  postgres: string;
  /** Overrides the Redis URL's `keyPrefix` (default `webmcp:`). */
  keyPrefix?: string;
  /** Overrides the PostgreSQL URL's `schema` (default `webmcp`). */
  schema?: string;
  /** Clock for expiry decisions made in PostgreSQL (defaults to `Date.now`). */
  now?: () => number;
  /** Per-call budget before ERR_STORE_UNAVAILABLE, for both servers. Default 750 ms, so a request meeting a hung server still gets its 503 within 1 s. */
  timeoutMs?: number;
  /** PostgreSQL pool size per instance. Default 10. */
  poolSize?: number;
}

/**
 * The store for several gateway instances sharing state: PostgreSQL holds everything durable
 * (revocations included, so they survive a Redis restart) and Redis what is short-lived or hot.
 * Key material at rest must be wrapped with an operator-supplied master key.
 *
 * @example
 * const store = await createRedisPostgresStore({ redis: 'redis://127.0.0.1:6379', postgres: 'postgres://webmcp@db/webmcp' });
 */
export async function createRedisPostgresStore(options: RedisPostgresStoreOptions): Promise<Store> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const pgBackend = await createPostgresBackend({
    url: options.postgres,
    schema: options.schema,
    now: options.now,
    timeoutMs,
    poolSize: options.poolSize,
  });
  let redisBackend;
  try {
    redisBackend = await createRedisBackend({ url: options.redis, keyPrefix: options.keyPrefix, timeoutMs });
  } catch (error) {
    await pgBackend.close();
    throw error;
  }
  const redis = redisBackend;
  let isClosed = false;
  return {
    kind: 'redis+postgres',
    requiresMasterKey: true,
    kv: redis.kv,
    counters: redis.counters,
    events: redis.events,
    apiKeys: pgBackend.apiKeys,
    refreshTokens: pgBackend.refreshTokens,
    revocations: pgBackend.revocations,
    keyring: pgBackend.keyring,
    audit: pgBackend.audit,
    async ping() {
      if (isClosed) throw closed('redis+postgres');
      await withTimeout('redis+postgres', timeoutMs + 100, () => Promise.all([redis.ping(), pgBackend.ping()]).then(() => undefined));
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      await Promise.all([redis.close(), pgBackend.close()]);
    },
  };
}
