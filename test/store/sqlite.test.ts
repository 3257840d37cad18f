import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/store/sqlite/driver.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { AuditEntry, Store } from '../../src/store/types.js';
import { runStoreContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'webmcp-sqlite-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const paths = new WeakMap<Store, string>();
const newPath = () => join(dir, `store-${++n}.db`);

runStoreContract(
  'sqlite',
  async () => {
    const path = newPath();
    const store = createSqliteStore(path);
    paths.set(store, path);
    return store;
  },
  { sibling: async (store) => createSqliteStore(paths.get(store)!) },
);

const writer = new URL('./fixtures/audit-writer.mjs', import.meta.url).pathname;
const distStore = new URL('../../dist/store/sqlite/index.js', import.meta.url).pathname;

function hashOf(entry: AuditEntry): string {
  const { hash: _ignored, ...body } = entry;
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

function readChain(path: string): AuditEntry[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Array<Record<string, unknown>>).map((r) => ({
      ...(r as unknown as AuditEntry),
      details: r.details === null ? null : JSON.parse(String(r.details)),
    }));
  } finally {
    db.close();
  }
}

function expectIntactChain(entries: AuditEntry[]): void {
  entries.forEach((e, i) => {
    expect(e.seq).toBe(i + 1);
    expect(e.prev_hash).toBe(i === 0 ? '0'.repeat(64) : entries[i - 1].hash);
    expect(e.hash).toBe(hashOf(e));
  });
}

describe('sqlite store on disk', () => {
  it('creates the file owner-only, in WAL mode, and records its migrations', async () => {
    const path = join(dir, 'nested', 'dir', 'fresh.db');
    const store = createSqliteStore(path);
    await store.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual([{ version: 1, name: 'initial schema' }]);
    db.close();
    // Opening again applies nothing twice.
    const again = createSqliteStore(path);
    await again.close();
    const db2 = new Database(path, { readonly: true });
    expect(db2.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: 1 });
    db2.close();
  });

  it('applies a later migration once and refuses a schema newer than it knows', async () => {
    const path = newPath();
    const base = await import('../../src/store/sqlite/migrations.js');
    const withV2 = [...base.SQLITE_MIGRATIONS, { version: 2, name: 'add notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY)' }];
    await createSqliteStore(path, { migrations: withV2 }).close();
    await createSqliteStore(path, { migrations: withV2 }).close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }]);
    db.close();
    expect(() => createSqliteStore(path)).toThrowError(expect.objectContaining({ code: 'ERR_STORE_UNAVAILABLE' }));
  });

  it('keeps state across reopen', async () => {
    const path = newPath();
    const a = createSqliteStore(path);
    await a.kv.set('session', 'v', 60_000);
    await a.revocations.revoke('jti-1', Date.now() + 60_000);
    await a.close();
    const b = createSqliteStore(path);
    expect(await b.kv.get('session')).toBe('v');
    expect(await b.revocations.isRevoked('jti-1')).toBe(true);
    await b.close();
  });

  it('purges expired rows lazily', async () => {
    const path = newPath();
    let t = 1_000_000;
    const s = createSqliteStore(path, { now: () => t });
    await s.kv.set('gone', 'v', 10);
    await s.counters.consume('c', 10, 5);
    await s.revocations.revoke('jti', t + 10);
    t += 10 * 60_000;
    await s.kv.get('anything'); // any call may sweep
    const db = new Database(path, { readonly: true });
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count('kv'), count('counters'), count('revocations')]).toEqual([0, 0, 0]);
    db.close();
    await s.close();
  });

  it('reports a file it cannot open as ERR_STORE_UNAVAILABLE', () => {
    const notADir = join(dir, 'plain-file');
    createSqliteStore(notADir).close();
    expect(() => createSqliteStore(join(notADir, 'x.db'))).toThrowError(
      expect.objectContaining({ code: 'ERR_STORE_UNAVAILABLE' }),
    );
  });
});

describe('sqlite audit durability across processes (uses dist/)', () => {
  beforeAll(() => {
    // The child processes run the built store; `npm test` builds first (pretest).
    if (!existsSync(distStore)) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.build.json` first');
  });

  it('every append acknowledged before kill -9 is in the file, and the chain is intact', async () => {
    const path = newPath();
    const child = spawn(process.execPath, [writer, path, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: number[] = [];
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) acked.push(Number(line));
        if (acked.length >= 300) resolve();
      });
    });
    child.removeAllListeners('exit');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    // Acknowledgements that were still in the pipe when the child died count too.
    for (const line of buffer.split('\n')) if (line) acked.push(Number(line));

    const entries = readChain(path);
    const stored = new Set(entries.map((e) => e.seq));
    for (const seq of acked) expect(stored.has(seq), `acknowledged seq ${seq} lost`).toBe(true);
    expectIntactChain(entries);
    // The store opens cleanly afterwards and continues the chain.
    const s = createSqliteStore(path);
    expect((await s.audit.head())?.seq).toBe(entries.length);
    await s.close();
  });

  it('two processes appending at once produce one contiguous chain', async () => {
    const path = newPath();
    createSqliteStore(path).close(); // migrate first so both children start on a ready file
    const runWriter = (actor: string) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, [writer, path, '150', actor], { stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('error', reject);
        child.on('exit', (code) => resolve(code ?? -1));
      });
    expect(await Promise.all([runWriter('one'), runWriter('two')])).toEqual([0, 0]);
    const entries = readChain(path);
    expect(entries).toHaveLength(300);
    expectIntactChain(entries);
    expect(new Set(entries.map((e) => e.actor))).toEqual(new Set(['one', 'two']));
  });
});
