/** Versioned schema steps for the SQLite store. Append new versions; never edit a shipped one. */
export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX kv_expires_at ON kv (expires_at);

      CREATE TABLE counters (
        key TEXT PRIMARY KEY,
        count INTEGER NOT NULL,
        ends_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX counters_ends_at ON counters (ends_at);

      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        scopes TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked_at INTEGER,
        last_used_at INTEGER,
        previous_secret_hash TEXT,
        previous_valid_until INTEGER
      );

      CREATE TABLE refresh_families (
        id TEXT PRIMARY KEY,
        api_key_id TEXT,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE INDEX refresh_families_api_key ON refresh_families (api_key_id);

      CREATE TABLE refresh_tokens (
        hash TEXT PRIMARY KEY,
        family_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        api_key_id TEXT,
        scopes TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      );
      CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
      CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

      CREATE TABLE revocations (
        jti TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX revocations_expires_at ON revocations (expires_at);

      CREATE TABLE keyring (
        kid TEXT PRIMARY KEY,
        use TEXT NOT NULL,
        alg TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        retire_at INTEGER,
        wrapped TEXT NOT NULL,
        public_jwk TEXT
      );

      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        resource TEXT NOT NULL,
        outcome TEXT NOT NULL,
        ip TEXT,
        request_id TEXT,
        details TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );

      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel TEXT NOT NULL,
        message TEXT NOT NULL,
        origin TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE audit_checkpoint (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      );
    `,
  },
];
