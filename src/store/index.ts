/**
 * Storage backends for webmcp: `memory` (tests), `sqlite:PATH` (one gateway, the default) and
 * Redis + PostgreSQL (several gateways sharing state). All implement {@link Store}.
 *
 * @example
 * const store = await createStore('sqlite:./webmcp.db', { baseDir: configDir });
 */
import { isAbsolute, resolve } from 'node:path';
import { WebMCPConfigError } from '../errors.js';
import { createMemoryStore } from './memory/index.js';
import { createSqliteStore } from './sqlite/index.js';
import { createRedisPostgresStore } from './redis-postgres.js';
import type { Store, StoreSpec } from './types.js';

export type * from './types.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory/index.js';
export { createSqliteStore, type SqliteStoreOptions } from './sqlite/index.js';
export { createRedisPostgresStore, type RedisPostgresStoreOptions } from './redis-postgres.js';

export interface CreateStoreOptions {
  /** Directory a relative `sqlite:` path is resolved against (the config file's folder). Default: cwd. */
  baseDir?: string;
  /** Clock for expiry decisions (tests). */
  now?: () => number;
}

/** The default store of `webmcp serve`. */
export const DEFAULT_STORE_SPEC: StoreSpec = 'sqlite:./webmcp.db';

/**
 * Opens the store named by `spec` (`"memory"`, `"sqlite:PATH"`, `{ redis, postgres }`), running
 * migrations. A malformed spec throws `WebMCPConfigError` with path `store`; an unreachable backend
 * rejects with `WebMCPStoreError` `ERR_STORE_UNAVAILABLE`.
 */
export async function createStore(spec: StoreSpec, options: CreateStoreOptions = {}): Promise<Store> {
  if (spec === 'memory') return createMemoryStore({ now: options.now });
  if (typeof spec === 'string' && spec.startsWith('sqlite:')) {
    return createSqliteStore(resolveSqlitePath(spec, options.baseDir), { now: options.now });
  }
  if (isRedisPostgresSpec(spec)) {
    try {
      return await createRedisPostgresStore({ redis: spec.redis, postgres: spec.postgres, now: options.now });
    } catch (error) {
      if (error instanceof TypeError) throw new WebMCPConfigError('store', error.message, { cause: error });
      throw error;
    }
  }
  throw new WebMCPConfigError('store', 'must be "memory", "sqlite:PATH" or { "redis": URL, "postgres": URL }');
}

/**
 * The absolute file path of a `sqlite:PATH` spec (relative paths against `baseDir`), e.g. to put
 * the master key file beside it. Throws `WebMCPConfigError` for anything else.
 */
export function resolveSqlitePath(spec: string, baseDir: string = process.cwd()): string {
  const path = spec.startsWith('sqlite:') ? spec.slice('sqlite:'.length) : '';
  if (path === ':memory:') return path;
  if (!path || path.includes('\0')) throw new WebMCPConfigError('store', 'sqlite: needs a file path, e.g. "sqlite:./webmcp.db"');
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function isRedisPostgresSpec(spec: unknown): spec is { redis: string; postgres: string } {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return false;
  const keys = Object.keys(spec);
  const s = spec as Record<string, unknown>;
  if (keys.some((k) => k !== 'redis' && k !== 'postgres')) {
    throw new WebMCPConfigError('store', 'only "redis" and "postgres" may be given');
  }
  if (typeof s.redis !== 'string' || !/^rediss?:\/\//.test(s.redis)) {
    throw new WebMCPConfigError('store.redis', 'must be a redis:// or rediss:// URL');
  }
  if (typeof s.postgres !== 'string' || !/^postgres(ql)?:\/\//.test(s.postgres)) {
    throw new WebMCPConfigError('store.postgres', 'must be a postgres:// URL');
  }
  return true;
}
