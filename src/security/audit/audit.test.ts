import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import Database from '../../store/sqlite/driver.js';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../store/memory/index.js';
import { createSqliteStore } from '../../store/sqlite/index.js';
import type { AuditEntry, Store } from '../../store/types.js';
import { createAudit, GENESIS_HASH, hashEntry, type AuditInput } from './audit.js';
import { canonicalJson } from './canonical-json.js';

const dir = mkdtempSync(join(tmpdir(), 'webmcp-audit-'));
const toClose: Array<{ close(): unknown }> = [];
afterAll(async () => {
  for (const c of toClose.reverse()) await c.close();
  rmSync(dir, { recursive: true, force: true });
});

function sqlite(): { store: Store; db: BetterSqlite3.Database } {
  const file = join(dir, `a-${Math.random().toString(36).slice(2)}.db`);
  const store = createSqliteStore(file);
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  toClose.push(store, db);
  return { store, db };
}

const entry = (i: number, extra: Partial<AuditInput> = {}): AuditInput => ({
  actor: `key_${i}`,
  action: 'action.call',
  resource: `/webmcp/actions/login/LOGIN`,
  outcome: 'ok',
  ip: '203.0.113.9',
  request_id: `req-${i}`,
  details: { n: i, status: 200 },
  ...extra,
});

async function fill(audit: ReturnType<typeof createAudit>, n: number): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (let i = 1; i <= n; i++) out.push((await audit.append(entry(i)))!);
  return out;
}

