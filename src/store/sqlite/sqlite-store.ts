import { mkdirSync, openSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import Database from './driver.js';
import { WebMCPError, WebMCPStoreError } from '../../errors.js';
import type { AuditEntry, AuditHead, ConsumeResult, RefreshConsumeStatus, Store } from '../types.js';
import { createAppendBatcher } from '../internal/append-batcher.js';
import { closed, conflict, unavailable } from '../internal/errors.js';
import { REFRESH_RETENTION_MS, REVOCATION_GRACE_MS, SWEEP_INTERVAL_MS } from '../internal/retention.js';
import {
  API_KEY_COLUMNS, AUDIT_COLUMNS, KEY_COLUMNS, REFRESH_COLUMNS, apiKeyFromRow, apiKeyToParams, auditFromRow,
  auditToParams, keyFromRow, keyToParams, refreshFromRow, refreshToParams, type Row,
} from '../internal/rows.js';
import { SQLITE_MIGRATIONS, type SqliteMigration } from './migrations.js';
import { createTickBatcher } from './tick-batch.js';
import { EVENT_RETENTION_MS, createSqliteEventBus } from './sqlite-events.js';

export interface SqliteStoreOptions {
  /** Clock for expiry decisions (defaults to `Date.now`). */
  now?: () => number;
  /**
   * How long a write waits for another process holding the write lock before failing with
   * ERR_STORE_UNAVAILABLE. Default 5000 ms.
   */
  busyTimeoutMs?: number;
  /** Schema steps to apply; only tests pass anything else. */
  migrations?: readonly SqliteMigration[];
}

type CounterOp =
  | { kind: 'consume'; key: string; windowMs: number; limit: number; cost: number }
  | { kind: 'refund'; key: string; cost: number };

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * A store in one SQLite file (WAL, `synchronous=FULL`): the default for a single `webmcp serve`.
 * Several processes may open the same file (the CLI next to a running gateway); writes are
 * serialised by SQLite's write lock. Migrations run on open. Events reach the other processes
 * on the file by polling (about 200 ms).
 *
 * @example
 * const store = createSqliteStore('/var/lib/webmcp/webmcp.db');
 */
export function createSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const db = openDatabase(path, busyTimeoutMs, 'FULL');
  let fast: BetterSqlite3.Database;
  try {
    migrate(db, options.migrations ?? SQLITE_MIGRATIONS);
    // Sessions, CSRF state, locks and rate-limit windows may be lost on power failure, so they skip
    // the per-commit fsync on a second connection: rate limiting is about 100x faster this way.
    fast = path === ':memory:' ? db : openDatabase(path, busyTimeoutMs, 'NORMAL');
  } catch (error) {
    db.close();
    throw toStoreError(error);
  }

  const q = {
    kvGet: fast.prepare('SELECT value FROM kv WHERE key = ? AND expires_at > ?'),
    kvSet: fast.prepare(
      'INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
    ),
    kvSetIfAbsent: fast.prepare(
      'INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at WHERE kv.expires_at <= ?',
    ),
    kvDelete: fast.prepare('DELETE FROM kv WHERE key = ?'),
    counterGet: fast.prepare('SELECT count, ends_at FROM counters WHERE key = ? AND ends_at > ?'),
    counterPut: fast.prepare(
      'INSERT INTO counters (key, count, ends_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET count = excluded.count, ends_at = excluded.ends_at',
    ),
    counterRefund: fast.prepare('UPDATE counters SET count = MAX(0, count - ?) WHERE key = ? AND ends_at > ?'),
    apiKeyInsert: db.prepare(`INSERT INTO api_keys (${API_KEY_COLUMNS.join(', ')}) VALUES (${placeholders(API_KEY_COLUMNS.length)})`),
    apiKeyGet: db.prepare('SELECT * FROM api_keys WHERE id = ?'),
    apiKeyList: db.prepare('SELECT * FROM api_keys ORDER BY created_at, id'),
    apiKeyReplace: db.prepare(
      `UPDATE api_keys SET ${API_KEY_COLUMNS.slice(1).map((c) => `${c} = ?`).join(', ')} WHERE id = ?`,
    ),
    refreshInsert: db.prepare(`INSERT INTO refresh_tokens (${REFRESH_COLUMNS.join(', ')}) VALUES (${placeholders(REFRESH_COLUMNS.length)})`),
    familyEnsure: db.prepare(
      'INSERT INTO refresh_families (id, api_key_id, created_at, revoked_at) VALUES (?, ?, ?, NULL) ON CONFLICT (id) DO NOTHING',
    ),
    refreshGet: db.prepare(
      'SELECT t.*, f.revoked_at AS family_revoked_at FROM refresh_tokens t LEFT JOIN refresh_families f ON f.id = t.family_id WHERE t.hash = ?',
    ),
    refreshMarkUsed: db.prepare('UPDATE refresh_tokens SET used_at = ? WHERE hash = ?'),
    familyRevoke: db.prepare(
      'INSERT INTO refresh_families (id, api_key_id, created_at, revoked_at) VALUES (?, NULL, ?, ?) ON CONFLICT (id) DO UPDATE SET revoked_at = excluded.revoked_at WHERE refresh_families.revoked_at IS NULL',
    ),
    familyRevokeByKey: db.prepare('UPDATE refresh_families SET revoked_at = ? WHERE api_key_id = ? AND revoked_at IS NULL'),
    familyIsRevoked: db.prepare('SELECT 1 FROM refresh_families WHERE id = ? AND revoked_at IS NOT NULL'),
    revoke: db.prepare(
      'INSERT INTO revocations (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at)',
    ),
    isRevoked: db.prepare('SELECT 1 FROM revocations WHERE jti = ? AND expires_at > ?'),
    keyList: db.prepare('SELECT * FROM keyring ORDER BY created_at, kid'),
    keyGet: db.prepare('SELECT * FROM keyring WHERE kid = ?'),
    keyInsert: db.prepare(`INSERT INTO keyring (${KEY_COLUMNS.join(', ')}) VALUES (${placeholders(KEY_COLUMNS.length)})`),
    keyReplace: db.prepare(`UPDATE keyring SET ${KEY_COLUMNS.slice(1).map((c) => `${c} = ?`).join(', ')} WHERE kid = ?`),
    keyDelete: db.prepare('DELETE FROM keyring WHERE kid = ?'),
    auditLast: db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'),
    auditCheckpoint: db.prepare('SELECT seq, hash FROM audit_checkpoint WHERE id = 1'),
    auditInsert: db.prepare(`INSERT INTO audit_log (${AUDIT_COLUMNS.join(', ')}) VALUES (${placeholders(AUDIT_COLUMNS.length)})`),
    auditList: db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?'),
    // The prune cut: the last seq before the first entry that is not old enough, never the newest.
    auditPruneCut: db.prepare(`
      SELECT MIN(
        COALESCE((SELECT MIN(seq) FROM audit_log WHERE ts >= ?) - 1, (SELECT MAX(seq) FROM audit_log)),
        (SELECT MAX(seq) FROM audit_log) - 1
      ) AS cut`),
    auditAt: db.prepare('SELECT seq, hash FROM audit_log WHERE seq = ?'),
    auditDeleteUpTo: db.prepare('DELETE FROM audit_log WHERE seq <= ?'),
    auditSetCheckpoint: db.prepare(
      'INSERT INTO audit_checkpoint (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
    ),
    ping: db.prepare('SELECT 1'),
  };

  const sweepKv = fast.prepare('DELETE FROM kv WHERE expires_at <= ?');
  const sweepCounters = fast.prepare('DELETE FROM counters WHERE ends_at <= ?');
  const sweepRevocations = db.prepare('DELETE FROM revocations WHERE expires_at <= ?');
  const sweepRefresh = db.prepare('DELETE FROM refresh_tokens WHERE expires_at <= ?');
  const sweepFamilies = db.prepare(
    'DELETE FROM refresh_families WHERE created_at <= ? AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = refresh_families.id)',
  );

  const bus = createSqliteEventBus(db, (error) =>
    process.emitWarning(`webmcp sqlite event poll failed: ${String(error)}`, 'WebMCPStoreWarning'),
  );
  let isClosed = false;
  let lastSweep = 0;

  /** Runs `fn` against the open database, translating driver failures into store errors. */
  function run<T>(fn: (t: number) => T): Promise<T> {
    if (isClosed) return Promise.reject(closed('sqlite'));
    try {
      const t = now();
      const result = fn(t);
      maybeSweep(t);
      return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(toStoreError(error));
    }
  }

  function maybeSweep(t: number): void {
    if (t - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = t;
    try {
      fast.transaction(() => {
        sweepKv.run(t);
        sweepCounters.run(t);
      }).immediate();
      db.transaction(() => {
        sweepRevocations.run(t - REVOCATION_GRACE_MS);
        sweepRefresh.run(t - REFRESH_RETENTION_MS);
        sweepFamilies.run(t - REFRESH_RETENTION_MS);
        bus.prune(Date.now() - EVENT_RETENTION_MS);
      }).immediate();
    } catch (error) {
      // Housekeeping only: a busy database just postpones the sweep to the next interval.
      if (!isBusy(error)) throw error;
    }
  }

  function consumeOne(key: string, windowMs: number, limit: number, cost: number, t: number): ConsumeResult {
    const row = q.counterGet.get(key, t) as { count: number; ends_at: number } | undefined;
    const count = row?.count ?? 0;
    const endsAt = row?.ends_at ?? t + windowMs;
    if (count + cost > limit) return { allowed: false, count, resetMs: endsAt - t };
    q.counterPut.run(key, count + cost, endsAt);
    return { allowed: true, count: count + cost, resetMs: endsAt - t };
  }

  // Counter operations of concurrent requests share one write transaction (see tick-batch.ts):
  // run in arrival order under SQLite's write lock, they stay exact within and across processes.
  const counterTx = fast.transaction((ops: readonly CounterOp[], t: number): Array<ConsumeResult | undefined> =>
    ops.map((op) => {
      if (op.kind === 'consume') return consumeOne(op.key, op.windowMs, op.limit, op.cost, t);
      q.counterRefund.run(op.cost, op.key, t);
      return undefined;
    }),
  );
  const counterBatch = createTickBatcher<CounterOp, ConsumeResult | undefined>((ops) => {
    if (isClosed) throw closed('sqlite');
    try {
      const t = now();
      maybeSweep(t); // first, so a failing sweep never rejects units that were committed
      return counterTx.immediate(ops, t);
    } catch (error) {
      throw toStoreError(error);
    }
  });

  const updateApiKeyTx = db.transaction((id: string, patch: object) => {
    const row = q.apiKeyGet.get(id) as Row | undefined;
    if (!row) return null;
    const next = { ...apiKeyFromRow(row), ...structuredClone(patch), id };
    const params = apiKeyToParams(next);
    q.apiKeyReplace.run(...params.slice(1), id);
    return next;
  });

  const updateKeyTx = db.transaction((kid: string, patch: object) => {
    const row = q.keyGet.get(kid) as Row | undefined;
    if (!row) return null;
    const next = { ...keyFromRow(row), ...structuredClone(patch), kid };
    const params = keyToParams(next);
    q.keyReplace.run(...params.slice(1), kid);
    return next;
  });

  const insertRefreshTx = db.transaction((params: unknown[], familyId: string, apiKeyId: string | null, createdAt: number) => {
    q.refreshInsert.run(...params);
    q.familyEnsure.run(familyId, apiKeyId, createdAt);
  });

  const consumeRefreshTx = db.transaction((hash: string, at: number) => {
    const row = q.refreshGet.get(hash) as Row | undefined;
    if (!row) return null;
    const record = refreshFromRow(row);
    const status: RefreshConsumeStatus =
      record.usedAt !== null ? 'reused' : row.family_revoked_at != null ? 'family_revoked' : at >= record.expiresAt ? 'expired' : 'ok';
    if (status === 'ok') q.refreshMarkUsed.run(at, hash);
    return { status, record };
  });

  function auditHead(): AuditHead | null {
    return (q.auditLast.get() as AuditHead | undefined) ?? (q.auditCheckpoint.get() as AuditHead | undefined) ?? null;
  }

  const appendTx = db.transaction((chain: (head: AuditHead | null) => AuditEntry[]) => {
    for (const entry of chain(auditHead())) q.auditInsert.run(...auditToParams(entry));
  });
  // Group commit: appends made in the same tick share one transaction and one fsync.
  const appendBatch = createAppendBatcher((chain) => run(() => appendTx.immediate(chain)), { defer: true });

  const pruneTx = db.transaction((before: string) => {
    const cut = (q.auditPruneCut.get(before) as { cut: number | null }).cut;
    if (cut === null) return 0;
    const last = q.auditAt.get(cut) as AuditHead | undefined;
    if (!last) return 0;
    const removed = q.auditDeleteUpTo.run(cut).changes;
    q.auditSetCheckpoint.run(last.seq, last.hash);
    return removed;
  });

  return {
    kind: 'sqlite',
    requiresMasterKey: false,
    kv: {
      get: (key) => run((t) => (q.kvGet.get(key, t) as { value: string } | undefined)?.value ?? null),
      set: (key, value, ttlMs) => run((t) => void q.kvSet.run(key, value, t + ttlMs)),
      setIfAbsent: (key, value, ttlMs) => run((t) => q.kvSetIfAbsent.run(key, value, t + ttlMs, t).changes === 1),
      delete: (key) => run(() => void q.kvDelete.run(key)),
    },
    counters: {
      consume: (key, windowMs, limit, cost = 1) =>
        isClosed ? Promise.reject(closed('sqlite')) : (counterBatch.run({ kind: 'consume', key, windowMs, limit, cost }) as Promise<ConsumeResult>),
      refund: async (key, cost = 1) => {
        if (isClosed) throw closed('sqlite');
        await counterBatch.run({ kind: 'refund', key, cost });
      },
      peek: (key) =>
        run((t) => {
          const row = q.counterGet.get(key, t) as { count: number; ends_at: number } | undefined;
          return row ? { count: row.count, resetMs: row.ends_at - t } : null;
        }),
    },
    apiKeys: {
      insert: (record) => run(() => void q.apiKeyInsert.run(...apiKeyToParams(record))),
      get: (id) =>
        run(() => {
          const row = q.apiKeyGet.get(id) as Row | undefined;
          return row ? apiKeyFromRow(row) : null;
        }),
      list: () => run(() => (q.apiKeyList.all() as Row[]).map(apiKeyFromRow)),
      update: (id, patch) => run(() => updateApiKeyTx.immediate(id, patch)),
    },
    refreshTokens: {
      insert: (record) =>
        run(() => insertRefreshTx.immediate(refreshToParams(record), record.familyId, record.apiKeyId, record.createdAt)),
      consume: (hash, at) => run(() => consumeRefreshTx.immediate(hash, at)),
      revokeFamily: (familyId, at) => run(() => void q.familyRevoke.run(familyId, at, at)),
      revokeByApiKey: (apiKeyId, at) => run(() => void q.familyRevokeByKey.run(at, apiKeyId)),
      isFamilyRevoked: (familyId) => run(() => q.familyIsRevoked.get(familyId) !== undefined),
    },
    revocations: {
      revoke: (jti, expiresAt) => run(() => void q.revoke.run(jti, expiresAt)),
      isRevoked: (jti) => run((t) => q.isRevoked.get(jti, t - REVOCATION_GRACE_MS) !== undefined),
    },
    keyring: {
      list: () => run(() => (q.keyList.all() as Row[]).map(keyFromRow)),
      insert: (record) => run(() => void q.keyInsert.run(...keyToParams(record))),
      update: (kid, patch) => run(() => updateKeyTx.immediate(kid, patch)),
      delete: (kid) => run(() => void q.keyDelete.run(kid)),
    },
    audit: {
      append: (build) => (isClosed ? Promise.reject(closed('sqlite')) : appendBatch(build)),
      list: ({ after = 0, limit } = {}) =>
        run(() => (q.auditList.all(after, limit ?? -1) as Row[]).map(auditFromRow)),
      head: () => run(() => auditHead()),
      checkpoint: () => run(() => (q.auditCheckpoint.get() as AuditHead | undefined) ?? null),
      prune: (before) => run(() => pruneTx.immediate(before)),
    },
    events: {
      publish: async (channel, message) => {
        await run(() => bus.publish(channel, message));
      },
      subscribe: async (channel, handler) => (await run(() => bus.subscribe(channel, handler))),
    },
    ping: () => run(() => void q.ping.get()),
    async close() {
      if (isClosed) return;
      counterBatch.flush();
      isClosed = true;
      bus.close();
      if (fast !== db) fast.close();
      db.close();
    },
  };
}

function openDatabase(path: string, busyTimeoutMs: number, synchronous: 'FULL' | 'NORMAL'): BetterSqlite3.Database {
  try {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true });
      // Create the file owner-only before SQLite does: it holds key hashes and wrapped keys.
      // SQLite gives its -wal/-shm files the same mode. 'a' leaves an existing file untouched.
      closeSync(openSync(path, 'a', 0o600));
    }
    const db = new Database(path, { timeout: busyTimeoutMs });
    try {
      db.pragma('journal_mode = WAL');
      // FULL: a commit is on disk (WAL fsynced) before it is acknowledged, so an acknowledged
      // audit append survives kill -9 and power loss. NORMAL (short-lived data only) survives kill -9.
      db.pragma(`synchronous = ${synchronous}`);
      db.pragma('foreign_keys = ON');
    } catch (error) {
      db.close();
      throw error;
    }
    return db;
  } catch (error) {
    throw toStoreError(error);
  }
}

