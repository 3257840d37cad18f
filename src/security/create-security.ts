import type { JWK } from 'jose';
import { WebMCPConfigError } from '../errors.js';
import { createMemoryStore } from '../store/memory/index.js';
import type { Store } from '../store/types.js';
import { createApiKeys, type ApiKeys } from './api-keys/index.js';
import { createAudit, type Audit } from './audit/index.js';
import { resolveSecurityConfig, type ResolvedSecurityConfig, type SecurityConfigInput } from './config/index.js';
import { createCsrf, type Csrf } from './csrf/index.js';
import { createFieldEncryption, requireEncrypted, type FieldEncryption } from './fields/index.js';
import { createSecurityHeaders, type SecurityHeaders } from './headers/index.js';
import { createClientJwe, encryptFor, type ClientJwe } from './jwe/index.js';
import { createAccessTokens, createSigningKeys, type AccessTokens } from './jwt/index.js';
import {
  KEY_SPECS,
  Keyring,
  createKmsWrapper,
  createMasterKeyWrapper,
  parseMasterKey,
  randomMasterKey,
  type KeyWrapper,
  type KmsHook,
} from './keyring/index.js';
import { silentLogger, type SecurityLogger } from './logger.js';
import { createSecurityMiddleware, type SecurityMiddleware } from './middleware/index.js';
import { createRateLimiter, type RateLimiter } from './rate-limit/index.js';
import { createRbac, type Rbac } from './rbac/index.js';
import { createRefreshTokens, type RefreshTokens } from './refresh/index.js';
import { createSessions, type Sessions } from './session/index.js';

export interface CreateSecurityOptions {
  /** Where keys, API keys, tokens, counters and the audit log live. Default: a new memory store. */
  store?: Store;
  /**
   * Wraps key material at rest (32 bytes, or base64url text such as `WEBMCP_MASTER_KEY`).
   * Required for every store but memory, unless `kms` is given.
   */
  masterKey?: Uint8Array | string;
  /** Wrap/unwrap key material through a KMS instead of a master key. */
  kms?: KmsHook;
  /** HMAC pepper for API-key hashes (at least 32 bytes). Default: a random one kept in the keyring. */
  pepper?: Uint8Array | string;
  /** Clock (ms since the epoch); tests inject one. */
  now?: () => number;
  logger?: SecurityLogger;
  /** Believe `X-Forwarded-For`/`-Proto` from this many proxies (middleware). Default false. */
  trustProxy?: boolean | number;
  /** Origins accepted by the CSRF `Origin` check besides the request's own. */
  allowedOrigins?: readonly string[];
}

/** Everything `webmcp/security` offers, configured once (spec section 4). */
export interface Security extends SecurityMiddleware {
  readonly config: ResolvedSecurityConfig;
  readonly store: Store;
  readonly keyring: Keyring;
  readonly jwt: AccessTokens & { jwks(): Promise<{ keys: JWK[] }> };
  readonly refresh: RefreshTokens;
  readonly jwe: ClientJwe & { encryptFor: typeof encryptFor };
  readonly fields: FieldEncryption & { requireEncrypted: typeof requireEncrypted };
  readonly apiKeys: ApiKeys;
  readonly csrf: Csrf;
  readonly rateLimit: RateLimiter;
  readonly audit: Audit;
  readonly rbac: Rbac;
  readonly headers: SecurityHeaders;
  readonly sessions: Sessions;
  /** Public keys to publish at `/.well-known/jwks.json`: signing (`use: sig`) and encryption (`use: enc`). */
  jwks(): Promise<{ keys: JWK[] }>;
  /** Stops listening for key events; closes the store only when createSecurity made it. */
  close(): Promise<void>;
}

/** Memory stores get a random master key of their own, shared by every instance on that store. */
const memoryMasterKeys = new WeakMap<Store, Uint8Array>();

/**
 * Validates `security` (the webMCP `security` object, or an already resolved config) and builds
 * every security module over one store.
 *
 * Without `jwt.secret` or `jwt.privateKey`, signing uses generated ES256 keys from the keyring
 * (persisted in the store, rotated every `encryption.keyRotationInterval`, published in the JWKS).
 *
 * @example
 * import { createSecurity } from 'webmcp/security';
 * const sec = await createSecurity({ jwt: { secret: process.env.WEBMCP_JWT_SECRET } });
 * const token = await sec.jwt.issue({ sub: 'agent-1', scope: 'webmcp:read' });
 * app.use(sec.express());
 */
