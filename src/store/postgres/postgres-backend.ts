import pg from 'pg';
import { WebMCPError, WebMCPStoreError } from '../../errors.js';
import type {
  ApiKeyRecord, ApiKeyStore, AuditHead, AuditLogStore, KeyRecord, KeyringStore, RefreshConsumeStatus,
  RefreshTokenStore, RevocationStore,
} from '../types.js';
import { createAppendBatcher } from '../internal/append-batcher.js';
import { DEFAULT_STORE_TIMEOUT_MS, closed, conflict, unavailable, withTimeout } from '../internal/errors.js';
import { REFRESH_RETENTION_MS, REVOCATION_GRACE_MS, SWEEP_INTERVAL_MS } from '../internal/retention.js';
import {
  API_KEY_COLUMNS, AUDIT_COLUMNS, KEY_COLUMNS, REFRESH_COLUMNS, apiKeyFromRow, apiKeyToParams, auditFromRow,
  auditToParams, keyFromRow, keyToParams, refreshFromRow, refreshToParams, type Row,
} from '../internal/rows.js';
import { PG_MIGRATIONS, type PgMigration } from './migrations.js';

export interface PostgresBackendOptions {
  /** `postgres://user:pass@host:port/db`. A `schema` query parameter picks the schema (default `webmcp`). */
  url: string;
  /** Schema holding the tables; overrides the URL's `schema` parameter. Created when missing. */
  schema?: string;
  /** Clock for expiry decisions (defaults to `Date.now`). */
  now?: () => number;
  /** Pool size per instance. Default 10. */
  poolSize?: number;
  /** Budget for getting a connection and for each query; beyond it calls reject ERR_STORE_UNAVAILABLE. Default 750 ms, so a request meeting a hung server still gets its 503 within 1 s. */
  timeoutMs?: number;
  /** Schema steps to apply; only tests pass anything else. */
  migrations?: readonly PgMigration[];
}

/** The durable half of the Redis + PostgreSQL store. */
export interface PostgresBackend {
  readonly apiKeys: ApiKeyStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly revocations: RevocationStore;
  readonly keyring: KeyringStore;
  readonly audit: AuditLogStore;
  readonly schema: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Splits our own `schema` parameter off a connection string (pg would pass it on to the server). */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string | null } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError('postgres store: the URL is not valid');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new TypeError('postgres store: the URL must start with postgres://');
  const schema = u.searchParams.get('schema');
  u.searchParams.delete('schema');
  return { connectionString: u.toString(), schema };
}

/**
 * Opens a pool, runs pending migrations under an advisory lock (safe when several instances start
 * at once), and returns the stores that live in PostgreSQL.
 */
