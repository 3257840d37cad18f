import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/index.js';

const dir = mkdtempSync(join(tmpdir(), 'webmcp-sqlite-counters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const consumer = new URL('./fixtures/counter-consumer.mjs', import.meta.url).pathname;
const distStore = new URL('../../dist/store/sqlite/index.js', import.meta.url).pathname;

describe('sqlite rate-limit counters across processes (uses dist/)', () => {
  beforeAll(() => {
    if (!existsSync(distStore)) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.build.json` first');
  });

  it('two processes consuming one key at once (batched commits) grant exactly the limit between them', async () => {
    const path = join(dir, 'shared.db');
    createSqliteStore(path).close(); // migrate first so both children start on a ready file
    const startAt = Date.now() + 1500;
    const run = () =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, [consumer, path, String(startAt), '400', '500'], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`consumer exited with ${code}`))));
      });
    const granted = await Promise.all([run(), run()]);
    expect(granted[0]! + granted[1]!).toBe(500);
    // Both took part (neither finished before the other started, nor was starved).
    expect(Math.min(...granted)).toBeGreaterThan(0);
    const store = createSqliteStore(path);
    expect(await store.counters.peek('rl:shared')).toMatchObject({ count: 500 });
    await store.close();
  }, 30_000);
});
