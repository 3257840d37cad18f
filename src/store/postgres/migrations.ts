/**
 * Versioned schema steps for the PostgreSQL half of the Redis + PostgreSQL store. `S` stands for
 * the quoted schema name. Append new versions; never edit a shipped one.
 */
export interface PgMigration {
  version: number;
  name: string;
  /** SQL with `S` as the schema placeholder, e.g. `CREATE TABLE S.api_keys ...`. */
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE S.api_keys (
        id text PRIMARY KEY,
        name text NOT NULL,
        role text NOT NULL,
        scopes text NOT NULL,
        secret_hash text NOT NULL,
        created_at bigint NOT NULL,
        expires_at bigint,
        revoked_at bigint,
        last_used_at bigint,
        previous_secret_hash text,
        previous_valid_until bigint
      );

      CREATE TABLE S.refresh_families (
        id text PRIMARY KEY,
        api_key_id text,
        created_at bigint NOT NULL,
        revoked_at bigint
      );
      CREATE INDEX refresh_families_api_key ON S.refresh_families (api_key_id);

      CREATE TABLE S.refresh_tokens (
        hash text PRIMARY KEY,
        family_id text NOT NULL,
        subject text NOT NULL,
        api_key_id text,
        scopes text NOT NULL,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        used_at bigint
      );
      CREATE INDEX refresh_tokens_family ON S.refresh_tokens (family_id);
      CREATE INDEX refresh_tokens_expires_at ON S.refresh_tokens (expires_at);

      CREATE TABLE S.revocations (
        jti text PRIMARY KEY,
        expires_at bigint NOT NULL
      );
      CREATE INDEX revocations_expires_at ON S.revocations (expires_at);

      CREATE TABLE S.keyring (
        kid text PRIMARY KEY,
        use text NOT NULL,
        alg text NOT NULL,
        created_at bigint NOT NULL,
        retire_at bigint,
        wrapped text NOT NULL,
        public_jwk text
      );

      -- details is text, not jsonb: the stored JSON must stay byte-exact for the hash chain.
      CREATE TABLE S.audit_log (
        seq bigint PRIMARY KEY,
        ts text NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        resource text NOT NULL,
        outcome text NOT NULL,
        ip text,
        request_id text,
        details text,
        prev_hash text NOT NULL,
        hash text NOT NULL
      );

      -- One row, locked FOR UPDATE by every append and prune: the chain's single writer lock.
      CREATE TABLE S.audit_state (
        id int PRIMARY KEY CHECK (id = 1),
        checkpoint_seq bigint,
        checkpoint_hash text
      );
      INSERT INTO S.audit_state (id) VALUES (1);
    `,
  },
];