export async function createSecurity(
  security?: SecurityConfigInput | ResolvedSecurityConfig,
  options: CreateSecurityOptions = {},
): Promise<Security> {
  const config = resolveSecurityConfig(security);
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const ownsStore = options.store === undefined;
  const store = options.store ?? createMemoryStore({ now });
  const wrapper = keyWrapper(store, options);

  const keyring = new Keyring({
    store,
    wrapper,
    now,
    logger,
    rotationInterval: config.encryption.keyRotationInterval,
    // A rotated-out signing key must outlive every token it signed.
    graceSeconds: (use) =>
      use === 'sig'
        ? Math.max(config.encryption.gracePeriod, config.jwt.expiresIn + config.jwt.clockTolerance)
        : config.encryption.gracePeriod,
  });
  try {
    await keyring.start();
    const signingKeys = await createSigningKeys(config, keyring);
    const jwt = createAccessTokens({ config, keys: signingKeys, revocations: store.revocations, now });
    const clientJwe = createClientJwe(keyring);
    const pepperOption = options.pepper === undefined ? null : toBytes(options.pepper, 'pepper');
    const apiKeys = createApiKeys({
      store,
      roles: config.roles,
      scopes: config.jwt.scopes,
      pepper: async () => pepperOption ?? keyBytes(await keyring.fixed('api-key-pepper', KEY_SPECS.pepper)),
      now,
      logger,
    });
    const refresh = createRefreshTokens({
      store: store.refreshTokens,
      lifetime: config.jwt.refreshExpiresIn,
      now,
      isApiKeyActive: (id) => apiKeys.isActive(id),
    });
    const csrf = createCsrf(config, {
      secrets: async () => [keyBytes(await keyring.fixed('csrf-secret', KEY_SPECS.csrf))],
      ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
      now,
    });
    const rateLimit = createRateLimiter(config.rateLimit, store);
    const audit = createAudit(config.audit, store, {
      now,
      onError: (err) => logger.warn({ event: 'audit.prune_failed', err: String(err) }, 'audit pruning failed'),
    });
    const rbac = createRbac({ roles: config.roles });
    const headers = createSecurityHeaders(config);
    const sessions = createSessions(store.kv, config.jwt.expiresIn, now);

    async function jwks(): Promise<{ keys: JWK[] }> {
      const [sig, enc] = await Promise.all([jwt.signingJwks(), clientJwe.publicJwks()]);
      return { keys: [...sig, ...enc] };
    }

    const middleware = createSecurityMiddleware(
      { jwt, apiKeys, csrf, rateLimit, audit, headers, rbac, sessions },
      { enableCSRF: config.enableCSRF, trustProxy: options.trustProxy ?? false, logger },
    );

    let closed = false;
    return {
      ...middleware,
      config,
      store,
      keyring,
      jwt: Object.assign(jwt, { jwks }),
      refresh,
      jwe: Object.assign(clientJwe, { encryptFor }),
      fields: Object.assign(createFieldEncryption(keyring), { requireEncrypted }),
      apiKeys,
      csrf,
      rateLimit,
      audit,
      rbac,
      headers,
      sessions,
      jwks,
      async close() {
        if (closed) return;
        closed = true;
        await keyring.close();
        if (ownsStore) await store.close();
      },
    };
  } catch (err) {
    await keyring.close();
    if (ownsStore) await store.close();
    throw err;
  }
}

function keyWrapper(store: Store, options: CreateSecurityOptions): KeyWrapper {
  if (options.kms && options.masterKey !== undefined) {
    throw new WebMCPConfigError('masterKey', 'give masterKey or kms, not both');
  }
  if (options.kms) return createKmsWrapper(options.kms);
  if (options.masterKey !== undefined) return createMasterKeyWrapper(parseMasterKey(options.masterKey));
  if (store.kind === 'memory' && !store.requiresMasterKey) {
    let key = memoryMasterKeys.get(store);
    if (!key) {
      key = randomMasterKey();
      memoryMasterKeys.set(store, key);
    }
    return createMasterKeyWrapper(key);
  }
  // A random key here would make the stored keys unreadable after a restart.
  throw new WebMCPConfigError(
    'masterKey',
    'a persistent store needs a master key: set WEBMCP_MASTER_KEY (32 bytes, base64url; `webmcp secret` makes one) or pass kms',
  );
}

function toBytes(value: Uint8Array | string, path: string): Uint8Array {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (!(bytes instanceof Uint8Array) || bytes.length < 32) throw new WebMCPConfigError(path, 'must be at least 32 bytes');
  return bytes;
}

function keyBytes(key: { jwk: { k?: unknown } }): Uint8Array {
  return Buffer.from(String(key.jwk.k), 'base64url');
}
