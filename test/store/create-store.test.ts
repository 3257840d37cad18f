import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { WebMCPConfigError } from '../../src/errors.js';
import { createStore, resolveSqlitePath, type StoreSpec } from '../../src/store/index.js';
import { createDatabase, uniqueName } from '../setup/services.js';

const dir = mkdtempSync(join(tmpdir(), 'webmcp-create-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createStore', () => {
  it('opens memory', async () => {
    const s = await createStore('memory');
    expect(s.kind).toBe('memory');
    expect(s.requiresMasterKey).toBe(false);
    await s.close();
  });

  it('opens sqlite relative to baseDir, or absolute', async () => {
    const s = await createStore('sqlite:./data/webmcp.db', { baseDir: dir });
    expect(s.kind).toBe('sqlite');
    expect(existsSync(join(dir, 'data', 'webmcp.db'))).toBe(true);
    await s.close();
    const abs = join(dir, 'abs.db');
    await (await createStore(`sqlite:${abs}`, { baseDir: '/nonexistent' })).close();
    expect(existsSync(abs)).toBe(true);
    expect(resolveSqlitePath('sqlite:x.db', '/srv/gw')).toBe('/srv/gw/x.db');
  });

  it('opens redis + postgres', async () => {
    const db = await createDatabase(inject('pgUrl'), uniqueName('create_store'));
    const s = await createStore({ redis: `${inject('redisUrl')}?keyPrefix=cs:`, postgres: db });
    expect(s.kind).toBe('redis+postgres');
    expect(s.requiresMasterKey).toBe(true);
    await s.ping();
    await s.close();
  });

  it.each([
    ['empty string', ''],
    ['unknown scheme', 'mongodb://x'],
    ['sqlite without a path', 'sqlite:'],
    ['null', null],
    ['a number', 42],
    ['missing postgres', { redis: 'redis://127.0.0.1:1' }],
    ['wrong redis scheme', { redis: 'http://127.0.0.1:1', postgres: 'postgres://x/y' }],
    ['wrong postgres scheme', { redis: 'redis://127.0.0.1:1', postgres: 'mysql://x/y' }],
    ['extra key', { redis: 'redis://127.0.0.1:1', postgres: 'postgres://x/y', mongo: 'x' }],
    ['an array', ['memory']],
  ])('refuses %s with WebMCPConfigError', async (_label, spec) => {
    const err = await createStore(spec as StoreSpec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebMCPConfigError);
    expect((err as WebMCPConfigError).path).toMatch(/^store/);
  });

  it('never puts credentials from the spec in the error', async () => {
    const err = await createStore({ redis: 'redis://:hunter2@127.0.0.1:1', postgres: 'postgres://u:hunter2@[bad' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WebMCPConfigError);
    expect(String((err as Error).message)).not.toContain('hunter2');
  });

  it('reports an unreachable server as ERR_STORE_UNAVAILABLE', async () => {
    const err = await createStore({ redis: 'redis://127.0.0.1:1', postgres: 'postgres://postgres@127.0.0.1:1/x' }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    expect(String((err as Error).message)).not.toContain('127.0.0.1');
  });
});
