/**
 * The one storage interface every backend (memory, SQLite, Redis + PostgreSQL) implements.
 *
 * Stores supply small, atomic primitives; all policy (rate-limit windows, refresh-token
 * rotation, hash chaining, key rotation) lives above them in `webmcp/security`.
 * Each method is atomic for its own backend, including across processes sharing the backend.
 * When the backend is unreachable every method rejects with `WebMCPStoreError`
 * (`code: 'ERR_STORE_UNAVAILABLE'`) quickly (within about 1 s) instead of queueing.
 *
 * All times are milliseconds since the epoch unless the name says otherwise.
 */

/** Short-lived values (browser sessions, CSRF state, locks). Values are opaque strings. */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  /** Sets `key` to `value`, expiring after `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when `key` is absent (or expired). Returns whether it was set. Used for locks. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
}

export interface ConsumeResult {
  /** Whether this unit was granted. A refused call does not count against the window. */
  allowed: boolean;
  /** Units counted in the current window after this call. */
  count: number;
  /** Milliseconds until the current window ends. */
  resetMs: number;
}

/** Fixed-window counters for rate limiting; exact under concurrency. */
export interface CounterStore {
  /**
   * Atomically: if the window for `key` holds fewer than `limit` units, add `cost` and grant;
   * otherwise refuse without counting. A window starts at the first unit and lasts `windowMs`.
   */
  consume(key: string, windowMs: number, limit: number, cost?: number): Promise<ConsumeResult>;
  /** Gives back `cost` units in the current window (for `skipSuccessfulRequests`). Never below 0. */
  refund(key: string, cost?: number): Promise<void>;
  /** Current count and reset time, without consuming. `null` when no window is open. */
  peek(key: string): Promise<{ count: number; resetMs: number } | null>;
}

export interface ApiKeyRecord {
  /** Public key id, the part before the dot in `key_id.secret`. */
  id: string;
  name: string;
  role: string;
  scopes: string[];
  /** HMAC-SHA256(pepper, secret), base64url. The secret itself is never stored. */
  secretHash: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  /** After a rotation, the previous secret's hash stays valid until `previousValidUntil`. */
  previousSecretHash: string | null;
  previousValidUntil: number | null;
}

