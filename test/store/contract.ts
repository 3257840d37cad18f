/**
 * One behavioural contract for every Store backend. Each backend's test file calls
 * `runStoreContract(name, makeStore, opts)`; `makeStore` must return a fresh, empty, isolated store.
 */
import { randomUUID, createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiKeyRecord, AuditEntry, AuditHead, KeyRecord, RefreshTokenRecord, Store } from '../../src/store/types.js';
import { WebMCPStoreError } from '../../src/errors.js';

export interface StoreContractOptions {
  /**
   * Opens a second store on the same backend as `store` (another "instance" of the gateway:
   * same SQLite file, same Redis prefix + PostgreSQL schema). Enables the cross-instance checks.
   */
  sibling?: (store: Store) => Promise<Store>;
  /** Extra wait added to TTL-expiry sleeps for backends whose clocks are remote. */
  ttlSlackMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const id = (p: string) => `${p}-${randomUUID()}`;

function apiKey(over: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id: id('k'),
    name: 'ci bot',
    role: 'agent',
    scopes: ['webmcp:read', 'webmcp:write'],
    secretHash: 'h'.repeat(43),
    createdAt: 1_700_000_000_000,
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    previousSecretHash: null,
    previousValidUntil: null,
    ...over,
  };
}

function refreshToken(over: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return {
    hash: id('rt'),
    familyId: id('fam'),
    subject: JSON.stringify({ sub: 'agent-1' }),
    apiKeyId: null,
    scopes: ['webmcp:read'],
    createdAt: Date.now(),
    expiresAt: Date.now() + 60_000,
    usedAt: null,
    ...over,
  };
}

function keyRecord(over: Partial<KeyRecord> = {}): KeyRecord {
  return {
    kid: id('kid'),
    use: 'sig',
    alg: 'ES256',
    createdAt: 1_700_000_000_000,
    retireAt: null,
    wrapped: 'wrapped-material',
    publicJwk: { kty: 'EC', crv: 'P-256', x: 'abc', y: 'def' },
    ...over,
  };
}

