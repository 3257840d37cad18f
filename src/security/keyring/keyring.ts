import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import { WebMCPConfigError, WebMCPStoreError } from '../../errors.js';
import type { KeyRecord, KeyUse, Store } from '../../store/types.js';
import type { SecurityLogger } from '../logger.js';
import type { KeyWrapper } from './master-key.js';

/** What each generated key is for. `material` tells how to generate it. */
export interface KeySpec {
  use: KeyUse;
  alg: string;
  material: 'P-256' | 'Ed25519' | 'oct256';
}

/** A keyring key with its unwrapped private/secret material (kept in memory only). */
export interface LoadedKey {
  readonly kid: string;
  readonly use: KeyUse;
  readonly alg: string;
  readonly createdAt: number;
  readonly retireAt: number | null;
  /** Private JWK (EC/OKP) or `{ kty: 'oct', k }`. */
  readonly jwk: Readonly<JWK>;
  /** Public JWK for asymmetric keys, null for secret keys. */
  readonly publicJwk: Readonly<JWK> | null;
}

export interface KeyringOptions {
  store: Store;
  wrapper: KeyWrapper;
  now: () => number;
  logger: SecurityLogger;
  /** Seconds between rotations of each key family. */
  rotationInterval: number;
  /** Seconds a rotated-out key still verifies/decrypts, per use (field keys are never retired). */
  graceSeconds: (use: KeyUse) => number;
}

export const KEYRING_CHANNEL = 'webmcp:keyring';
const LOCK_TTL_MS = 15_000;
/** Re-read the store at least this often, in case an invalidation event was lost. */
const MAX_CACHE_AGE_MS = 60_000;
/** An unknown kid triggers at most one reload per this many ms (a flood of forged kids must not hammer the store). */
const UNKNOWN_KID_RELOAD_MS = 1_000;
const WAIT_FOR_PEER_MS = 5_000;

/**
 * Keys with a `kid` for signing (`sig`), client encryption (`enc`) and field encryption
 * (`field`), persisted wrapped in `store.keyring`.
 *
 * The newest live key of a family signs/encrypts. Every `rotationInterval` a new key is created;
 * older sig/enc keys keep verifying/decrypting until `retireAt` (now + grace) and are then
 * deleted. Field keys are never retired: data encrypted years ago must still decrypt.
 *
 * Several processes may share the store: rotation takes a `kv.setIfAbsent` lock, a peer that
 * loses the race reloads instead of rotating, and every rotation is announced on the event bus
 * so peers reload; an unknown kid also triggers a (throttled) reload.
 */
export class Keyring {
  private records: KeyRecord[] = [];
  private loadedAt = -Infinity;
  private lastUnknownReload = -Infinity;
  private loading: Promise<void> | null = null;
  private readonly unwrapped = new Map<string, LoadedKey>();
  private unsubscribe: (() => Promise<void>) | null = null;

  constructor(private readonly options: KeyringOptions) {}

  /**
   * Loads the records and subscribes to invalidations from peers. Fails fast with
   * {@link WebMCPConfigError} when the stored keys cannot be unwrapped (wrong master key or KMS).
   */
  async start(): Promise<void> {
    await this.reload();
    const sample = [...this.records].sort(newestFirst)[0];
    if (sample) await this.unwrap(sample);
    this.unsubscribe = await this.options.store.events.subscribe(KEYRING_CHANNEL, () => {
      this.reload().catch((err: unknown) =>
        this.options.logger.warn({ event: 'keyring.reload_failed', err: errorName(err) }, 'keyring reload failed'),
      );
    });
  }

  async close(): Promise<void> {
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    if (unsubscribe) await unsubscribe();
  }

  /** The key that signs/encrypts now for `spec`; creates the first one and rotates when due. */
  async current(spec: KeySpec): Promise<LoadedKey> {
    await this.refreshIfStale();
    const now = this.options.now();
    const newest = this.newest(spec, now);
    if (newest && newest.createdAt + this.options.rotationInterval * 1000 > now) return this.unwrap(newest);
    return this.rotateLocked(spec, newest);
  }