export interface ApiKeyStore {
  /** Rejects with `ERR_STORE_CONFLICT` when the id exists. */
  insert(record: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | null>;
  list(): Promise<ApiKeyRecord[]>;
  /** Applies `patch` and returns the updated record, or null when the id is unknown. */
  update(id: string, patch: Partial<Omit<ApiKeyRecord, 'id'>>): Promise<ApiKeyRecord | null>;
}

export interface RefreshTokenRecord {
  /** SHA-256 of the opaque refresh token, base64url. */
  hash: string;
  familyId: string;
  /** Whatever the issuer needs to mint the next access token (sub, scopes, api key id, ...). */
  subject: string;
  apiKeyId: string | null;
  scopes: string[];
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export type RefreshConsumeStatus = 'ok' | 'reused' | 'family_revoked' | 'expired';

export interface RefreshTokenStore {
  insert(record: RefreshTokenRecord): Promise<void>;
  /**
   * Atomically marks the token used at `at`. Returns the record as it was before this call with:
   * `ok` (first use, family live, not expired), `reused` (it had been used already),
   * `family_revoked`, or `expired`; null when the hash is unknown.
   * Only an `ok` result marks the token used.
   * Precedence when several apply: `reused`, then `family_revoked`, then `expired` (`at >= expiresAt`).
   * Records may be forgotten an hour after they expire (consume then returns null).
   */
  consume(hash: string, at: number): Promise<{ status: RefreshConsumeStatus; record: RefreshTokenRecord } | null>;
  revokeFamily(familyId: string, at: number): Promise<void>;
  /** Revokes every family belonging to an API key (key revoked). */
  revokeByApiKey(apiKeyId: string, at: number): Promise<void>;
  isFamilyRevoked(familyId: string): Promise<boolean>;
}

/** Revoked access-token ids (`jti`). Durable: survives restarts of the gateway and of Redis. */
export interface RevocationStore {
  /**
   * Records `jti` as revoked until `expiresAt` (the token's own `exp`, in ms); it is forgotten no
   * sooner than 5 minutes after that, to cover verifiers' clock tolerance.
   */
  revoke(jti: string, expiresAt: number): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
}

export type KeyUse = 'sig' | 'enc' | 'field';

export interface KeyRecord {
  kid: string;
  use: KeyUse;
  /** JOSE algorithm the key is for: HS256, ES256, EdDSA, ECDH-ES+A256KW, A256GCM, ... */
  alg: string;
  createdAt: number;
  /** Newest non-retired key of a use encrypts/signs; older ones only decrypt/verify until retired. */
  retireAt: number | null;
  /** Private or secret key material, wrapped (encrypted) with the master key. Opaque to the store. */
  wrapped: string;
  /** Public JWK for asymmetric keys (published in the JWKS), else null. */
  publicJwk: Record<string, unknown> | null;
}

export interface KeyringStore {
  list(): Promise<KeyRecord[]>;
  /** Rejects with `ERR_STORE_CONFLICT` when the kid exists. */
  insert(record: KeyRecord): Promise<void>;
  update(kid: string, patch: Partial<Omit<KeyRecord, 'kid'>>): Promise<KeyRecord | null>;
  delete(kid: string): Promise<void>;
}

/** One audit entry exactly as stored and hashed (spec section 5). */
export interface AuditEntry {
  seq: number;
  /** ISO-8601 UTC timestamp. */
  ts: string;
  actor: string;
  action: string;
  resource: string;
  outcome: 'ok' | 'refused' | 'error';
  ip: string | null;
  request_id: string | null;
  details: Record<string, unknown> | null;
  prev_hash: string;
  hash: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export interface AuditLogStore {
  /**
   * Appends one entry, serialised across every process sharing the store: `build` receives the
   * current head (the last entry, or the pruning checkpoint when the log is empty, or null for a
   * brand new log) and returns the complete entry to store, with `seq = head.seq + 1`.
   * Resolves only after the entry is durably committed.
   * The store refuses (`WebMCPStoreError` `ERR_AUDIT`, nothing stored) an entry whose `seq` is not
   * `head.seq + 1` or whose `prev_hash` is not `head.hash`; with a null head any `seq >= 1` is taken.
   * An error thrown by `build` rejects the append and stores nothing.
   */
  append(build: (head: AuditHead | null) => AuditEntry): Promise<AuditEntry>;
  /** Entries with `seq > after` (default 0), ascending, at most `limit` (default: no cap). */
  list(options?: { after?: number; limit?: number }): Promise<AuditEntry[]>;
  /** The last entry's seq and hash, or the checkpoint, or null. */
  head(): Promise<AuditHead | null>;
  /** The last pruned entry's seq and hash (verification of what remains starts from it), or null. */
  checkpoint(): Promise<AuditHead | null>;
  /**
   * Removes entries with `ts` older than `before` (ISO-8601), keeping at least the newest entry,
   * and records the last removed entry as the checkpoint, atomically. Returns how many were removed.
   * Only a prefix is removed: pruning stops at the first entry (by seq) whose `ts` is not older.
   * `ts` values are compared as strings, so write them with `Date.prototype.toISOString()`.
   */
  prune(before: string): Promise<number>;
}

/** Cross-instance notifications (key revoked, keyring rotated). Best effort; stores stay the truth. */
export interface EventBus {
  publish(channel: string, message: string): Promise<void>;
  /** Returns a function that unsubscribes. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
}

export type StoreKind = 'memory' | 'sqlite' | 'redis+postgres';

export interface Store {
  readonly kind: StoreKind;
  readonly kv: KeyValueStore;
  readonly counters: CounterStore;
  readonly apiKeys: ApiKeyStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly revocations: RevocationStore;
  readonly keyring: KeyringStore;
  readonly audit: AuditLogStore;
  readonly events: EventBus;
  /** Resolves when every backend answers; rejects with `WebMCPStoreError` otherwise (within ~1 s). */
  ping(): Promise<void>;
  /** Whether key material at rest must be wrapped with an operator-supplied master key. */
  readonly requiresMasterKey: boolean;
  close(): Promise<void>;
}

/** How a store is named in config and on the CLI. */
export type StoreSpec = 'memory' | `sqlite:${string}` | { redis: string; postgres: string };
