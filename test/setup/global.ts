// vitest globalSetup: starts one Redis and one PostgreSQL for the whole run and hands their URLs to
// test files (inject('redisUrl') / inject('pgUrl'), and env WEBMCP_TEST_REDIS_URL / WEBMCP_TEST_PG_URL).
// Test files isolate themselves: their own database (createDatabase) and Redis key prefix.
// When a service cannot start, the run fails: CI installs both.
import type { TestProject } from 'vitest/node';
import { startPostgres, startRedis, type PostgresService, type RedisService } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:PORT` of the run's shared Redis. */
    redisUrl: string;
    /** Superuser URL of the run's shared PostgreSQL (`postgres` database); create your own database. */
    pgUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: Array<RedisService | PostgresService> = [];
  const teardown = async () => {
    await Promise.allSettled(started.map((s) => s.destroy()));
  };
  try {
    const [redis, postgres] = await Promise.all([
      startRedis().then((s) => (started.push(s), s)),
      startPostgres().then((s) => (started.push(s), s)),
    ]);
    project.provide('redisUrl', redis.url);
    project.provide('pgUrl', postgres.url);
    process.env.WEBMCP_TEST_REDIS_URL = redis.url;
    process.env.WEBMCP_TEST_PG_URL = postgres.url;
  } catch (error) {
    await teardown();
    throw new Error('test services (redis-server, PostgreSQL 15) could not start', { cause: error });
  }
  return teardown;
}