  /**
   * A live key (not retired) of `spec` with this kid, for verifying/decrypting; null when there
   * is none. An unknown kid reloads from the store at most once a second.
   */
  async find(kid: string, spec: Pick<KeySpec, 'use' | 'alg'>): Promise<LoadedKey | null> {
    await this.refreshIfStale();
    let record = this.live(kid, spec);
    if (!record) {
      const now = this.options.now();
      if (now - this.lastUnknownReload < UNKNOWN_KID_RELOAD_MS) return null;
      this.lastUnknownReload = now;
      await this.reload();
      record = this.live(kid, spec);
      if (!record) return null;
    }
    return this.unwrap(record);
  }

  /** Every live key of a use/alg, newest first (for JWKS publication). */
  async list(spec: Pick<KeySpec, 'use' | 'alg'>): Promise<LoadedKey[]> {
    await this.refreshIfStale();
    const now = this.options.now();
    const records = this.records
      .filter((r) => r.use === spec.use && r.alg === spec.alg && isLive(r, now))
      .sort(newestFirst);
    return Promise.all(records.map((r) => this.unwrap(r)));
  }

  /** Creates a new current key for `spec` now, whatever its age (e.g. after a suspected leak). */
  async rotate(spec: KeySpec): Promise<LoadedKey> {
    await this.reload();
    return this.rotateLocked(spec, this.newest(spec, this.options.now()), true);
  }

  /**
   * A single long-lived key with a fixed kid (e.g. the API-key pepper): created once, shared by
   * every process on the store, never rotated.
   */
  async fixed(kid: string, spec: KeySpec): Promise<LoadedKey> {
    await this.refreshIfStale();
    let record = this.records.find((r) => r.kid === kid);
    if (!record) {
      const created = await this.createRecord(spec, kid);
      try {
        await this.options.store.keyring.insert(created);
      } catch (err) {
        // Another process created it first; theirs wins and we read it back below.
        if (!(err instanceof WebMCPStoreError && err.code === 'ERR_STORE_CONFLICT')) throw err;
      }
      await this.reload();
      record = this.records.find((r) => r.kid === kid);
      if (!record) throw new WebMCPStoreError('ERR_STORE_UNAVAILABLE', 'keyring record vanished after insert');
    }
    return this.unwrap(record);
  }

