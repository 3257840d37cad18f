import type {
  ApiKeyRecord,
  AuditEntry,
  AuditHead,
  ConsumeResult,
  KeyRecord,
  RefreshConsumeStatus,
  RefreshTokenRecord,
  Store,
} from '../types.js';
import { assertExtendsHead } from '../internal/audit-rules.js';
import { closed, conflict } from '../internal/errors.js';
import { createLocalEventBus } from '../internal/local-events.js';
import { REFRESH_RETENTION_MS, REVOCATION_GRACE_MS, SWEEP_INTERVAL_MS } from '../internal/retention.js';

export interface MemoryStoreOptions {
  /** Clock used for every expiry decision (defaults to `Date.now`); tests inject a fake one. */
  now?: () => number;
}

/**
 * An in-process store: exact, fast, and gone when the process exits. For tests and single-process
 * embedding; `webmcp serve` defaults to SQLite. Every returned record is a copy.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const kv = new Map<string, { value: string; expiresAt: number }>();
  const windows = new Map<string, { count: number; endsAt: number }>();
  const apiKeys = new Map<string, ApiKeyRecord>();
  const refresh = new Map<string, RefreshTokenRecord>();
  const families = new Map<string, { apiKeyId: string | null; revokedAt: number | null }>();
  const revoked = new Map<string, number>();
  const keyring = new Map<string, KeyRecord>();
  let audit: AuditEntry[] = [];
  let checkpoint: AuditHead | null = null;
  const events = createLocalEventBus();
  let isClosed = false;
  let lastSweep = now();

  const clone = <T>(value: T): T => structuredClone(value);

  function open(): number {
    if (isClosed) throw closed('memory');
    const t = now();
    if (t - lastSweep >= SWEEP_INTERVAL_MS) {
      lastSweep = t;
      for (const [k, v] of kv) if (v.expiresAt <= t) kv.delete(k);
      for (const [k, v] of windows) if (v.endsAt <= t) windows.delete(k);
      for (const [k, exp] of revoked) if (exp + REVOCATION_GRACE_MS <= t) revoked.delete(k);
      for (const [k, r] of refresh) if (r.expiresAt + REFRESH_RETENTION_MS <= t) refresh.delete(k);
    }
    return t;
  }

  function liveKv(key: string, t: number) {
    const entry = kv.get(key);
    if (entry && entry.expiresAt <= t) {
      kv.delete(key);
      return undefined;
    }
    return entry;
  }

  function liveWindow(key: string, t: number) {
    const w = windows.get(key);
    if (w && w.endsAt <= t) {
      windows.delete(key);
      return undefined;
    }
    return w;
  }

  function auditHead(): AuditHead | null {
    const last = audit[audit.length - 1];
    return last ? { seq: last.seq, hash: last.hash } : checkpoint ? { ...checkpoint } : null;
  }

  return {
    kind: 'memory',
    requiresMasterKey: false,
    kv: {
      async get(key) {
        return liveKv(key, open())?.value ?? null;
      },
      async set(key, value, ttlMs) {
        kv.set(key, { value, expiresAt: open() + ttlMs });
      },
      async setIfAbsent(key, value, ttlMs) {
        const t = open();
        if (liveKv(key, t)) return false;
        kv.set(key, { value, expiresAt: t + ttlMs });
        return true;
      },
      async delete(key) {
        open();
        kv.delete(key);
      },
    },
    counters: {
      async consume(key, windowMs, limit, cost = 1): Promise<ConsumeResult> {
        const t = open();
        const w = liveWindow(key, t);
        const count = w?.count ?? 0;
        const endsAt = w?.endsAt ?? t + windowMs;
        if (count + cost > limit) return { allowed: false, count, resetMs: endsAt - t };
        if (w) w.count += cost;
        else windows.set(key, { count: cost, endsAt });
        return { allowed: true, count: count + cost, resetMs: endsAt - t };
      },
      async refund(key, cost = 1) {
        const w = liveWindow(key, open());
        if (w) w.count = Math.max(0, w.count - cost);
      },
      async peek(key) {
        const t = open();
        const w = liveWindow(key, t);
        return w ? { count: w.count, resetMs: w.endsAt - t } : null;
      },
    },
    apiKeys: {
      async insert(record) {
        open();
        if (apiKeys.has(record.id)) throw conflict('api key');
        apiKeys.set(record.id, clone(record));
      },
      async get(id) {
        open();
        const r = apiKeys.get(id);
        return r ? clone(r) : null;
      },
      async list() {
        open();
        return [...apiKeys.values()].sort((a, b) => a.createdAt - b.createdAt || cmp(a.id, b.id)).map(clone);
      },
      async update(id, patch) {
        open();
        const r = apiKeys.get(id);
        if (!r) return null;
        const next = { ...r, ...clone(patch), id };
        apiKeys.set(id, next);
        return clone(next);
      },
    },
    refreshTokens: {
      async insert(record) {
        open();
        if (refresh.has(record.hash)) throw conflict('refresh token');
        refresh.set(record.hash, clone(record));
        if (!families.has(record.familyId)) families.set(record.familyId, { apiKeyId: record.apiKeyId, revokedAt: null });
      },
      async consume(hash, at) {
        open();
        const r = refresh.get(hash);
        if (!r) return null;
        const before = clone(r);
        const status: RefreshConsumeStatus =
          r.usedAt !== null
            ? 'reused'
            : families.get(r.familyId)?.revokedAt != null
              ? 'family_revoked'
              : at >= r.expiresAt
                ? 'expired'
                : 'ok';
        if (status === 'ok') r.usedAt = at;
        return { status, record: before };
      },
      async revokeFamily(familyId, at) {
        open();
        const f = families.get(familyId);
        if (!f) families.set(familyId, { apiKeyId: null, revokedAt: at });
        else if (f.revokedAt === null) f.revokedAt = at;
      },
      async revokeByApiKey(apiKeyId, at) {
        open();
        for (const f of families.values()) if (f.apiKeyId === apiKeyId && f.revokedAt === null) f.revokedAt = at;
      },
      async isFamilyRevoked(familyId) {
        open();
        return families.get(familyId)?.revokedAt != null;
      },
    },
    revocations: {
      async revoke(jti, expiresAt) {
        open();
        revoked.set(jti, Math.max(expiresAt, revoked.get(jti) ?? -Infinity));
      },
      async isRevoked(jti) {
        const t = open();
        const exp = revoked.get(jti);
        return exp !== undefined && exp + REVOCATION_GRACE_MS > t;
      },
    },
    keyring: {
      async list() {
        open();
        return [...keyring.values()].sort((a, b) => a.createdAt - b.createdAt || cmp(a.kid, b.kid)).map(clone);
      },
      async insert(record) {
        open();
        if (keyring.has(record.kid)) throw conflict('key');
        keyring.set(record.kid, clone(record));
      },
      async update(kid, patch) {
        open();
        const r = keyring.get(kid);
        if (!r) return null;
        const next = { ...r, ...clone(patch), kid };
        keyring.set(kid, next);
        return clone(next);
      },
      async delete(kid) {
        open();
        keyring.delete(kid);
      },
    },
    audit: {
      async append(build) {
        open();
        // Single-threaded: nothing can interleave between reading the head and pushing.
        const head = auditHead();
        const entry = clone(build(head));
        assertExtendsHead(head, entry);
        audit.push(entry);
        return clone(entry);
      },
      async list({ after = 0, limit } = {}) {
        open();
        const out: AuditEntry[] = [];
        for (const e of audit) {
          if (limit !== undefined && out.length >= limit) break;
          if (e.seq > after) out.push(clone(e));
        }
        return out;
      },
      async head() {
        open();
        return auditHead();
      },
      async checkpoint() {
        open();
        return checkpoint ? { ...checkpoint } : null;
      },
      async prune(before) {
        open();
        let n = 0;
        // Keep at least the newest entry so the head survives in the log itself.
        while (n < audit.length - 1 && audit[n].ts < before) n++;
        if (n === 0) return 0;
        const last = audit[n - 1];
        checkpoint = { seq: last.seq, hash: last.hash };
        audit = audit.slice(n);
        return n;
      },
    },
    events,
    async ping() {
      open();
    },
    async close() {
      isClosed = true;
      events.clear();
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