/** Builds the next entry the way the audit module does: seq + 1, prev_hash = head hash. */
function nextEntry(head: AuditHead | null, over: Partial<AuditEntry> = {}, ts = new Date().toISOString()): AuditEntry {
  const seq = head ? head.seq + 1 : 1;
  const prev_hash = head ? head.hash : '0'.repeat(64);
  const body = {
    seq,
    ts,
    actor: 'key:abc',
    action: 'token.issue',
    resource: '/webmcp/token',
    outcome: 'ok' as const,
    ip: '127.0.0.1',
    request_id: randomUUID(),
    details: { scope: ['webmcp:read'], nested: { n: 1 } },
    prev_hash,
    ...over,
  };
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return { ...body, hash };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected rejection with ${code}`).toBeInstanceOf(WebMCPStoreError);
  expect((err as WebMCPStoreError).code).toBe(code);
}

function verifyChain(entries: AuditEntry[], start: AuditHead | null): void {
  let prev = start;
  for (const e of entries) {
    if (prev) {
      expect(e.seq).toBe(prev.seq + 1);
      expect(e.prev_hash).toBe(prev.hash);
    }
    prev = { seq: e.seq, hash: e.hash };
  }
}

export function runStoreContract(name: string, makeStore: () => Promise<Store>, opts: StoreContractOptions = {}): void {
  const slack = opts.ttlSlackMs ?? 0;
  describe(`Store contract: ${name}`, () => {
    const open: Store[] = [];
    async function fresh(): Promise<Store> {
      const s = await makeStore();
      open.push(s);
      return s;
    }
    async function sibling(s: Store): Promise<Store> {
      const t = await opts.sibling!(s);
      open.push(t);
      return t;
    }
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    it('pings and reports its kind', async () => {
      const s = await fresh();
      await expect(s.ping()).resolves.toBeUndefined();
      expect(['memory', 'sqlite', 'redis+postgres']).toContain(s.kind);
      expect(typeof s.requiresMasterKey).toBe('boolean');
    });

    describe('kv', () => {
      it('gets, sets, overwrites and deletes', async () => {
        const s = await fresh();
        const k = id('kv');
        expect(await s.kv.get(k)).toBeNull();
        await s.kv.set(k, 'one', 60_000);
        expect(await s.kv.get(k)).toBe('one');
        await s.kv.set(k, 'two', 60_000);
        expect(await s.kv.get(k)).toBe('two');
        await s.kv.delete(k);
        expect(await s.kv.get(k)).toBeNull();
        await s.kv.delete(k); // deleting an absent key is fine
      });

      it('stores values byte-exact', async () => {
        const s = await fresh();
        const k = id('kv');
        const v = JSON.stringify({ s: 'ünïcødé ✓ \u0000 "quoted" \n line' });
        await s.kv.set(k, v, 60_000);
        expect(await s.kv.get(k)).toBe(v);
      });

      it('honours TTLs', async () => {
        const s = await fresh();
        const k = id('kv');
        await s.kv.set(k, 'short', 400);
        await s.kv.set(`${k}-long`, 'long', 60_000);
        expect(await s.kv.get(k)).toBe('short');
        await sleep(800 + slack);
        expect(await s.kv.get(k)).toBeNull();
        expect(await s.kv.get(`${k}-long`)).toBe('long');
      });

      it('setIfAbsent sets only when absent or expired', async () => {
        const s = await fresh();
        const k = id('lock');
        expect(await s.kv.setIfAbsent(k, 'a', 400)).toBe(true);
        expect(await s.kv.setIfAbsent(k, 'b', 400)).toBe(false);
        expect(await s.kv.get(k)).toBe('a');
        await sleep(800 + slack);
        expect(await s.kv.setIfAbsent(k, 'c', 60_000)).toBe(true);
        expect(await s.kv.get(k)).toBe('c');
      });

      it('setIfAbsent grants exactly one of many concurrent callers', async () => {
        const s = await fresh();
        const k = id('lock');
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.kv.setIfAbsent(k, `v${i}`, 60_000)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('counters', () => {
      it('counts within a window and refuses past the limit without counting', async () => {
        const s = await fresh();
        const k = id('rl');
        const a = await s.counters.consume(k, 60_000, 2);
        expect(a).toMatchObject({ allowed: true, count: 1 });
        expect(a.resetMs).toBeGreaterThan(59_000);
        expect(a.resetMs).toBeLessThanOrEqual(60_000);
        expect(await s.counters.consume(k, 60_000, 2)).toMatchObject({ allowed: true, count: 2 });
        const refused = await s.counters.consume(k, 60_000, 2);
        expect(refused).toMatchObject({ allowed: false, count: 2 });
        expect(refused.resetMs).toBeGreaterThan(0);
        expect(await s.counters.peek(k)).toMatchObject({ count: 2 });
      });

      it('honours cost', async () => {
        const s = await fresh();
        const k = id('rl');
        expect(await s.counters.consume(k, 60_000, 5, 3)).toMatchObject({ allowed: true, count: 3 });
        expect(await s.counters.consume(k, 60_000, 5, 3)).toMatchObject({ allowed: false, count: 3 });
        expect(await s.counters.consume(k, 60_000, 5, 2)).toMatchObject({ allowed: true, count: 5 });
      });

      it('opens a new window when the old one ends', async () => {
        const s = await fresh();
        const k = id('rl');
        expect((await s.counters.consume(k, 400, 1)).allowed).toBe(true);
        expect((await s.counters.consume(k, 400, 1)).allowed).toBe(false);
        await sleep(800 + slack);
        expect(await s.counters.peek(k)).toBeNull();
        expect(await s.counters.consume(k, 400, 1)).toMatchObject({ allowed: true, count: 1 });
      });

      it('peek is null with no open window and does not consume', async () => {
        const s = await fresh();
        const k = id('rl');
        expect(await s.counters.peek(k)).toBeNull();
        await s.counters.consume(k, 60_000, 3);
        const p1 = await s.counters.peek(k);
        const p2 = await s.counters.peek(k);
        expect(p1?.count).toBe(1);
        expect(p2?.count).toBe(1);
        expect(p2!.resetMs).toBeGreaterThan(0);
      });

      it('refund gives units back, never below zero, and keeps the window', async () => {
        const s = await fresh();
        const k = id('rl');
        await s.counters.consume(k, 60_000, 2);
        await s.counters.consume(k, 60_000, 2);
        expect((await s.counters.consume(k, 60_000, 2)).allowed).toBe(false);
        await s.counters.refund(k);
        expect(await s.counters.peek(k)).toMatchObject({ count: 1 });
        expect(await s.counters.consume(k, 60_000, 2)).toMatchObject({ allowed: true, count: 2 });
        await s.counters.refund(k, 10);
        const p = await s.counters.peek(k);
        expect(p?.count).toBe(0);
        expect(p!.resetMs).toBeGreaterThan(50_000);
        await s.counters.refund(id('never-opened')); // refunding nothing is harmless
      });

      it('is exact under 200 concurrent consumes with limit 50', async () => {
        const s = await fresh();
        const k = id('rl');
        const results = await Promise.all(Array.from({ length: 200 }, () => s.counters.consume(k, 60_000, 50)));
        expect(results.filter((r) => r.allowed)).toHaveLength(50);
        expect(results.filter((r) => !r.allowed)).toHaveLength(150);
        const counts = results.filter((r) => r.allowed).map((r) => r.count).sort((a, b) => a - b);
        expect(counts).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        expect(await s.counters.peek(k)).toMatchObject({ count: 50 });
      });

      it.runIf(!!opts.sibling)('is exact across two instances sharing the backend', async () => {
        const a = await fresh();
        const b = await sibling(a);
        const k = id('rl');
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).counters.consume(k, 60_000, 50)),
        );
        expect(results.filter((r) => r.allowed)).toHaveLength(50);
      });

      it('keeps keys independent', async () => {
        const s = await fresh();
        const k = id('rl');
        await s.counters.consume(`${k}:a`, 60_000, 1);
        expect((await s.counters.consume(`${k}:b`, 60_000, 1)).allowed).toBe(true);
      });
    });

    describe('apiKeys', () => {
      it('inserts, gets, lists and refuses a duplicate id', async () => {
        const s = await fresh();
        const a = apiKey({ createdAt: 1000, scopes: ['webmcp:read'] });
        const b = apiKey({ createdAt: 2000, expiresAt: 5000, lastUsedAt: 1500 });
        await s.apiKeys.insert(a);
        await s.apiKeys.insert(b);
        expect(await s.apiKeys.get(a.id)).toEqual(a);
        expect(await s.apiKeys.get(b.id)).toEqual(b);
        expect(await s.apiKeys.get('missing')).toBeNull();
        expect((await s.apiKeys.list()).map((r) => r.id)).toEqual([a.id, b.id]);
        await expectCode(s.apiKeys.insert({ ...a, name: 'other' }), 'ERR_STORE_CONFLICT');
        expect((await s.apiKeys.get(a.id))?.name).toBe(a.name);
      });

      it('updates a record and returns it; unknown id gives null', async () => {
        const s = await fresh();
        const a = apiKey();
        await s.apiKeys.insert(a);
        const updated = await s.apiKeys.update(a.id, {
          revokedAt: 42,
          previousSecretHash: a.secretHash,
          previousValidUntil: 99,
          secretHash: 'n'.repeat(43),
          scopes: ['webmcp:admin'],
        });
        const expected = { ...a, revokedAt: 42, previousSecretHash: a.secretHash, previousValidUntil: 99, secretHash: 'n'.repeat(43), scopes: ['webmcp:admin'] };
        expect(updated).toEqual(expected);
        expect(await s.apiKeys.get(a.id)).toEqual(expected);
        expect(await s.apiKeys.update(a.id, { lastUsedAt: 7 })).toMatchObject({ lastUsedAt: 7, revokedAt: 42 });
        expect(await s.apiKeys.update(a.id, { expiresAt: null })).toMatchObject({ expiresAt: null });
        expect(await s.apiKeys.update('missing', { revokedAt: 1 })).toBeNull();
      });

      it('returns copies', async () => {
        const s = await fresh();
        const a = apiKey();
        await s.apiKeys.insert(a);
        a.scopes.push('mutated-after-insert');
        const got = (await s.apiKeys.get(a.id))!;
        expect(got.scopes).not.toContain('mutated-after-insert');
        got.scopes.push('mutated-after-get');
        expect((await s.apiKeys.get(a.id))!.scopes).not.toContain('mutated-after-get');
      });
    });

    describe('refreshTokens', () => {
      it('consume: ok once, then reused; only ok marks used', async () => {
        const s = await fresh();
        const t = refreshToken({ apiKeyId: 'key-1', scopes: ['webmcp:read', 'webmcp:write'] });
        await s.refreshTokens.insert(t);
        const first = await s.refreshTokens.consume(t.hash, t.createdAt + 10);
        expect(first).toEqual({ status: 'ok', record: t });
        const second = await s.refreshTokens.consume(t.hash, t.createdAt + 20);
        expect(second?.status).toBe('reused');
        expect(second?.record.usedAt).toBe(t.createdAt + 10);
        expect(await s.refreshTokens.consume('unknown-hash', Date.now())).toBeNull();
      });

      it('exactly one of many concurrent consumes is ok', async () => {
        const s = await fresh();
        const t = refreshToken();
        await s.refreshTokens.insert(t);
        const results = await Promise.all(Array.from({ length: 20 }, () => s.refreshTokens.consume(t.hash, Date.now())));
        expect(results.filter((r) => r?.status === 'ok')).toHaveLength(1);
        expect(results.filter((r) => r?.status === 'reused')).toHaveLength(19);
      });

      it('expired tokens are refused and stay unused', async () => {
        const s = await fresh();
        const t = refreshToken({ expiresAt: Date.now() - 1 });
        await s.refreshTokens.insert(t);
        const r = await s.refreshTokens.consume(t.hash, Date.now());
        expect(r?.status).toBe('expired');
        expect(r?.record.usedAt).toBeNull();
        // Still unused: a second try is again `expired`, not `reused`.
        expect((await s.refreshTokens.consume(t.hash, Date.now()))?.status).toBe('expired');
        // Expiry is judged at `at`: exactly at expiresAt the token is expired.
        const u = refreshToken();
        await s.refreshTokens.insert(u);
        expect((await s.refreshTokens.consume(u.hash, u.expiresAt))?.status).toBe('expired');
        expect((await s.refreshTokens.consume(u.hash, u.expiresAt - 1))?.status).toBe('ok');
      });

      it('revokeFamily refuses every token of the family and leaves them unused', async () => {
        const s = await fresh();
        const fam = id('fam');
        const a = refreshToken({ familyId: fam });
        const b = refreshToken({ familyId: fam });
        const other = refreshToken();
        await s.refreshTokens.insert(a);
        await s.refreshTokens.insert(b);
        await s.refreshTokens.insert(other);
        expect(await s.refreshTokens.isFamilyRevoked(fam)).toBe(false);
        await s.refreshTokens.revokeFamily(fam, Date.now());
        await s.refreshTokens.revokeFamily(fam, Date.now()); // idempotent
        expect(await s.refreshTokens.isFamilyRevoked(fam)).toBe(true);
        expect((await s.refreshTokens.consume(a.hash, Date.now()))?.status).toBe('family_revoked');
        expect((await s.refreshTokens.consume(b.hash, Date.now()))?.status).toBe('family_revoked');
        expect((await s.refreshTokens.consume(b.hash, Date.now()))?.record.usedAt).toBeNull();
        expect((await s.refreshTokens.consume(other.hash, Date.now()))?.status).toBe('ok');
        expect(await s.refreshTokens.isFamilyRevoked(other.familyId)).toBe(false);
        expect(await s.refreshTokens.isFamilyRevoked('never-seen')).toBe(false);
      });

      it('a used token presented again reports reused even after the family is revoked', async () => {
        const s = await fresh();
        const t = refreshToken();
        await s.refreshTokens.insert(t);
        expect((await s.refreshTokens.consume(t.hash, Date.now()))?.status).toBe('ok');
        await s.refreshTokens.revokeFamily(t.familyId, Date.now());
        expect((await s.refreshTokens.consume(t.hash, Date.now()))?.status).toBe('reused');
      });

      it('revokeByApiKey revokes every family of that key only', async () => {
        const s = await fresh();
        const key = id('key');
        const a = refreshToken({ apiKeyId: key });
        const b = refreshToken({ apiKeyId: key });
        const c = refreshToken({ apiKeyId: id('other-key') });
        const d = refreshToken({ apiKeyId: null });
        for (const t of [a, b, c, d]) await s.refreshTokens.insert(t);
        await s.refreshTokens.revokeByApiKey(key, Date.now());
        expect(await s.refreshTokens.isFamilyRevoked(a.familyId)).toBe(true);
        expect(await s.refreshTokens.isFamilyRevoked(b.familyId)).toBe(true);
        expect(await s.refreshTokens.isFamilyRevoked(c.familyId)).toBe(false);
        expect(await s.refreshTokens.isFamilyRevoked(d.familyId)).toBe(false);
        expect((await s.refreshTokens.consume(a.hash, Date.now()))?.status).toBe('family_revoked');
        expect((await s.refreshTokens.consume(c.hash, Date.now()))?.status).toBe('ok');
      });

      it('refuses a duplicate hash', async () => {
        const s = await fresh();
        const t = refreshToken();
        await s.refreshTokens.insert(t);
        await expectCode(s.refreshTokens.insert({ ...t }), 'ERR_STORE_CONFLICT');
      });
    });

    describe('revocations', () => {
      it('remembers revoked jtis until their expiry', async () => {
        const s = await fresh();
        const jti = id('jti');
        expect(await s.revocations.isRevoked(jti)).toBe(false);
        await s.revocations.revoke(jti, Date.now() + 60_000);
        await s.revocations.revoke(jti, Date.now() + 60_000); // idempotent
        expect(await s.revocations.isRevoked(jti)).toBe(true);
        expect(await s.revocations.isRevoked(id('jti'))).toBe(false);
      });
    });

    describe('keyring', () => {
      it('CRUD with conflict on a duplicate kid', async () => {
        const s = await fresh();
        const a = keyRecord({ createdAt: 1 });
        const b = keyRecord({ createdAt: 2, use: 'field', alg: 'A256GCM', publicJwk: null });
        await s.keyring.insert(a);
        await s.keyring.insert(b);
        expect(await s.keyring.list()).toEqual([a, b]);
        await expectCode(s.keyring.insert({ ...a, wrapped: 'other' }), 'ERR_STORE_CONFLICT');
        expect(await s.keyring.update(a.kid, { retireAt: 123 })).toEqual({ ...a, retireAt: 123 });
        expect(await s.keyring.update('missing', { retireAt: 1 })).toBeNull();
        await s.keyring.delete(b.kid);
        await s.keyring.delete('missing');
        expect(await s.keyring.list()).toEqual([{ ...a, retireAt: 123 }]);
      });
    });

    describe('audit', () => {
      it('starts empty and appends a chain', async () => {
        const s = await fresh();
        expect(await s.audit.head()).toBeNull();
        expect(await s.audit.checkpoint()).toBeNull();
        expect(await s.audit.list()).toEqual([]);
        const heads: Array<AuditHead | null> = [];
        const first = await s.audit.append((h) => {
          heads.push(h);
          return nextEntry(h, { details: null, ip: null, request_id: null });
        });
        expect(first.seq).toBe(1);
        const second = await s.audit.append((h) => {
          heads.push(h);
          return nextEntry(h, { outcome: 'refused', details: { deep: { list: [1, 'two', null] } } });
        });
        expect(heads).toEqual([null, { seq: 1, hash: first.hash }]);
        expect(second.prev_hash).toBe(first.hash);
        expect(await s.audit.head()).toEqual({ seq: 2, hash: second.hash });
        expect(await s.audit.list()).toEqual([first, second]);
      });

      it('refuses an entry that does not extend the head, and stores nothing', async () => {
        const s = await fresh();
        await s.audit.append((h) => nextEntry(h));
        await expectCode(s.audit.append((h) => nextEntry(h, { seq: h!.seq + 2 })), 'ERR_AUDIT');
        await expectCode(s.audit.append((h) => nextEntry(h, { prev_hash: 'f'.repeat(64) })), 'ERR_AUDIT');
        expect(await s.audit.list()).toHaveLength(1);
      });

      it('a throwing build rejects and stores nothing', async () => {
        const s = await fresh();
        await expect(
          s.audit.append(() => {
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await s.audit.head()).toBeNull();
        // The store is still usable afterwards (no lock left behind).
        expect((await s.audit.append((h) => nextEntry(h))).seq).toBe(1);
      });

      it('serialises concurrent appends: contiguous seq, each build sees the previous head', async () => {
        const s = await fresh();
        const seen: Array<AuditHead | null> = [];
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            s.audit.append((h) => {
              seen.push(h);
              return nextEntry(h, { actor: `actor-${i}` });
            }),
          ),
        );
        expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        const all = await s.audit.list();
        expect(all).toHaveLength(40);
        verifyChain(all, null);
        // Every successful build saw exactly the entry stored before it.
        for (const e of all) {
          const prev = all.find((x) => x.seq === e.seq - 1);
          expect(seen).toContainEqual(prev ? { seq: prev.seq, hash: prev.hash } : null);
        }
      });

      it('a failing build among concurrent appends fails alone; the rest stay contiguous', async () => {
        const s = await fresh();
        const results = await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) =>
            s.audit.append((h) => {
              if (i % 7 === 3) throw new Error(`build ${i} failed`);
              if (i % 11 === 5) return nextEntry(h, { prev_hash: 'e'.repeat(64) }); // does not extend the head
              return nextEntry(h, { actor: `a-${i}` });
            }),
          ),
        );
        const failed = results.filter((r) => r.status === 'rejected');
        expect(failed).toHaveLength(4 + 3);
        const all = await s.audit.list();
        expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
        verifyChain(all, null);
      });

      it.runIf(!!opts.sibling)('keeps one chain across two instances appending at once', async () => {
        const a = await fresh();
        const b = await sibling(a);
        await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).audit.append((h) => nextEntry(h, { actor: `i-${i}` }))),
        );
        const all = await b.audit.list();
        expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        verifyChain(all, null);
        expect(await a.audit.head()).toEqual({ seq: 40, hash: all[39].hash });
      });

      it('lists after/limit in ascending order', async () => {
        const s = await fresh();
        for (let i = 0; i < 10; i++) await s.audit.append((h) => nextEntry(h));
        expect((await s.audit.list({ limit: 3 })).map((e) => e.seq)).toEqual([1, 2, 3]);
        expect((await s.audit.list({ after: 3, limit: 4 })).map((e) => e.seq)).toEqual([4, 5, 6, 7]);
        expect((await s.audit.list({ after: 8 })).map((e) => e.seq)).toEqual([9, 10]);
        expect(await s.audit.list({ after: 10 })).toEqual([]);
        expect(await s.audit.list({ limit: 0 })).toEqual([]);
      });

      it('returns copies', async () => {
        const s = await fresh();
        const stored = await s.audit.append((h) => nextEntry(h));
        (stored.details as Record<string, unknown>).injected = true;
        const [listed] = await s.audit.list();
        expect(listed.details).not.toHaveProperty('injected');
        (listed.details as Record<string, unknown>).injected = true;
        expect((await s.audit.list())[0].details).not.toHaveProperty('injected');
      });

      it('prunes old entries, records the checkpoint atomically, and keeps the newest', async () => {
        const s = await fresh();
        const day = (d: number) => new Date(Date.UTC(2025, 0, d)).toISOString();
        for (let d = 1; d <= 5; d++) await s.audit.append((h) => nextEntry(h, {}, day(d)));
        const before = await s.audit.list();
        expect(await s.audit.prune(day(1))).toBe(0);
        expect(await s.audit.checkpoint()).toBeNull();
        expect(await s.audit.prune(day(4))).toBe(3);
        expect(await s.audit.checkpoint()).toEqual({ seq: 3, hash: before[2].hash });
        expect((await s.audit.list()).map((e) => e.seq)).toEqual([4, 5]);
        verifyChain(await s.audit.list(), await s.audit.checkpoint());
        // Pruning everything still keeps the newest entry, and the head does not move.
        expect(await s.audit.prune(day(30))).toBe(1);
        expect(await s.audit.checkpoint()).toEqual({ seq: 4, hash: before[3].hash });
        expect(await s.audit.head()).toEqual({ seq: 5, hash: before[4].hash });
        expect((await s.audit.list()).map((e) => e.seq)).toEqual([5]);
        // Appending continues the chain from the head.
        const next = await s.audit.append((h) => nextEntry(h, {}, day(31)));
        expect(next).toMatchObject({ seq: 6, prev_hash: before[4].hash });
      });

      it('prune with an empty log does nothing', async () => {
        const s = await fresh();
        expect(await s.audit.prune(new Date().toISOString())).toBe(0);
        expect(await s.audit.checkpoint()).toBeNull();
      });
    });

    describe('events', () => {
      it('delivers published messages to subscribers until they unsubscribe', async () => {
        const s = await fresh();
        const channel = id('chan');
        const got: string[] = [];
        const other: string[] = [];
        const unsubscribe = await s.events.subscribe(channel, (m) => got.push(m));
        const unsubscribeOther = await s.events.subscribe(`${channel}-other`, (m) => other.push(m));
        await s.events.publish(channel, 'key.revoked:abc');
        await expect.poll(() => got, { timeout: 3000 }).toEqual(['key.revoked:abc']);
        await unsubscribe();
        await s.events.publish(channel, 'after');
        await s.events.publish(`${channel}-other`, 'other');
        await expect.poll(() => other, { timeout: 3000 }).toEqual(['other']);
        expect(got).toEqual(['key.revoked:abc']);
        await unsubscribeOther();
      });

      it('publishing with no subscriber is fine', async () => {
        const s = await fresh();
        await expect(s.events.publish(id('nobody'), 'x')).resolves.toBeUndefined();
      });

      it.runIf(!!opts.sibling)('reaches subscribers of the other instance', async () => {
        const a = await fresh();
        const b = await sibling(a);
        const channel = id('chan');
        const got: string[] = [];
        const unsubscribe = await b.events.subscribe(channel, (m) => got.push(m));
        await a.events.publish(channel, 'hello');
        await expect.poll(() => got, { timeout: 3000 }).toEqual(['hello']);
        await unsubscribe();
      });
    });

    it('rejects with ERR_STORE_UNAVAILABLE after close', async () => {
      const s = await makeStore();
      await s.close();
      await expectCode(s.ping(), 'ERR_STORE_UNAVAILABLE');
      await expectCode(s.kv.get('x'), 'ERR_STORE_UNAVAILABLE');
      await expectCode(s.audit.head(), 'ERR_STORE_UNAVAILABLE');
    });
  });
}
