import type { ApiKeyRecord, ApiKeyStore } from '../store/types.js';

/** The fields of a live API key the gateway authorises with. */
export interface LiveKey {
  id: string;
  role: string;
  scopes: readonly string[];
}

export interface KeyStatus {
  /** The key when it exists and is neither revoked nor expired, else null. */
  live(id: string): Promise<LiveKey | null>;
  /** Drops a cached answer (after a local revoke/rotate). */
  forget(id: string): void;
}

/**
 * Answers "is this API key still live?" from the shared store, caching each answer for at most
 * `cacheMs` so a `webmcp keys revoke` in another process takes effect within that time (the
 * spec allows 1 s; the default is 250 ms).
 */
export function createKeyStatus(store: ApiKeyStore, cacheMs = 250, now: () => number = Date.now): KeyStatus {
  const cache = new Map<string, { at: number; key: LiveKey | null; expiresAt: number | null }>();
  return {
    async live(id) {
      if (typeof id !== 'string' || id.length === 0 || id.length > 128) return null;
      const t = now();
      const hit = cache.get(id);
      if (hit && t - hit.at < cacheMs) return hit.expiresAt !== null && hit.expiresAt <= t ? null : hit.key;
      const record = await store.get(id);
      const key = record && isLive(record, t) ? { id: record.id, role: record.role, scopes: Object.freeze([...record.scopes]) } : null;
      if (cache.size > 10_000) cache.clear(); // bounded: ids come from verified tokens, but stay safe
      cache.set(id, { at: t, key, expiresAt: record?.expiresAt ?? null });
      return key;
    },
    forget(id) {
      cache.delete(id);
    },
  };
}

function isLive(record: ApiKeyRecord, t: number): boolean {
  return record.revokedAt === null && (record.expiresAt === null || record.expiresAt > t);
}
