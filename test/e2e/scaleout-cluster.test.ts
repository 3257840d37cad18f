/**
 * Two `webmcp serve` processes on one config with `store: { redis, postgres }` (issue 6): tokens,
 * revocations and key revocations cross instances, one rate-limit budget, one audit chain, and no
 * acknowledged audit entry lost when an instance is killed with SIGKILL in the middle of a burst.
 * The Redis and PostgreSQL of the run are shared (this file has its own database and key prefix);
 * the outage suite, which stops its servers, starts its own.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, uniqueName } from '../setup/services.js';
import {
  allAuditEntries, bearer, failureLog, encryptFor, expectOneChain, form, loggedCalls, pollUntil, runPool, startCluster, statusOf, subscribe,
  verifyOver, type Cluster, type Gateway,
} from './cluster.js';
import { startUpstream, type Upstream } from './gateway-harness.js';

let upstream: Upstream;
let dbUrl: string;
const measured: Record<string, number> = {};

/** A store spec of its own: a PostgreSQL schema and a Redis key prefix nobody else uses. */
function isolatedStore(): { redis: string; postgres: string } {
  const name = uniqueName('so');
  return { redis: `${inject('redisUrl')}?keyPrefix=${name}:`, postgres: `${dbUrl}?schema=${name}` };
}

beforeAll(async () => {
  upstream = await startUpstream();
  dbUrl = await createDatabase(inject('pgUrl'), uniqueName('scaleout'));
});

afterAll(async () => {
  await upstream?.close();
  // What the run measured (docs/deploy.md records typical values).
  if (Object.keys(measured).length > 0) console.info(`scaleout measured (ms, counts): ${JSON.stringify(measured)}`);
});