export async function createPostgresBackend(options: PostgresBackendOptions): Promise<PostgresBackend> {
  const parsed = parsePostgresUrl(options.url);
  const schema = options.schema ?? parsed.schema ?? 'webmcp';
  if (!SCHEMA_NAME.test(schema)) throw new TypeError('postgres store: schema must be a lower-case SQL identifier');
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const S = `"${schema}"`;

  await migrate(parsed.connectionString, schema, options.migrations ?? PG_MIGRATIONS, timeoutMs);

  const pool = new pg.Pool({
    connectionString: parsed.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    // Server-side backstop so a query abandoned by the client timeout does not run on.
    statement_timeout: Math.max(timeoutMs * 5, 5000),
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'webmcp',
  });
  // An idle connection dies when the server restarts; the pool drops it and the next call
  // reconnects or reports ERR_STORE_UNAVAILABLE. Without a listener the error would crash the process.
  pool.on('error', () => undefined);

  let isClosed = false;
  let lastSweep = 0;

  async function q(text: string, params: unknown[] = []): Promise<Row[]> {
    if (isClosed) throw closed('postgres');
    try {
      const result = await pool.query(text, params);
      maybeSweep();
      return result.rows as Row[];
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /** Runs `fn` in a transaction on one connection; the connection is discarded after any failure. */
  async function tx<T>(fn: (run: (text: string, params?: unknown[]) => Promise<Row[]>) => Promise<T>): Promise<T> {
    if (isClosed) throw closed('postgres');
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
    let broken: unknown = null;
    const run = async (text: string, params: unknown[] = []) => {
      try {
        return (await client.query(text, params)).rows as Row[];
      } catch (error) {
        broken = error;
        throw toStoreError(error);
      }
    };
    try {
      await run('BEGIN');
      const result = await fn(run);
      await run('COMMIT');
      return result;
    } catch (error) {
      if (!broken) {
        // The failure came from our own code (e.g. the audit build callback): undo and keep the connection.
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError;
        }
      }
      throw error;
    } finally {
      // Passing an error destroys the connection instead of returning it mid-transaction.
      client.release(broken ? (broken as Error) : undefined);
    }
  }

  function maybeSweep(): void {
    const t = now();
    if (t - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = t;
    pool
      .query(
        `WITH r AS (DELETE FROM ${S}.revocations WHERE expires_at <= $1),
              t AS (DELETE FROM ${S}.refresh_tokens WHERE expires_at <= $2 RETURNING family_id)
         DELETE FROM ${S}.refresh_families f
          WHERE f.created_at <= $2
            AND NOT EXISTS (SELECT 1 FROM ${S}.refresh_tokens x WHERE x.family_id = f.id)
            AND NOT EXISTS (SELECT 1 FROM t WHERE t.family_id = f.id)`,
        [t - REVOCATION_GRACE_MS, t - REFRESH_RETENTION_MS],
      )
      // Housekeeping only: a failed sweep is retried after the next interval and never affects callers.
      .catch(() => undefined);
  }

  const apiKeyFields: Record<string, { column: string; encode?: (v: unknown) => unknown }> = {
    name: { column: 'name' }, role: { column: 'role' }, scopes: { column: 'scopes', encode: (v) => JSON.stringify(v) },
    secretHash: { column: 'secret_hash' }, createdAt: { column: 'created_at' }, expiresAt: { column: 'expires_at' },
    revokedAt: { column: 'revoked_at' }, lastUsedAt: { column: 'last_used_at' },
    previousSecretHash: { column: 'previous_secret_hash' }, previousValidUntil: { column: 'previous_valid_until' },
  };
  const keyFields: Record<string, { column: string; encode?: (v: unknown) => unknown }> = {
    use: { column: 'use' }, alg: { column: 'alg' }, createdAt: { column: 'created_at' }, retireAt: { column: 'retire_at' },
    wrapped: { column: 'wrapped' },
    publicJwk: { column: 'public_jwk', encode: (v) => (v === null || v === undefined ? null : JSON.stringify(v)) },
  };

  /** One UPDATE ... RETURNING for the fields present in `patch`: atomic without a transaction. */
  function patchQuery(table: string, idColumn: string, fields: typeof apiKeyFields, id: string, patch: object) {
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [field, value] of Object.entries(patch)) {
      const f = fields[field];
      if (!f || value === undefined) continue;
      params.push(f.encode ? f.encode(value) : value);
      sets.push(`${f.column} = $${params.length}`);
    }
    const text = sets.length
      ? `UPDATE ${S}.${table} SET ${sets.join(', ')} WHERE ${idColumn} = $1 RETURNING *`
      : `SELECT * FROM ${S}.${table} WHERE ${idColumn} = $1`;
    return q(text, params);
  }

  const ph = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');

  const apiKeys: ApiKeyStore = {
    async insert(record: ApiKeyRecord) {
      await q(`INSERT INTO ${S}.api_keys (${API_KEY_COLUMNS.join(', ')}) VALUES (${ph(API_KEY_COLUMNS.length)})`, apiKeyToParams(record));
    },
    async get(id) {
      const [row] = await q(`SELECT * FROM ${S}.api_keys WHERE id = $1`, [id]);
      return row ? apiKeyFromRow(row) : null;
    },
    async list() {
      return (await q(`SELECT * FROM ${S}.api_keys ORDER BY created_at, id`)).map(apiKeyFromRow);
    },
    async update(id, patch) {
      const [row] = await patchQuery('api_keys', 'id', apiKeyFields, id, patch);
      return row ? apiKeyFromRow(row) : null;
    },
  };

  const refreshTokens: RefreshTokenStore = {
    async insert(record) {
      const n = REFRESH_COLUMNS.length;
      await q(
        `WITH family AS (
           INSERT INTO ${S}.refresh_families (id, api_key_id, created_at) VALUES ($2, $4, $6) ON CONFLICT (id) DO NOTHING
         )
         INSERT INTO ${S}.refresh_tokens (${REFRESH_COLUMNS.join(', ')}) VALUES (${ph(n)})`,
        refreshToParams(record),
      );
    },
    async consume(hash, at) {
      // The common case in one atomic statement: the row lock makes concurrent consumers re-check used_at.
      const [used] = await q(
        `UPDATE ${S}.refresh_tokens t SET used_at = $2
          WHERE t.hash = $1 AND t.used_at IS NULL AND t.expires_at > $2
            AND NOT EXISTS (SELECT 1 FROM ${S}.refresh_families f WHERE f.id = t.family_id AND f.revoked_at IS NOT NULL)
          RETURNING *`,
        [hash, at],
      );
      if (used) return { status: 'ok', record: { ...refreshFromRow(used), usedAt: null } };
      const [row] = await q(
        `SELECT t.*, f.revoked_at AS family_revoked_at FROM ${S}.refresh_tokens t
           LEFT JOIN ${S}.refresh_families f ON f.id = t.family_id WHERE t.hash = $1`,
        [hash],
      );
      if (!row) return null;
      const record = refreshFromRow(row);
      const status: RefreshConsumeStatus =
        record.usedAt !== null ? 'reused' : row.family_revoked_at != null ? 'family_revoked' : 'expired';
      return { status, record };
    },
    async revokeFamily(familyId, at) {
      await q(
        `INSERT INTO ${S}.refresh_families (id, api_key_id, created_at, revoked_at) VALUES ($1, NULL, $2, $2)
         ON CONFLICT (id) DO UPDATE SET revoked_at = excluded.revoked_at WHERE ${S}.refresh_families.revoked_at IS NULL`,
        [familyId, at],
      );
    },
    async revokeByApiKey(apiKeyId, at) {
      await q(`UPDATE ${S}.refresh_families SET revoked_at = $2 WHERE api_key_id = $1 AND revoked_at IS NULL`, [apiKeyId, at]);
    },
    async isFamilyRevoked(familyId) {
      return (await q(`SELECT 1 FROM ${S}.refresh_families WHERE id = $1 AND revoked_at IS NOT NULL`, [familyId])).length > 0;
    },
  };

  const revocations: RevocationStore = {
    async revoke(jti, expiresAt) {
      await q(
        `INSERT INTO ${S}.revocations (jti, expires_at) VALUES ($1, $2)
         ON CONFLICT (jti) DO UPDATE SET expires_at = GREATEST(${S}.revocations.expires_at, excluded.expires_at)`,
        [jti, expiresAt],
      );
    },
    async isRevoked(jti) {
      return (await q(`SELECT 1 FROM ${S}.revocations WHERE jti = $1 AND expires_at > $2`, [jti, now() - REVOCATION_GRACE_MS])).length > 0;
    },
  };

  const keyring: KeyringStore = {
    async list() {
      return (await q(`SELECT * FROM ${S}.keyring ORDER BY created_at, kid`)).map(keyFromRow);
    },
    async insert(record: KeyRecord) {
      await q(`INSERT INTO ${S}.keyring (${KEY_COLUMNS.join(', ')}) VALUES (${ph(KEY_COLUMNS.length)})`, keyToParams(record));
    },
    async update(kid, patch) {
      const [row] = await patchQuery('keyring', 'kid', keyFields, kid, patch);
      return row ? keyFromRow(row) : null;
    },
    async delete(kid) {
      await q(`DELETE FROM ${S}.keyring WHERE kid = $1`, [kid]);
    },
  };

  // Reads the head in its own statement, after the state row is locked, so it sees the last commit.
  const readHead = async (run: (text: string, params?: unknown[]) => Promise<Row[]>): Promise<AuditHead | null> => {
    const [row] = await run(
      `SELECT l.seq, l.hash, s.checkpoint_seq, s.checkpoint_hash FROM ${S}.audit_state s
         LEFT JOIN LATERAL (SELECT seq, hash FROM ${S}.audit_log ORDER BY seq DESC LIMIT 1) l ON true WHERE s.id = 1`,
    );
    if (row?.seq != null) return { seq: Number(row.seq), hash: String(row.hash) };
    if (row?.checkpoint_seq != null) return { seq: Number(row.checkpoint_seq), hash: String(row.checkpoint_hash) };
    return null;
  };
  const lockChain = (run: (text: string, params?: unknown[]) => Promise<Row[]>) =>
    run(`SELECT 1 FROM ${S}.audit_state WHERE id = 1 FOR UPDATE`);

  const appendBatch = createAppendBatcher((chain) =>
    tx(async (run) => {
      await lockChain(run);
      const entries = chain(await readHead(run));
      if (entries.length === 0) return;
      const width = AUDIT_COLUMNS.length;
      const values = entries.map((_, i) => `(${ph(width, i * width + 1)})`).join(', ');
      await run(`INSERT INTO ${S}.audit_log (${AUDIT_COLUMNS.join(', ')}) VALUES ${values}`, entries.flatMap(auditToParams));
    }),
  );

  const audit: AuditLogStore = {
    append: appendBatch,
    async list({ after = 0, limit } = {}) {
      const rows = await q(`SELECT * FROM ${S}.audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, limit ?? null]);
      return rows.map(auditFromRow);
    },
    async head() {
      return readHead((text, params) => q(text, params));
    },
    async checkpoint() {
      const [row] = await q(`SELECT checkpoint_seq, checkpoint_hash FROM ${S}.audit_state WHERE id = 1`);
      return row?.checkpoint_seq != null ? { seq: Number(row.checkpoint_seq), hash: String(row.checkpoint_hash) } : null;
    },
    prune(before) {
      return tx(async (run) => {
        await lockChain(run);
        const [cutRow] = await run(
          `SELECT LEAST(
             COALESCE((SELECT MIN(seq) FROM ${S}.audit_log WHERE ts >= $1) - 1, (SELECT MAX(seq) FROM ${S}.audit_log)),
             (SELECT MAX(seq) FROM ${S}.audit_log) - 1) AS cut`,
          [before],
        );
        if (cutRow?.cut == null) return 0;
        const [last] = await run(`SELECT seq, hash FROM ${S}.audit_log WHERE seq = $1`, [cutRow.cut]);
        if (!last) return 0;
        const deleted = await run(`DELETE FROM ${S}.audit_log WHERE seq <= $1 RETURNING seq`, [cutRow.cut]);
        await run(`UPDATE ${S}.audit_state SET checkpoint_seq = $1, checkpoint_hash = $2 WHERE id = 1`, [last.seq, last.hash]);
        return deleted.length;
      });
    },
  };

  return {
    apiKeys,
    refreshTokens,
    revocations,
    keyring,
    audit,
    schema,
    async ping() {
      await withTimeout('postgres', timeoutMs, () => q('SELECT 1'));
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      await pool.end();
    },
  };
}

/** Applies pending migrations once, even when several instances start together. */
async function migrate(connectionString: string, schema: string, migrations: readonly PgMigration[], timeoutMs: number): Promise<void> {
  const S = `"${schema}"`;
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeoutMs, application_name: 'webmcp-migrate' });
  client.on('error', () => undefined); // surfaced by the failing query below
  try {
    await client.connect();
  } catch (error) {
    throw toStoreError(error);
  }
  try {
    // Session-level lock keyed by schema: a second instance waits here until the first is done.
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`webmcp:migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${S}.schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = new Set((await client.query(`SELECT version FROM ${S}.schema_migrations`)).rows.map((r) => Number(r.version)));
    const newest = Math.max(0, ...applied);
    const known = Math.max(0, ...migrations.map((m) => m.version));
    if (newest > known) {
      throw new WebMCPStoreError(
        'ERR_STORE_UNAVAILABLE',
        `postgres store schema version ${newest} is newer than this webmcp understands (${known})`,
      );
    }
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql.replace(/\bS\./g, `${S}.`));
        await client.query(`INSERT INTO ${S}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined); // the original error below is what matters
        throw error;
      }
    }
  } catch (error) {
    throw toStoreError(error);
  } finally {
    // Ending the session releases the advisory lock even if unlock was never reached.
    await client.end().catch(() => undefined);
  }
}

/** Unique violations are conflicts; every other driver failure means the store cannot serve. */
function toStoreError(error: unknown): unknown {
  if (error instanceof WebMCPError) return error;
  if (error instanceof pg.DatabaseError && error.code === '23505') return conflict('record');
  return unavailable('postgres', error);
}
