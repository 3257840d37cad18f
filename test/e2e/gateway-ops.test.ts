/**
 * Operations against `webmcp serve`: exact rate limits under concurrency, the audit chain and
 * `webmcp audit verify` after tampering with SQLite, graceful shutdown.
 */
import Database from '../../src/store/sqlite/driver.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, startUpstream, type Gateway, type Upstream } from './gateway-harness.js';

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream?.close();
});

describe('rate limits', () => {
  let gw: Gateway;
  afterAll(async () => gw?.cleanup());

  it('gives exactly 50 successes for 120 concurrent requests against maxRequests 50', async () => {
    gw = await startGateway({ upstream, security: { rateLimit: { windowMs: 60_000, maxRequests: 50 } } });
    const key = await gw.createKey('agent');
    const { access_token } = await gw.token(key.key);
    const responses = await Promise.all(
      Array.from({ length: 120 }, () => gw.fetch('/webmcp/pages', { headers: { authorization: `Bearer ${access_token}` } })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(70);
    const refused = responses.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-policy')).toMatch(/q=50;w=60/);
    expect(refused.headers.get('ratelimit')).toMatch(/r=0;t=\d+/);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    await Promise.all(responses.map((r) => r.arrayBuffer()));

    // The token endpoint has its own per-IP budget, so a fresh token is still available...
    const admin = await gw.createKey('admin');
    const adminTokens = await gw.token(admin.key);
    // ...but the IP's budget for protected endpoints is spent, whatever the key.
    expect((await gw.fetch('/webmcp/audit', { headers: { authorization: `Bearer ${adminTokens.access_token}` } })).status).toBe(429);

    // Guessing API keys spends the token endpoint's per-IP budget (2 of 50 used above), failures
    // included; once spent, even the right key waits.
    const [id] = key.key.split('.') as [string];
    const guesses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        gw.fetch('/webmcp/token', {
          method: 'POST',
          headers: { 'x-api-key': `${id}.guess${i}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        }),
      ),
    );
    const guessed = guesses.map((r) => r.status);
    expect(guessed.filter((s) => s === 401)).toHaveLength(48);
    expect(guessed.filter((s) => s === 429)).toHaveLength(12);
    await Promise.all(guesses.map((r) => r.arrayBuffer()));
    const late = await gw.fetch('/webmcp/token', {
      method: 'POST',
      headers: { 'x-api-key': key.key, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(late.status).toBe(429);
  });
});

describe('audit chain', () => {
  it('`webmcp audit verify` exits 0 on an intact chain and 1 after the SQLite table is tampered with', async () => {
    const gw = await startGateway({ upstream });
    try {
      const key = await gw.createKey('agent');
      await gw.token(key.key);
      for (let i = 0; i < 3; i++) await gw.fetch('/webmcp/pages', { headers: { authorization: 'Bearer nope' } });
      const intact = await gw.cli(['audit', 'verify']);
      expect(intact.code).toBe(0);
      expect(intact.stdout).toMatch(/intact: \d+ entries/);
      await gw.stop();

      const db = new Database(join(gw.dir, 'data/webmcp.db'));
      const victim = db.prepare("SELECT seq FROM audit_log WHERE action = 'token.issue' LIMIT 1").get() as { seq: number };
      db.prepare("UPDATE audit_log SET outcome = 'refused' WHERE seq = ?").run(victim.seq);
      db.close();
      const broken = await gw.cli(['audit', 'verify']);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(`BROKEN at entry ${victim.seq}`);
      const asJson = await gw.cli(['audit', 'verify', '--json']);
      expect(JSON.parse(asJson.stdout)).toMatchObject({ ok: false, brokenAt: victim.seq });

      // Deleting an entry in the middle is caught too.
      const db2 = new Database(join(gw.dir, 'data/webmcp.db'));
      db2.prepare("UPDATE audit_log SET outcome = 'ok' WHERE seq = ?").run(victim.seq);
      db2.prepare('DELETE FROM audit_log WHERE seq = ?').run(victim.seq + 1);
      db2.close();
      expect((await gw.cli(['audit', 'verify'])).code).toBe(1);
    } finally {
      await gw.cleanup();
    }
  });
});

describe('lifecycle', () => {
  it('answers /readyz, drains an in-flight action on SIGTERM and exits 0', async () => {
    const gw = await startGateway({ upstream });
    try {
      expect((await gw.fetch('/readyz')).status).toBe(200);
      const key = await gw.createKey('agent');
      const { access_token } = await gw.token(key.key);
      upstream.delayMs = 800;
      const before = upstream.requests.length;
      const inFlight = gw.fetch('/webmcp/actions/login/SUBSCRIBE', {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ TOPIC: 'a' }),
      });
      // SIGTERM once the upstream holds the request: the gateway must finish it before exiting.
      while (upstream.requests.length === before) await new Promise((r) => setTimeout(r, 20));
      const exit = gw.stop();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: number }).status).toBe(200);
      expect(await exit).toBe(0);
      expect(gw.stdout()).toContain('webmcp: stopped');
    } finally {
      upstream.delayMs = 0;
      await gw.cleanup();
    }
  });
});