describe('two instances on Redis + PostgreSQL', () => {
  let cluster: Cluster;
  let adminToken: string;
  let agentKey: { id: string; key: string };
  const A = () => cluster.nodes[0]!;
  const B = () => cluster.nodes[1]!;

  beforeAll(async () => {
    // A budget the bursts below never reach (the per-IP budget is shared by every request here).
    const security = { rateLimit: { windowMs: 60_000, maxRequests: 100_000 } };
    cluster = await startCluster({ instances: 2, store: isolatedStore(), upstream, security });
    const [admin, agent] = await Promise.all([cluster.createKey('admin'), cluster.createKey('agent')]);
    agentKey = agent;
    adminToken = (await A().token(admin.key)).access_token;
  }, 90_000);

  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('a token from A works on B; a field encrypted to A\'s key decrypts on B; a refresh token rotated on B is spent on A', async () => {
    expect(A().url).not.toBe(B().url);
    const tokens = await A().token(agentKey.key);
    expect(await statusOf(B(), '/webmcp/pages', tokens.access_token)).toBe(200);

    const [jwksA, jwksB] = await Promise.all([A().fetch('/.well-known/jwks.json'), B().fetch('/.well-known/jwks.json')]);
    expect(await jwksB.json()).toEqual(await jwksA.json());

    const before = upstream.requests.length;
    const res = await B().fetch('/webmcp/actions/login/LOG_IN', {
      method: 'POST',
      headers: { ...bearer(tokens.access_token), 'content-type': 'application/json' },
      body: JSON.stringify({ EMAIL: 'ann@example.com', PASSWORD: await encryptFor(A(), 'correct horse battery') }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: number }).status).toBe(200);
    const forwarded = upstream.requests.slice(before).find((r) => r.url === '/session');
    expect(new URLSearchParams(forwarded!.body).get('password')).toBe('correct horse battery');

    const rotated = await B().fetch('/webmcp/token', form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }));
    expect(rotated.status).toBe(200);
    const next = (await rotated.json()) as { refresh_token: string };
    // Presenting the spent token on the other instance is reuse: refused, and the family dies.
    const reused = await A().fetch('/webmcp/token', form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }));
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as { error: string }).error).toBe('invalid_grant');
    const afterReuse = await B().fetch('/webmcp/token', form({ grant_type: 'refresh_token', refresh_token: next.refresh_token }));
    expect(afterReuse.status).toBe(400);
  });

  it('a browser session opened on A, with a CSRF token from B, acts on A; ending it on B ends it on A (no sticky sessions)', async () => {
    const { access_token } = await A().token(agentKey.key);
    const opened = await A().fetch('/webmcp/session', { method: 'POST', headers: bearer(access_token) });
    expect(opened.status).toBe(204);
    const cookie = opened.headers.getSetCookie().find((c) => c.startsWith('webmcp-session='))!.split(';')[0]!;
    const csrfRes = await B().fetch('/webmcp/csrf', { headers: { cookie } });
    expect(csrfRes.status).toBe(200);
    const csrf = ((await csrfRes.json()) as { token: string }).token;
    const act = (gw: Gateway, headers: Record<string, string>) =>
      gw.fetch('/webmcp/actions/login/SUBSCRIBE', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ TOPIC: 'b' }),
      });
    expect((await act(A(), { 'x-csrf-token': csrf })).status).toBe(200);
    // Without the token the cookie alone is refused on either instance.
    expect((await act(B(), {})).status).toBe(403);
    const ended = await B().fetch('/webmcp/session', { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    expect(ended.status).toBe(204);
    expect((await A().fetch('/webmcp/pages', { headers: { cookie } })).status).toBe(401);
  });

  it('a token revoked on A is refused on B within 1 s', async () => {
    const { access_token } = await A().token(agentKey.key);
    // B has verified (and cached) the token before it is revoked.
    expect(await statusOf(B(), '/webmcp/pages', access_token)).toBe(200);
    const revoked = await A().fetch('/webmcp/revoke', form({ token: access_token }, bearer(access_token)));
    expect(revoked.status).toBe(200);
    const { ms } = await pollUntil('B refuses the revoked token', 3000, async () =>
      (await statusOf(B(), '/webmcp/pages', access_token)) === 401 ? true : undefined,
    );
    measured.tokenRevokeAtoB = Math.round(ms);
    expect(ms).toBeLessThan(1000);
    expect(await statusOf(A(), '/webmcp/pages', access_token)).toBe(401);
  });

  it('`webmcp keys revoke` on the shared config refuses the key on both instances within 1 s', async () => {
    const doomed = await cluster.createKey('agent');
    const [onA, onB] = await Promise.all([A().token(doomed.key), B().token(doomed.key)]);
    // Both instances know the key as live (their short key-status caches are warm).
    expect(await statusOf(A(), '/webmcp/pages', onA.access_token)).toBe(200);
    expect(await statusOf(B(), '/webmcp/pages', onB.access_token)).toBe(200);
    expect(await statusOf(B(), '/webmcp/pages', onA.access_token)).toBe(200);

    const cli = await cluster.cli(['keys', 'revoke', doomed.id]);
    expect(cli.code).toBe(0);
    const refused = async (gw: Gateway, token: string) =>
      (await pollUntil('key revocation', 3000, async () => ((await statusOf(gw, '/webmcp/pages', token)) === 401 ? true : undefined))).ms;
    const [msA, msB] = await Promise.all([refused(A(), onA.access_token), refused(B(), onB.access_token)]);
    measured.cliKeyRevokeA = Math.round(msA);
    measured.cliKeyRevokeB = Math.round(msB);
    expect(msA).toBeLessThan(1000);
    expect(msB).toBeLessThan(1000);
    for (const gw of [A(), B()]) {
      const again = await gw.fetch('/webmcp/token', form({ grant_type: 'client_credentials' }, { 'x-api-key': doomed.key }));
      expect(again.status).toBe(401);
      await again.arrayBuffer();
    }
  });

  it('`webmcp keys rotate`: the new secret works on both instances and the old one is refused on both within 1 s', async () => {
    const rotating = await cluster.createKey('agent');
    await Promise.all([A().token(rotating.key), B().token(rotating.key)]);
    const cli = await cluster.cli(['keys', 'rotate', rotating.id, '--json']);
    expect(cli.code).toBe(0);
    const fresh = (JSON.parse(cli.stdout) as { key: string }).key;
    expect(fresh).not.toBe(rotating.key);
    const tokenStatus = async (gw: Gateway, key: string) => {
      const res = await gw.fetch('/webmcp/token', form({ grant_type: 'client_credentials' }, { 'x-api-key': key }));
      await res.arrayBuffer();
      return res.status;
    };
    const { ms } = await pollUntil('the old secret is refused on both', 3000, async () =>
      (await tokenStatus(A(), rotating.key)) === 401 && (await tokenStatus(B(), rotating.key)) === 401 ? true : undefined,
    );
    measured.cliKeyRotate = Math.round(ms);
    expect(ms).toBeLessThan(1000);
    expect(await tokenStatus(A(), fresh)).toBe(200);
    expect(await tokenStatus(B(), fresh)).toBe(200);
  });

  it('audit entries written concurrently by both instances form one chain that verifies', async () => {
    const { access_token } = await A().token(agentKey.key);
    // 16 in flight, alternating instances, so both append to the chain at the same time.
    const calls = await runPool(60, 16, (i) => subscribe(i % 2 === 0 ? A() : B(), access_token));
    expect(calls.map((c) => c.status), failureLog(cluster.nodes)).toEqual(Array(60).fill(200));

    const entries = await allAuditEntries(B(), adminToken);
    expectOneChain(entries);
    const logged = loggedCalls(entries);
    for (const c of calls) expect(logged.has(c.requestId)).toBe(true);

    const [viaA, viaB] = await Promise.all([verifyOver(A(), adminToken), verifyOver(B(), adminToken)]);
    expect(viaA).toMatchObject({ ok: true });
    expect(viaB.ok).toBe(true);
    expect(viaA.entries).toBeGreaterThanOrEqual(entries.length);
    const cli = await cluster.cli(['audit', 'verify', '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true });
  });

  it('kill -9 of A during a burst of 200 actions loses no acknowledged audit entry; the chain still verifies', async () => {
    const { access_token } = await A().token(agentKey.key);
    const gateways = [A(), B()];
    let ackedOnA = 0;
    let killed: Promise<void> | null = null;
    const results = await runPool(200, 16, async (i) => {
      const target = i % 2;
      try {
        const r = await subscribe(gateways[target]!, access_token);
        if (target === 0 && r.status === 200 && ++ackedOnA === 30) killed ??= cluster.kill(0);
        return { target, ...r };
      } catch {
        // The connection died with the process: nothing was acknowledged.
        return { target, status: 0, requestId: null };
      }
    });
    await killed;
    expect(killed).not.toBeNull();

    const acked = results.filter((r) => r.status === 200);
    const lost = results.filter((r) => r.target === 0 && r.status === 0);
    measured.burstAckedOnA = acked.filter((r) => r.target === 0).length;
    measured.burstAckedOnB = acked.filter((r) => r.target === 1).length;
    measured.burstDeadOnA = lost.length;
    // The kill really fell inside the burst: A acknowledged some, then refused connections.
    expect(acked.filter((r) => r.target === 0).length).toBeGreaterThanOrEqual(30);
    expect(lost.length).toBeGreaterThan(0);
    // Nothing else but 200 (acknowledged) or a dead connection.
    expect(results.every((r) => r.status === 200 || r.status === 0), failureLog(cluster.nodes)).toBe(true);

    const entries = await allAuditEntries(B(), adminToken);
    const logged = loggedCalls(entries);
    const missing = acked.filter((r) => !logged.has(r.requestId));
    expect(missing).toEqual([]);
    expect(await verifyOver(B(), adminToken)).toMatchObject({ ok: true, entries: entries.length });

    // A comes back on the same config and keeps extending the one chain.
    const restarted = await cluster.restart(0);
    const after = await subscribe(restarted, access_token);
    expect(after.status).toBe(200);
    const verified = await verifyOver(restarted, adminToken);
    expect(verified.ok).toBe(true);
    expect(verified.entries).toBeGreaterThan(entries.length);
    const cli = await cluster.cli(['audit', 'verify']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/audit chain intact/);
  });
});

describe('one rate-limit budget across instances', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({
      instances: 2,
      store: isolatedStore(),
      upstream,
      security: { rateLimit: { windowMs: 60_000, maxRequests: 50 } },
    });
  }, 90_000);

  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('120 concurrent requests spread over A and B against maxRequests 50 give exactly 50 successes', async () => {
    const key = await cluster.createKey('agent');
    const { access_token } = await cluster.nodes[0]!.token(key.key);
    const statuses = await Promise.all(
      Array.from({ length: 120 }, (_, i) => statusOf(cluster.nodes[i % 2]!, '/webmcp/pages', access_token)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(70);
    // The budget stays spent on both.
    expect(await statusOf(cluster.nodes[0]!, '/webmcp/pages', access_token)).toBe(429);
    expect(await statusOf(cluster.nodes[1]!, '/webmcp/pages', access_token)).toBe(429);
  });
});