describe('audit chain', () => {
  it('stores exactly the pinned fields, chained from the genesis hash', async () => {
    const audit = createAudit({}, createMemoryStore());
    const [first, second] = await fill(audit, 2);
    expect(Object.keys(first!).sort()).toEqual(
      ['action', 'actor', 'details', 'hash', 'ip', 'outcome', 'prev_hash', 'request_id', 'resource', 'seq', 'ts'].sort(),
    );
    expect(first).toMatchObject({ seq: 1, prev_hash: GENESIS_HASH, actor: 'key_1', outcome: 'ok', ip: '203.0.113.9', request_id: 'req-1' });
    expect(first!.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(second!.prev_hash).toBe(first!.hash);
    // The documented hash: SHA-256 hex over sorted-key canonical JSON of the entry minus `hash`.
    const { hash, ...rest } = second!;
    const expected = (await import('node:crypto')).createHash('sha256').update(canonicalJson(rest)).digest('hex');
    expect(hash).toBe(expected);
    expect(await audit.verify()).toEqual({ ok: true, entries: 2, head: { seq: 2, hash: second!.hash } });
  });

  it('serialises concurrent appends into one unbroken chain', async () => {
    const audit = createAudit({}, createMemoryStore());
    await Promise.all(Array.from({ length: 50 }, (_, i) => audit.append(entry(i))));
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 50 });
  });

  it('entries() pages in ascending seq and returns copies', async () => {
    const audit = createAudit({}, createMemoryStore());
    await fill(audit, 5);
    const page = await audit.entries({ limit: 2, after: 1 });
    expect(page.map((e) => e.seq)).toEqual([2, 3]);
    page[0]!.actor = 'mallory';
    (page[0]!.details as Record<string, unknown>).n = 999;
    const again = await audit.entries({ limit: 1, after: 1 });
    expect(again[0]!.actor).toBe('key_2');
    expect((again[0]!.details as Record<string, unknown>).n).toBe(2);
    const returned = (await audit.append(entry(6)))!;
    returned.hash = 'f'.repeat(64);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('validates input (developer misuse is a TypeError)', async () => {
    const audit = createAudit({}, createMemoryStore());
    await expect(audit.append({ ...entry(1), outcome: 'maybe' as 'ok' })).rejects.toThrow(TypeError);
    await expect(audit.append({ ...entry(1), action: 'Drop Table' })).rejects.toThrow(TypeError);
    await expect(audit.append({ ...entry(1), actor: '' })).rejects.toThrow(TypeError);
    await expect(audit.append({ ...entry(1), details: [] as unknown as Record<string, unknown> })).rejects.toThrow(TypeError);
  });
});

describe('audit tampering is detected with the right brokenAt (SQLite rows edited directly)', () => {
  async function setup(n = 6) {
    const { store, db } = sqlite();
    const audit = createAudit({}, store);
    const entries = await fill(audit, n);
    // A second auditor that did not write the log: it relies on the chain alone.
    const fresh = createAudit({}, store);
    return { db, audit, fresh, entries };
  }

  it('an edited field', async () => {
    const { db, audit, fresh } = await setup();
    db.prepare('UPDATE audit_log SET actor = ? WHERE seq = 3').run('someone-else');
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 3, entries: 2, head: { seq: 2 } });
    expect(await fresh.verify()).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('edited details JSON, including into something undecodable', async () => {
    const { db, fresh } = await setup();
    db.prepare('UPDATE audit_log SET details = ? WHERE seq = 4').run('{"n":4,"status":500}');
    expect(await fresh.verify()).toMatchObject({ ok: false, brokenAt: 4 });
    db.prepare('UPDATE audit_log SET details = ? WHERE seq = 2').run('{not json');
    expect(await fresh.verify()).toMatchObject({ ok: false, brokenAt: 2, entries: 1 });
  });

  it('a deleted entry (middle and first)', async () => {
    const { db, fresh } = await setup();
    db.prepare('DELETE FROM audit_log WHERE seq = 4').run();
    expect(await fresh.verify()).toMatchObject({ ok: false, brokenAt: 4, entries: 3 });
    db.prepare('DELETE FROM audit_log WHERE seq = 1').run();
    expect(await fresh.verify()).toMatchObject({ ok: false, brokenAt: 1, entries: 0 });
  });

  it('deleted entries at the tail (caught by the writer, which remembers its head)', async () => {
    const { db, audit } = await setup();
    db.prepare('DELETE FROM audit_log WHERE seq >= 5').run();
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 5, entries: 4 });
  });

  it('reordered entries', async () => {
    const { db, fresh } = await setup();
    // Swap the contents of rows 3 and 4, each row keeping its seq: the order of events changed.
    const cols = ['ts', 'actor', 'action', 'resource', 'outcome', 'ip', 'request_id', 'details', 'prev_hash', 'hash'];
    const get = db.prepare(`SELECT ${cols.join(', ')} FROM audit_log WHERE seq = ?`);
    const a = get.get(3) as Record<string, unknown>;
    const b = get.get(4) as Record<string, unknown>;
    const set = db.prepare(`UPDATE audit_log SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE seq = @seq`);
    db.transaction(() => {
      set.run({ ...b, seq: 3 });
      set.run({ ...a, seq: 4 });
    })();
    expect(await fresh.verify()).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('a rewritten entry with a recomputed hash', async () => {
    const { db, fresh, audit } = await setup();
    const row = (await fresh.entries({ after: 2, limit: 1 }))[0]!;
    const forged = { ...row, details: { n: 3, status: 200, approved_by: 'mallory' } };
    forged.hash = hashEntry(forged);
    db.prepare('UPDATE audit_log SET details = ?, hash = ? WHERE seq = 3').run(JSON.stringify(forged.details), forged.hash);
    // Entry 3 is self-consistent now, but entry 4's prev_hash still commits to the original.
    expect(await fresh.verify()).toMatchObject({ ok: false, brokenAt: 3, entries: 2 });
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('a rewritten, re-hashed last entry (caught by the writer)', async () => {
    const { db, audit } = await setup();
    const row = (await audit.entries({ after: 5, limit: 1 }))[0]!;
    const forged = { ...row, outcome: 'refused' as const };
    forged.hash = hashEntry(forged);
    db.prepare('UPDATE audit_log SET outcome = ?, hash = ? WHERE seq = 6').run('refused', forged.hash);
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 6 });
  });

  it('a forged hash on an otherwise untouched entry', async () => {
    const { db, fresh } = await setup();
    db.prepare('UPDATE audit_log SET hash = ? WHERE seq = 2').run('a'.repeat(64));
    expect(await fresh.verify()).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('verify() never throws on random single-row mutations (fast-check)', async () => {
    const { store, db } = sqlite();
    const writer = createAudit({}, store);
    await fill(writer, 5);
    const pristine = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Record<string, unknown>[];
    const restore = db.transaction(() => {
      db.prepare('DELETE FROM audit_log').run();
      const ins = db.prepare(`INSERT INTO audit_log (${Object.keys(pristine[0]!).join(', ')}) VALUES (${Object.keys(pristine[0]!).map((k) => `@${k}`).join(', ')})`);
      for (const r of pristine) ins.run(r);
    });
    const column = fc.constantFrom('ts', 'actor', 'action', 'resource', 'outcome', 'ip', 'request_id', 'details', 'prev_hash', 'hash');
    const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.json(), fc.constant(null));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), column, value, async (seq, col, v) => {
        restore();
        try {
          db.prepare(`UPDATE audit_log SET ${col} = ? WHERE seq = ?`).run(v, seq);
        } catch {
          return; // a NOT NULL constraint refused the mutation: nothing to verify
        }
        const changed = JSON.stringify(db.prepare('SELECT * FROM audit_log WHERE seq = ?').get(seq)) !== JSON.stringify(pristine[seq - 1]);
        const reader = createAudit({}, store);
        const result = await reader.verify();
        if (changed && col !== 'details') expect(result).toMatchObject({ ok: false, brokenAt: seq });
        if (changed && col === 'details') {
          // Re-encoding the same JSON differently (whitespace, key order) changes nothing hashed.
          const same = (() => {
            try {
              return canonicalJson(JSON.parse(String(v))) === canonicalJson(JSON.parse(String(pristine[seq - 1]!.details)));
            } catch {
              return false; // not JSON at all
            }
          })();
          expect(result.ok).toBe(same);
          if (!same) expect(result.brokenAt).toBe(seq);
        }
      }),
      { numRuns: 150 },
    );
    restore();
  });
});