function migrate(db: BetterSqlite3.Database, migrations: readonly SqliteMigration[]): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  // IMMEDIATE: two processes opening a fresh file at once apply each step exactly once.
  db.transaction(() => {
    const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
    const newest = Math.max(0, ...applied);
    const known = Math.max(0, ...migrations.map((m) => m.version));
    if (newest > known) {
      throw new WebMCPStoreError(
        'ERR_STORE_UNAVAILABLE',
        `sqlite store schema version ${newest} is newer than this webmcp understands (${known})`,
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }
  }).immediate();
}

function isBusy(error: unknown): boolean {
  return error instanceof Database.SqliteError && (error.code.startsWith('SQLITE_BUSY') || error.code.startsWith('SQLITE_LOCKED'));
}

/** Driver errors become store errors; errors thrown by callers' callbacks pass through untouched. */
function toStoreError(error: unknown): unknown {
  if (error instanceof WebMCPError) return error;
  if (error instanceof Database.SqliteError) {
    if (error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || error.code === 'SQLITE_CONSTRAINT_UNIQUE') return conflict('record');
    return unavailable('sqlite', error);
  }
  // File-system errors while opening (permissions, missing mount) mean the store cannot be used.
  if (error instanceof Error && 'code' in error && typeof (error as NodeJS.ErrnoException).syscall === 'string') {
    return unavailable('sqlite', error);
  }
  return error;
}
