import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WebMCPInputError, WebMCPSecurityError } from '../../errors.js';
import type { ApiKeyRecord, Store } from '../../store/types.js';
import type { SecurityLogger } from '../logger.js';

export const API_KEYS_CHANNEL = 'webmcp:api-keys';
const ID_PREFIX = 'wmk_';
const PRESENTED = /^([A-Za-z0-9_-]{1,64})[.:]([A-Za-z0-9_-]{43})$/;
const NAME = /^[^\x00-\x1f\x7f]{1,200}$/;
/** lastUsedAt is written at most this often per key: exact enough, and no write per request. */
const LAST_USED_WRITE_MS = 60_000;
const MAX_GRACE_MS = 30 * 86_400_000;

export interface ApiKeyCreateInput {
  name: string;
  role: string;
  /** Defaults to the role's scopes; each must be one of `jwt.scopes`. */
  scopes?: readonly string[];
  /** Milliseconds since the epoch (or a Date); omitted or null = no expiry. */
  expiresAt?: number | Date | null;
}

/** A new key. `secret` (and `key`) are shown once and never stored. */
export interface CreatedApiKey {
  id: string;
  /** `id + "." + secret`, what clients present. */
  key: string;
  secret: string;
  name: string;
  role: string;
  scopes: string[];
  createdAt: number;
  expiresAt: number | null;
}

/** What `list()`/`get()` show: never a hash or a secret. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  role: string;
  scopes: string[];
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  /** Until when the secret replaced by the last rotation still works, if it does. */
  previousValidUntil: number | null;
}

export interface VerifiedApiKey {
  id: string;
  name: string;
  role: string;
  scopes: string[];
}

export interface ApiKeys {
  create(input: ApiKeyCreateInput): Promise<CreatedApiKey>;
  /**
   * Checks a presented `id.secret` (or `id:secret`, as in HTTP Basic). Throws `ERR_API_KEY` with
   * the same generic message for malformed, unknown, wrong, revoked and expired keys.
   */
  verify(presented: unknown): Promise<VerifiedApiKey>;
  /** Issues a new secret for `id`; the old one keeps working for `graceMs` (default 0). */
  rotate(id: string, options?: { graceMs?: number }): Promise<CreatedApiKey>;
  /** Revokes the key and every refresh-token family issued through it. False when unknown. */
  revoke(id: string): Promise<boolean>;
  list(): Promise<ApiKeyInfo[]>;
  get(id: string): Promise<ApiKeyInfo | null>;
  /** Whether the key exists and is neither revoked nor expired. */
  isActive(id: string): Promise<boolean>;
}

export interface ApiKeyDeps {
  store: Pick<Store, 'apiKeys' | 'refreshTokens' | 'events'>;
  /** Role name -> scopes (the resolved config's `roles`). */
  roles: Readonly<Record<string, readonly string[]>>;
  /** Every scope that exists (`jwt.scopes`). */
  scopes: readonly string[];
  /** The HMAC pepper (at least 32 bytes); loaded once, lazily. */
  pepper: () => Promise<Uint8Array>;
  now: () => number;
  logger: SecurityLogger;
}

