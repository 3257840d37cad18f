import { Redis, type RedisOptions } from 'ioredis';
import { WebMCPError } from '../../errors.js';
import type { ConsumeResult, CounterStore, EventBus, KeyValueStore } from '../types.js';
import { DEFAULT_STORE_TIMEOUT_MS, closed, unavailable, withTimeout } from '../internal/errors.js';

export interface RedisBackendOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://`. A `keyPrefix` query parameter sets the prefix. */
  url: string;
  /** Prefix for every key and channel; overrides the URL's `keyPrefix`. Default `webmcp:`. */
  keyPrefix?: string;
  /** Budget for connecting and for each command; beyond it calls reject ERR_STORE_UNAVAILABLE. Default 750 ms, so a request meeting a hung server still gets its 503 within 1 s. */
  timeoutMs?: number;
}

/** The fast half of the Redis + PostgreSQL store: short-lived values, counters and events. */
export interface RedisBackend {
  readonly kv: KeyValueStore;
  readonly counters: CounterStore;
  readonly events: EventBus;
  readonly keyPrefix: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

// Fixed window: the first unit creates the key with PEXPIRE = window; later units only INCRBY, so the
// window never slides. A refusal changes nothing. Returns {allowed, count, resetMs}.
const CONSUME = `
local ttl = redis.call('PTTL', KEYS[1])
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
if ttl <= 0 then
  if cost > limit then return {0, 0, window} end
  redis.call('SET', KEYS[1], cost, 'PX', window)
  return {1, cost, window}
end
local count = tonumber(redis.call('GET', KEYS[1]))
if count + cost > limit then return {0, count, ttl} end
return {1, redis.call('INCRBY', KEYS[1], cost), ttl}
`;

const REFUND = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return 0 end
local count = tonumber(redis.call('GET', KEYS[1])) - tonumber(ARGV[1])
if count < 0 then count = 0 end
redis.call('SET', KEYS[1], count, 'PX', ttl)
return count
`;

const PEEK = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return false end
return {tonumber(redis.call('GET', KEYS[1])), ttl}
`;

type ScriptedRedis = Redis & {
  webmcpConsume(key: string, windowMs: number, limit: number, cost: number): Promise<[number, number, number]>;
  webmcpRefund(key: string, cost: number): Promise<number>;
  webmcpPeek(key: string): Promise<[number, number] | null>;
};

/** Splits our own `keyPrefix` parameter off a Redis URL. */
export function parseRedisUrl(url: string): { url: string; keyPrefix: string | null } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError('redis store: the URL is not valid');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new TypeError('redis store: the URL must start with redis:// or rediss://');
  const keyPrefix = u.searchParams.get('keyPrefix');
  u.searchParams.delete('keyPrefix');
  return { url: u.toString(), keyPrefix };
}

/**
 * Connects to Redis with no offline queue, short timeouts and capped reconnect backoff: while Redis
 * is down every call fails fast with ERR_STORE_UNAVAILABLE, and the client reconnects by itself.
 */
