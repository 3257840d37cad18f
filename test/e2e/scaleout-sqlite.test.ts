/**
 * The scale-out suite's single-instance half against the embedded SQLite store (issue 6): token
 * revocation and `webmcp keys revoke` within 1 s, an exact rate limit under concurrency, an audit
 * chain that verifies over HTTP and with the CLI while the gateway runs, and no acknowledged audit
 * entry lost when the gateway is killed with SIGKILL in the middle of a burst of 200 actions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allAuditEntries, bearer, expectOneChain, failureLog, form, loggedCalls, pollUntil, runPool, startCluster, statusOf, subscribe, verifyOver,
  type Cluster,
} from './cluster.js';
import { startUpstream, type Upstream } from './gateway-harness.js';

const SQLITE = 'sqlite:./data/webmcp.db';
let upstream: Upstream;
const measured: Record<string, number> = {};

beforeAll(async () => {
  upstream = await startUpstream();
});

afterAll(async () => {
  await upstream?.close();
  if (Object.keys(measured).length > 0) console.info(`scaleout sqlite measured (ms, counts): ${JSON.stringify(measured)}`);
});

describe('one instance on SQLite', () => {
  let cluster: Cluster;
  let adminToken: string;
  let agentKey: string;
  const gw = () => cluster.nodes[0]!;

  beforeAll(async () => {
    // A budget the bursts below never reach (every request here comes from 127.0.0.1).
    const security = { rateLimit: { windowMs: 60_000, maxRequests: 100_000 } };
    cluster = await startCluster({ instances: 1, store: SQLITE, upstream, security });
    const [admin, agent] = await Promise.all([cluster.createKey('admin'), cluster.createKey('agent')]);
    agentKey = agent.key;
    adminToken = (await gw().token(admin.key)).access_token;
  }, 90_000);

  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('a revoked token is refused within 1 s', async () => {
    const { access_token } = await gw().token(agentKey);
    expect(await statusOf(gw(), '/webmcp/pages', access_token)).toBe(200);
    expect((await gw().fetch('/webmcp/revoke', form({ token: access_token }, bearer(access_token)))).status).toBe(200);
    const { ms } = await pollUntil('the revoked token is refused', 3000, async () =>
      (await statusOf(gw(), '/webmcp/pages', access_token)) === 401 ? true : undefined,
    );
    measured.tokenRevoke = Math.round(ms);
    expect(ms).toBeLessThan(1000);
  });

  it('`webmcp keys revoke` against the running gateway\'s file refuses the key within 1 s', async () => {
    const doomed = await cluster.createKey('agent');
    const { access_token } = await gw().token(doomed.key);
    expect(await statusOf(gw(), '/webmcp/pages', access_token)).toBe(200);
    const cli = await cluster.cli(['keys', 'revoke', doomed.id]);
    expect(cli.code).toBe(0);
    const { ms } = await pollUntil('the revoked key is refused', 3000, async () =>
      (await statusOf(gw(), '/webmcp/pages', access_token)) === 401 ? true : undefined,
    );
    measured.cliKeyRevoke = Math.round(ms);
    expect(ms).toBeLessThan(1000);
    const again = await gw().fetch('/webmcp/token', form({ grant_type: 'client_credentials' }, { 'x-api-key': doomed.key }));
    expect(again.status).toBe(401);
  });

  it('concurrent actions form one chain that verifies over HTTP and with the CLI while the gateway runs', async () => {
    const { access_token } = await gw().token(agentKey);
    const calls = await runPool(60, 16, () => subscribe(gw(), access_token));
    expect(calls.map((c) => c.status), failureLog(cluster.nodes)).toEqual(Array(60).fill(200));
    const entries = await allAuditEntries(gw(), adminToken);
    expectOneChain(entries);
    const logged = loggedCalls(entries);
    for (const c of calls) expect(logged.has(c.requestId)).toBe(true);
    expect(await verifyOver(gw(), adminToken)).toMatchObject({ ok: true });
    const cli = await cluster.cli(['audit', 'verify', '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true });
  });

  it('kill -9 during a burst of 200 actions loses no acknowledged audit entry; the chain verifies after a restart', async () => {
    const { access_token } = await gw().token(agentKey);
    const target = gw();
    let acked = 0;
    let killed: Promise<void> | null = null;
    const results = await runPool(200, 16, async () => {
      try {
        const r = await subscribe(target, access_token);
        if (r.status === 200 && ++acked === 60) killed ??= cluster.kill(0);
        return r;
      } catch {
        // The connection died with the process: nothing was acknowledged.
        return { status: 0, requestId: null };
      }
    });
    await killed;
    const ok = results.filter((r) => r.status === 200);
    measured.burstAcked = ok.length;
    measured.burstDead = results.filter((r) => r.status === 0).length;
    expect(ok.length).toBeGreaterThanOrEqual(60);
    expect(results.filter((r) => r.status === 0).length).toBeGreaterThan(0);
    expect(results.every((r) => r.status === 200 || r.status === 0), failureLog(cluster.nodes)).toBe(true);

    // Before any restart: the CLI opens the file the killed process left (WAL and all).
    const cold = await cluster.cli(['audit', 'verify', '--json']);
    expect(cold.code).toBe(0);
    expect(JSON.parse(cold.stdout)).toMatchObject({ ok: true });

    const restarted = await cluster.restart(0);
    const entries = await allAuditEntries(restarted, adminToken);
    const logged = loggedCalls(entries);
    expect(ok.filter((r) => !logged.has(r.requestId))).toEqual([]);
    expect((await subscribe(restarted, access_token)).status).toBe(200);
    const verified = await verifyOver(restarted, adminToken);
    expect(verified.ok).toBe(true);
    expect(verified.entries).toBeGreaterThan(entries.length);
  });
});

describe('rate limit on SQLite', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ instances: 1, store: SQLITE, upstream, security: { rateLimit: { windowMs: 60_000, maxRequests: 50 } } });
  }, 90_000);

  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('120 concurrent requests against maxRequests 50 give exactly 50 successes', async () => {
    const key = await cluster.createKey('agent');
    const { access_token } = await cluster.nodes[0]!.token(key.key);
    const statuses = await Promise.all(Array.from({ length: 120 }, () => statusOf(cluster.nodes[0]!, '/webmcp/pages', access_token)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(70);
  });
});