describe('audit redaction', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJrZXlfMSIsInNjb3BlIjoid2VibWNwOnJlYWQifQ.c2lnbmF0dXJlLXZhbHVlLWhlcmUtMTIzNDU2';
  const jwe = 'eyJhbGciOiJFQ0RILUVTK0EyNTZLVyIsImVuYyI6IkEyNTZHQ00ifQ.ZW5jcnlwdGVkLWtleQ.aXYtMTIzNDU2Nzg5.Y2lwaGVydGV4dC1ib2R5.dGFnLXZhbHVlLTEyMzQ1Ng';
  const apiKey = 'wmk_q3Zt9LmKp0aXv2Ne.R8mZk2pQ7vXy4LnT0sBc6dWe9HjKa1Uq5GfIo3YrXw';
  const digitless = 'RmZkpQvXyLnTsBcdWeHjKaUqGfIoYrXwAbCdEfGhIjK';
  const secrets = ['hunter2-correct-horse', '4111 1111 1111 1111', '123-45-6789', '4242', '987654', jwt, jwe, apiKey, digitless, apiKey.split('.')[1]!];

  it('never stores sensitive values: not at any depth, not in arrays, not under innocent keys', async () => {
    const store = createMemoryStore();
    const audit = createAudit({ sensitiveFields: ['mothersMaidenName', 'ssn'] }, store);
    await audit.append({
      actor: 'key_1',
      action: 'action.call',
      resource: `/webmcp/actions/login/LOGIN?token=${jwt}`,
      outcome: 'ok',
      details: {
        params: { EMAIL: 'a@example.com', PASSWORD: 'hunter2-correct-horse', 'Card-Number': '4111 1111 1111 1111', CVV: 123 },
        nested: [{ deeper: [{ ssn: '123-45-6789', user_pin: '1', pin: '4242', OTP: '987654' }] }],
        headers: { Authorization: `Bearer ${jwt}`, 'X-API-Key': apiKey, Cookie: 'webmcp-session=abc' },
        note: `forwarded ${jwe} and ${apiKey} in free text`,
        list: [jwt, 'plain', `refresh ${digitless}`],
        basic: `wmk_q3Zt9LmKp0aXv2Ne:${apiKey.split('.')[1]}`,
        mothers_maiden_name: 'Smith',
        card: { number: '4111111111111111' },
      },
    });
    const serialized = JSON.stringify(await store.audit.list({}));
    for (const s of [...secrets, 'Smith', '4111111111111111', 'webmcp-session=abc']) expect(serialized).not.toContain(s);
    expect(serialized).toContain('a@example.com');
    expect(serialized).toContain('plain');
    expect(serialized).toContain('wmk_q3Zt9LmKp0aXv2Ne'); // the key id stays readable
    expect(serialized).toContain('[REDACTED]');
    expect((await audit.verify()).ok).toBe(true);
  });

  it('redacts case- and separator-insensitively, keeps harmless look-alikes', () => {
    const { redactor } = createAudit({}, createMemoryStore());
    const out = redactor.redact({
      Pass_Word: 'x', 'refresh-token': 'y', RefreshToken: 'z', API_KEY: 'k', keyId: 'kid-1', spinner: 'on', pinned: true,
      monkey: 'banana', jti: '7d9c3c0e-4a57-4f4e-9a35-0f2f1f3c9b11', hash: 'a'.repeat(64),
    });
    expect(out).toEqual({
      Pass_Word: '[REDACTED]', 'refresh-token': '[REDACTED]', RefreshToken: '[REDACTED]', API_KEY: '[REDACTED]', keyId: 'kid-1',
      spinner: 'on', pinned: true, monkey: 'banana', jti: '7d9c3c0e-4a57-4f4e-9a35-0f2f1f3c9b11', hash: 'a'.repeat(64),
    });
  });

  it('keeps request ids whole: a UUID whose digit groups pass the Luhn check is not a card number', async () => {
    const store = createMemoryStore();
    const audit = createAudit({}, store);
    // Found in CI: 9860418580604498 passes Luhn, and a card pattern with plain \b boundaries redacted it.
    const id = '98604185-8060-4498-ae56-19a0efab3980';
    expect(audit.redactor.redactString(id)).toBe(id);
    const entry = await audit.append({ actor: 'a', action: 'action.call', resource: '/x', outcome: 'ok', request_id: id, details: { note: `see ${id}` } });
    expect(entry?.request_id).toBe(id);
    expect(entry?.details).toEqual({ note: `see ${id}` });
    // Real card numbers standing alone, in any grouping, are still redacted.
    for (const card of ['4111 1111 1111 1111', '4111-1111-1111-1111', '4111111111111111', '(4111111111111111)']) {
      expect(audit.redactor.redactString(`card ${card}.`), card).not.toContain('4111');
    }
  });

  it('survives cycles, deep nesting, odd types', () => {
    const { redactor } = createAudit({}, createMemoryStore());
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { v: 'bottom' };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const out = redactor.redact({ cyclic, deep, big: 10n, when: new Date(0), fn: () => 1, nan: NaN, bytes: new Uint8Array(4) }) as Record<string, unknown>;
    expect((out.cyclic as Record<string, unknown>).self).toBe('[Circular]');
    expect(JSON.stringify(out.deep)).toContain('[TRUNCATED]');
    expect(out).toMatchObject({ big: '10', when: '1970-01-01T00:00:00.000Z', nan: null, bytes: '[REDACTED]' });
    expect('fn' in out).toBe(false);
  });
});