export async function createRedisBackend(options: RedisBackendOptions): Promise<RedisBackend> {
  const parsed = parseRedisUrl(options.url);
  const keyPrefix = options.keyPrefix ?? parsed.keyPrefix ?? 'webmcp:';
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const clientOptions: RedisOptions = {
    lazyConnect: true,
    // No hidden queue: a command sent while disconnected fails at once instead of waiting.
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // A command in flight when the connection drops fails rather than being replayed: replaying a
    // consume could count it twice.
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000),
    connectionName: 'webmcp',
  };
  const redis = new Redis(parsed.url, { ...clientOptions, keyPrefix }) as ScriptedRedis;
  // Connection errors are reported through the failing calls (as ERR_STORE_UNAVAILABLE with the
  // error as cause); without a listener ioredis would print every reconnect attempt.
  redis.on('error', () => undefined);
  redis.defineCommand('webmcpConsume', { numberOfKeys: 1, lua: CONSUME });
  redis.defineCommand('webmcpRefund', { numberOfKeys: 1, lua: REFUND });
  redis.defineCommand('webmcpPeek', { numberOfKeys: 1, lua: PEEK });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw unavailable('redis', error);
  }

  let isClosed = false;
  let subscriber: Redis | null = null;
  let subscriberReady: Promise<Redis> | null = null;
  const handlers = new Map<string, Set<(message: string) => void>>();
  const channelKey = (channel: string) => `${keyPrefix}events:${channel}`;

  async function call<T>(fn: () => Promise<T>): Promise<T> {
    if (isClosed) throw closed('redis');
    try {
      return await fn();
    } catch (error) {
      throw error instanceof WebMCPError ? error : unavailable('redis', error);
    }
  }

  const ttl = (ms: number) => Math.max(1, Math.ceil(ms));

  async function getSubscriber(): Promise<Redis> {
    if (!subscriberReady) {
      const sub = new Redis(parsed.url, clientOptions);
      sub.on('error', () => undefined); // as above: failures surface through subscribe()
      sub.on('message', (channel: string, message: string) => {
        for (const handler of handlers.get(channel) ?? []) {
          try {
            handler(message);
          } catch (error) {
            process.emitWarning(`webmcp store event handler failed: ${String(error)}`, 'WebMCPStoreWarning');
          }
        }
      });
      subscriber = sub;
      subscriberReady = sub.connect().then(
        () => sub,
        (error) => {
          subscriberReady = null;
          subscriber = null;
          sub.disconnect();
          throw error;
        },
      );
    }
    return subscriberReady;
  }

  const kv: KeyValueStore = {
    get: (key) => call(() => redis.get(`kv:${key}`)),
    set: (key, value, ttlMs) => call(async () => void (await redis.set(`kv:${key}`, value, 'PX', ttl(ttlMs)))),
    setIfAbsent: (key, value, ttlMs) => call(async () => (await redis.set(`kv:${key}`, value, 'PX', ttl(ttlMs), 'NX')) === 'OK'),
    delete: (key) => call(async () => void (await redis.del(`kv:${key}`))),
  };

  const counters: CounterStore = {
    consume: (key, windowMs, limit, cost = 1) =>
      call(async (): Promise<ConsumeResult> => {
        const [allowed, count, resetMs] = await redis.webmcpConsume(`rl:${key}`, ttl(windowMs), limit, cost);
        return { allowed: allowed === 1, count, resetMs };
      }),
    refund: (key, cost = 1) => call(async () => void (await redis.webmcpRefund(`rl:${key}`, cost))),
    peek: (key) =>
      call(async () => {
        const r = await redis.webmcpPeek(`rl:${key}`);
        return r ? { count: r[0], resetMs: r[1] } : null;
      }),
  };

  const events: EventBus = {
    publish: (channel, message) => call(async () => void (await redis.publish(channelKey(channel), message))),
    subscribe: (channel, handler) =>
      call(async () => {
        const key = channelKey(channel);
        const entry = (message: string) => handler(message);
        let set = handlers.get(key);
        if (!set) {
          const sub = await getSubscriber();
          await sub.subscribe(key);
          set = handlers.get(key) ?? new Set();
          handlers.set(key, set);
        }
        set.add(entry);
        let active = true;
        return async () => {
          if (!active) return;
          active = false;
          const current = handlers.get(key);
          current?.delete(entry);
          if (current && current.size === 0) {
            handlers.delete(key);
            // ioredis re-subscribes remembered channels after a reconnect, so forget this one now.
            if (subscriber && !isClosed) await call(async () => void (await subscriber!.unsubscribe(key)));
          }
        };
      }),
  };

  return {
    kv,
    counters,
    events,
    keyPrefix,
    async ping() {
      await withTimeout('redis', timeoutMs, () => call(() => redis.ping()));
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      handlers.clear();
      const clients = [redis, subscriber].filter((c): c is Redis => c !== null);
      await Promise.all(
        clients.map(async (c) => {
          if (c.status === 'ready') {
            // QUIT lets Redis finish what was sent; if that fails the hard disconnect below still closes it.
            await c.quit().catch(() => undefined);
          }
          c.disconnect();
        }),
      );
    },
  };
}
