import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisPostgresStore, type RedisPostgresStoreOptions } from '../../src/store/redis-postgres.js';
import type { Store } from '../../src/store/types.js';
import { createDatabase, uniqueName } from '../setup/services.js';
import { runStoreContract } from './contract.js';

// This file's own database on the run's shared PostgreSQL, and its own key prefixes on Redis.
let pgUrl = '';
const redisUrl = inject('redisUrl');
beforeAll(async () => {
  pgUrl = await createDatabase(inject('pgUrl'), uniqueName('store_rp'));
});

const settings = new WeakMap<Store, RedisPostgresStoreOptions>();
async function open(opts: RedisPostgresStoreOptions): Promise<Store> {
  const store = await createRedisPostgresStore(opts);
  settings.set(store, opts);
  return store;
}

runStoreContract(
  'redis+postgres',
  () => {
    const name = uniqueName('s');
    return open({ redis: redisUrl, postgres: pgUrl, schema: name, keyPrefix: `${name}:` });
  },
  { sibling: (store) => open(settings.get(store)!), ttlSlackMs: 50 },
);

describe('redis+postgres store', () => {
  it('needs a master key and names its kind', async () => {
    const name = uniqueName('s');
    const s = await open({ redis: redisUrl, postgres: pgUrl, schema: name, keyPrefix: `${name}:` });
    expect(s.kind).toBe('redis+postgres');
    expect(s.requiresMasterKey).toBe(true);
    await s.close();
  });

  it('takes the schema and key prefix from the URLs', async () => {
    const name = uniqueName('u');
    const s = await open({ redis: `${redisUrl}/0?keyPrefix=${name}:`, postgres: `${pgUrl}?schema=${name}` });
    await s.kv.set('k', 'v', 60_000);
    await s.apiKeys.insert({
      id: 'key-1', name: 'n', role: 'reader', scopes: [], secretHash: 'h', createdAt: 1, expiresAt: null, revokedAt: null,
      lastUsedAt: null, previousSecretHash: null, previousValidUntil: null,
    });
    const other = await open({ redis: redisUrl, postgres: pgUrl, schema: uniqueName('o'), keyPrefix: 'other:' });
    expect(await other.kv.get('k')).toBeNull();
    expect(await other.apiKeys.get('key-1')).toBeNull();
    const same = await open({ redis: redisUrl, postgres: pgUrl, schema: name, keyPrefix: `${name}:` });
    expect(await same.kv.get('k')).toBe('v');
    expect(await same.apiKeys.get('key-1')).not.toBeNull();
    await Promise.all([s.close(), other.close(), same.close()]);
  });

  it('runs migrations once when several instances start at once', async () => {
    const name = uniqueName('m');
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => open({ redis: redisUrl, postgres: pgUrl, schema: name, keyPrefix: `${name}:` })),
    );
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    const { rows } = await client.query(`SELECT version FROM "${name}".schema_migrations`);
    await client.end();
    expect(rows).toEqual([{ version: 1 }]);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('keeps revocations in PostgreSQL, so losing Redis data does not lose them', async () => {
    const name = uniqueName('r');
    const s = await open({ redis: redisUrl, postgres: pgUrl, schema: name, keyPrefix: `${name}:` });
    await s.revocations.revoke('jti-durable', Date.now() + 60_000);
    const { Redis } = await import('ioredis');
    const raw = new Redis(redisUrl);
    const keys = await raw.keys(`${name}:*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
    expect(await s.revocations.isRevoked('jti-durable')).toBe(true);
    await s.close();
  });

  it('refuses bad URLs with a TypeError before connecting', async () => {
    await expect(createRedisPostgresStore({ redis: 'http://x', postgres: pgUrl })).rejects.toThrow(TypeError);
    await expect(createRedisPostgresStore({ redis: redisUrl, postgres: 'mysql://x' })).rejects.toThrow(TypeError);
  });
});