  /** Re-reads every record from the store and deletes retired sig/enc keys. */
  async reload(): Promise<void> {
    if (this.loading) return this.loading;
    this.loading = (async () => {
      try {
        const records = await this.options.store.keyring.list();
        const now = this.options.now();
        const expired = records.filter((r) => r.retireAt !== null && r.retireAt <= now && r.use !== 'field');
        for (const record of expired) {
          await this.options.store.keyring.delete(record.kid);
          this.unwrapped.delete(record.kid);
        }
        this.records = records.filter((r) => !expired.includes(r));
        this.loadedAt = now;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  private async refreshIfStale(): Promise<void> {
    if (this.options.now() - this.loadedAt >= MAX_CACHE_AGE_MS) await this.reload();
  }

  private newest(spec: Pick<KeySpec, 'use' | 'alg'>, now: number): KeyRecord | undefined {
    return this.records
      .filter((r) => r.use === spec.use && r.alg === spec.alg && r.retireAt === null && isLive(r, now))
      .sort(newestFirst)[0];
  }

  private live(kid: string, spec: Pick<KeySpec, 'use' | 'alg'>): KeyRecord | undefined {
    const now = this.options.now();
    return this.records.find((r) => r.kid === kid && r.use === spec.use && r.alg === spec.alg && isLive(r, now));
  }

  private async rotateLocked(spec: KeySpec, previous: KeyRecord | undefined, force = false): Promise<LoadedKey> {
    const { store } = this.options;
    const lockKey = `webmcp:keyring:lock:${spec.use}:${spec.alg}`;
    const owner = randomUUID();
    if (!(await store.kv.setIfAbsent(lockKey, owner, LOCK_TTL_MS))) {
      // A peer is rotating. The previous key stays valid meanwhile; with none yet, wait for theirs.
      if (previous) return this.unwrap(previous);
      return this.waitForPeer(spec);
    }
    try {
      await this.reload();
      const now = this.options.now();
      const fresh = this.newest(spec, now);
      if (fresh && fresh.kid !== previous?.kid) return this.unwrap(fresh);
      if (!force && fresh && fresh.createdAt + this.options.rotationInterval * 1000 > now) return this.unwrap(fresh);
      const record = await this.createRecord(spec);
      await store.keyring.insert(record);
      if (spec.use !== 'field') {
        const retireAt = now + this.options.graceSeconds(spec.use) * 1000;
        for (const old of this.records) {
          if (old.use === spec.use && old.alg === spec.alg && old.retireAt === null) {
            await store.keyring.update(old.kid, { retireAt });
          }
        }
      }
      this.options.logger.info?.({ event: 'keyring.rotated', use: spec.use, alg: spec.alg, kid: record.kid }, 'key rotated');
      await this.reload();
      await store.events.publish(KEYRING_CHANNEL, JSON.stringify({ rotated: record.kid })).catch((err: unknown) =>
        // Peers also reload on an unknown kid and every minute, so a lost notification only delays them.
        this.options.logger.warn({ event: 'keyring.publish_failed', err: errorName(err) }, 'keyring event not published'),
      );
      return this.unwrap(record);
    } finally {
      if ((await store.kv.get(lockKey)) === owner) await store.kv.delete(lockKey);
    }
  }

  private async waitForPeer(spec: KeySpec): Promise<LoadedKey> {
    const deadline = Date.now() + WAIT_FOR_PEER_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await this.reload();
      const record = this.newest(spec, this.options.now());
      if (record) return this.unwrap(record);
    }
    throw new WebMCPStoreError('ERR_STORE_UNAVAILABLE', 'timed out waiting for another process to create a key');
  }

  private async createRecord(spec: KeySpec, kid = newKid(spec.use)): Promise<KeyRecord> {
    const { jwk, publicJwk } = generate(spec.material);
    const payload = Buffer.from(JSON.stringify({ kid, use: spec.use, alg: spec.alg, jwk }), 'utf8');
    return {
      kid,
      use: spec.use,
      alg: spec.alg,
      createdAt: this.options.now(),
      retireAt: null,
      wrapped: await this.options.wrapper.wrap(payload, kid),
      publicJwk: publicJwk ? { ...publicJwk, kid, use: spec.use === 'sig' ? 'sig' : 'enc', alg: spec.alg } : null,
    };
  }

  private async unwrap(record: KeyRecord): Promise<LoadedKey> {
    const cached = this.unwrapped.get(record.kid);
    if (cached && cached.retireAt === record.retireAt) return cached;
    const plaintext = await this.options.wrapper.unwrap(record.wrapped, record.kid);
    let parsed: { kid?: unknown; use?: unknown; alg?: unknown; jwk?: JWK };
    try {
      parsed = JSON.parse(Buffer.from(plaintext).toString('utf8'));
    } catch (err) {
      throw new WebMCPConfigError('masterKey', 'stored key material is corrupt', { cause: err });
    }
    if (parsed.kid !== record.kid || parsed.use !== record.use || parsed.alg !== record.alg || !parsed.jwk) {
      throw new WebMCPConfigError('masterKey', 'stored key material does not match its record');
    }
    const key: LoadedKey = Object.freeze({
      kid: record.kid,
      use: record.use,
      alg: record.alg,
      createdAt: record.createdAt,
      retireAt: record.retireAt,
      jwk: Object.freeze(parsed.jwk),
      publicJwk: record.publicJwk ? (Object.freeze({ ...record.publicJwk }) as JWK) : null,
    });
    this.unwrapped.set(record.kid, key);
    return key;
  }
}

function isLive(record: KeyRecord, now: number): boolean {
  return record.retireAt === null || record.retireAt > now;
}

function newestFirst(a: KeyRecord, b: KeyRecord): number {
  return b.createdAt - a.createdAt || (a.kid < b.kid ? 1 : -1);
}

function newKid(use: KeyUse): string {
  return `${use}-${randomBytes(12).toString('base64url')}`;
}

function generate(material: KeySpec['material']): { jwk: JWK; publicJwk: JWK | null } {
  if (material === 'oct256') return { jwk: { kty: 'oct', k: randomBytes(32).toString('base64url') }, publicJwk: null };
  const pair =
    material === 'P-256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return {
    jwk: pair.privateKey.export({ format: 'jwk' }) as JWK,
    publicJwk: pair.publicKey.export({ format: 'jwk' }) as JWK,
  };
}

function errorName(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