describe('audit logLevel, enabled and retention', () => {
  it('records by level: warn keeps refusals, errors and admin changes', async () => {
    const store = createMemoryStore();
    const audit = createAudit({ logLevel: 'warn' }, store);
    expect(await audit.append(entry(1))).toBeNull();
    expect(await audit.append(entry(2, { action: 'auth.refused', outcome: 'refused' }))).not.toBeNull();
    expect(await audit.append(entry(3, { action: 'key.create' }))).not.toBeNull();
    expect(await audit.append(entry(4, { outcome: 'error' }))).not.toBeNull();
    const errorsOnly = createAudit({ logLevel: 'error' }, store);
    expect(await errorsOnly.append(entry(5, { action: 'auth.refused', outcome: 'refused' }))).toBeNull();
    expect(await createAudit({ enabled: false }, store).append(entry(6, { outcome: 'error' }))).toBeNull();
    expect((await store.audit.list({})).map((e) => e.action)).toEqual(['auth.refused', 'key.create', 'action.call']);
  });

  it('prunes past the retention period behind a checkpoint, and the rest still verifies', async () => {
    let t = Date.parse('2025-01-01T00:00:00Z');
    const store = createMemoryStore({ now: () => t });
    const audit = createAudit({ retention: 30 }, store, { now: () => t });
    await fill(audit, 3);
    t += 40 * 86_400_000;
    await audit.append(entry(4)); // >1 h since the last prune: prunes the three old entries
    expect((await store.audit.list({})).map((e) => e.seq)).toEqual([4]);
    expect(await store.audit.checkpoint()).toMatchObject({ seq: 3 });
    await audit.append(entry(5));
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 2, head: { seq: 5 } });
    expect(await createAudit({}, store).verify()).toMatchObject({ ok: true, entries: 2 });
  });
});