export function createApiKeys(deps: ApiKeyDeps): ApiKeys {
  const { store, roles, now, logger } = deps;
  const knownScopes = new Set(deps.scopes);
  let pepperPromise: Promise<Uint8Array> | null = null;
  const pepper = () => {
    pepperPromise ??= deps.pepper().then((bytes) => {
      if (bytes.length < 32) throw new TypeError('the API-key pepper must be at least 32 bytes');
      return bytes;
    });
    pepperPromise.catch(() => (pepperPromise = null));
    return pepperPromise;
  };

  async function hash(secret: string): Promise<string> {
    return createHmac('sha256', await pepper()).update(secret, 'utf8').digest('base64url');
  }

  function checkScopes(role: string, scopes: readonly string[] | undefined): string[] {
    const roleScopes = roles[role];
    if (!roleScopes) throw new WebMCPInputError('ERR_INPUT', 'unknown role');
    const list = scopes === undefined ? [...roleScopes] : [...new Set(scopes)];
    for (const scope of list) {
      if (typeof scope !== 'string' || !knownScopes.has(scope)) throw new WebMCPInputError('ERR_INPUT', 'unknown scope');
    }
    return list;
  }

  const refused = (reason: string) =>
    new WebMCPSecurityError('ERR_API_KEY', 'invalid API key', { cause: new Error(reason) });

  return {
    async create({ name, role, scopes, expiresAt }) {
      if (typeof name !== 'string' || !NAME.test(name)) throw new WebMCPInputError('ERR_INPUT', 'name must be 1-200 printable characters');
      const keyScopes = checkScopes(role, scopes);
      const createdAt = now();
      const expiry = expiresAt instanceof Date ? expiresAt.getTime() : expiresAt ?? null;
      if (expiry !== null && (!Number.isFinite(expiry) || expiry <= createdAt)) {
        throw new WebMCPInputError('ERR_INPUT', 'expiresAt must be in the future');
      }
      const id = ID_PREFIX + randomBytes(12).toString('base64url');
      const secret = randomBytes(32).toString('base64url');
      await store.apiKeys.insert({
        id,
        name,
        role,
        scopes: keyScopes,
        secretHash: await hash(secret),
        createdAt,
        expiresAt: expiry,
        revokedAt: null,
        lastUsedAt: null,
        previousSecretHash: null,
        previousValidUntil: null,
      });
      return { id, key: `${id}.${secret}`, secret, name, role, scopes: keyScopes, createdAt, expiresAt: expiry };
    },

    async verify(presented) {
      const match = typeof presented === 'string' ? PRESENTED.exec(presented) : null;
      if (!match) throw refused('malformed');
      const [, id, secret] = match as unknown as [string, string, string];
      const [record, presentedHash] = await Promise.all([store.apiKeys.get(id), hash(secret)]);
      const at = now();
      // Compare even for unknown ids, so timing does not tell which ids exist.
      const current = sameHash(presentedHash, record?.secretHash ?? presentedHash.replace(/./g, 'A'));
      const previous =
        !!record?.previousSecretHash &&
        record.previousValidUntil !== null &&
        at < record.previousValidUntil &&
        sameHash(presentedHash, record.previousSecretHash);
      if (!record) throw refused('unknown id');
      if (!current && !previous) throw refused('wrong secret');
      if (record.revokedAt !== null) throw refused('revoked');
      if (record.expiresAt !== null && at >= record.expiresAt) throw refused('expired');
      if (record.lastUsedAt === null || at - record.lastUsedAt >= LAST_USED_WRITE_MS) {
        // Best effort: a failed bookkeeping write must not fail the request it describes.
        store.apiKeys.update(id, { lastUsedAt: at }).catch((err: unknown) =>
          logger.warn({ event: 'api_key.last_used_failed', id, err: String(err) }, 'could not record API key use'),
        );
      }
      return { id: record.id, name: record.name, role: record.role, scopes: [...record.scopes] };
    },

    async rotate(id, { graceMs = 0 } = {}) {
      if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_GRACE_MS) {
        throw new WebMCPInputError('ERR_INPUT', 'graceMs must be an integer from 0 to 30 days');
      }
      const record = typeof id === 'string' ? await store.apiKeys.get(id) : null;
      const at = now();
      if (!record) throw new WebMCPInputError('ERR_NOT_FOUND', 'no such API key');
      if (record.revokedAt !== null || (record.expiresAt !== null && at >= record.expiresAt)) {
        throw new WebMCPInputError('ERR_INPUT', 'a revoked or expired key cannot be rotated');
      }
      const secret = randomBytes(32).toString('base64url');
      const updated = await store.apiKeys.update(id, {
        secretHash: await hash(secret),
        previousSecretHash: graceMs > 0 ? record.secretHash : null,
        previousValidUntil: graceMs > 0 ? at + graceMs : null,
      });
      if (!updated) throw new WebMCPInputError('ERR_NOT_FOUND', 'no such API key');
      await announce(store, logger, { rotated: id });
      return {
        id,
        key: `${id}.${secret}`,
        secret,
        name: updated.name,
        role: updated.role,
        scopes: [...updated.scopes],
        createdAt: updated.createdAt,
        expiresAt: updated.expiresAt,
      };
    },

    async revoke(id) {
      if (typeof id !== 'string') return false;
      const record = await store.apiKeys.get(id);
      if (!record) return false;
      const at = now();
      if (record.revokedAt === null) await store.apiKeys.update(id, { revokedAt: at, previousSecretHash: null, previousValidUntil: null });
      await store.refreshTokens.revokeByApiKey(id, at);
      await announce(store, logger, { revoked: id });
      return true;
    },

    async list() {
      return (await store.apiKeys.list()).map(info);
    },

    async get(id) {
      const record = typeof id === 'string' ? await store.apiKeys.get(id) : null;
      return record ? info(record) : null;
    },

    async isActive(id) {
      const record = await store.apiKeys.get(id);
      return !!record && record.revokedAt === null && (record.expiresAt === null || now() < record.expiresAt);
    },
  };
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function info(record: ApiKeyRecord): ApiKeyInfo {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    scopes: [...record.scopes],
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    revokedAt: record.revokedAt,
    lastUsedAt: record.lastUsedAt,
    previousValidUntil: record.previousValidUntil,
  };
}

async function announce(store: Pick<Store, 'events'>, logger: SecurityLogger, message: Record<string, string>) {
  // Verification always reads the store, so peers need no event to be correct; it is for caches.
  await store.events.publish(API_KEYS_CHANNEL, JSON.stringify(message)).catch((err: unknown) =>
    logger.warn({ event: 'api_key.publish_failed', err: String(err) }, 'API key event not published'),
  );
}
