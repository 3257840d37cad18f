/**
 * Two `webmcp serve` processes on Redis + PostgreSQL while one of those servers is stopped and
 * started again (issue 6): `/readyz` fails, protected calls answer 503 problem+json within 1 s and
 * never 2xx (nothing reaches the upstream), and both gateways recover by themselves within 5 s of
 * the server's return, without a restart. This file starts its own Redis and PostgreSQL, since it
 * stops them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, startRedis, type PostgresService, type RedisService } from '../setup/services.js';
import { bearer, form, pollUntil, startCluster, statusOf, subscribe, verifyOver, type Cluster, type Gateway } from './cluster.js';
import { startUpstream, type Upstream } from './gateway-harness.js';

let redis: RedisService;
let postgres: PostgresService;
let upstream: Upstream;
let cluster: Cluster;
let agentKey: string;
let agentToken: string;
let adminToken: string;
const measured: Record<string, number> = {};

beforeAll(async () => {
  [redis, postgres, upstream] = await Promise.all([startRedis(), startPostgres(), startUpstream()]);
  const db = await postgres.createDatabase('webmcp');
  cluster = await startCluster({
    instances: 2,
    store: { redis: redis.url, postgres: db },
    upstream,
    // Probing protected calls while PostgreSQL is down still spends Redis units: keep the budget out of the way.
    security: { rateLimit: { windowMs: 60_000, maxRequests: 100_000 } },
  });
  const [admin, agent] = await Promise.all([cluster.createKey('admin'), cluster.createKey('agent')]);
  agentKey = agent.key;
  agentToken = (await cluster.nodes[0]!.token(agent.key)).access_token;
  adminToken = (await cluster.nodes[1]!.token(admin.key)).access_token;
}, 90_000);

afterAll(async () => {
  await cluster?.cleanup();
  await Promise.allSettled([redis?.destroy(), postgres?.destroy(), upstream?.close()]);
  if (Object.keys(measured).length > 0) console.info(`scaleout outage measured (ms): ${JSON.stringify(measured)}`);
});

interface Probe {
  what: string;
  status: number;
  ms: number;
  contentType: string | null;
  code: string | undefined;
}

/** One timed request; the body is read so the timing covers the whole answer. */
async function timed(what: string, call: () => Promise<Response>): Promise<Probe> {
  const started = performance.now();
  const res = await call();
  const text = await res.text();
  const ms = performance.now() - started;
  let code: string | undefined;
  if (res.headers.get('content-type') === 'application/problem+json') code = (JSON.parse(text) as { code?: string }).code;
  return { what, status: res.status, ms, contentType: res.headers.get('content-type'), code };
}

/** `/readyz` and every kind of protected call, on one instance. */
function probes(gw: Gateway, name: string): Array<() => Promise<Probe>> {
  return [
    () => timed(`${name} /readyz`, () => gw.fetch('/readyz')),
    () => timed(`${name} pages`, () => gw.fetch('/webmcp/pages', { headers: bearer(agentToken) })),
    () =>
      timed(`${name} action`, () =>
        gw.fetch('/webmcp/actions/login/SUBSCRIBE', {
          method: 'POST',
          headers: { ...bearer(agentToken), 'content-type': 'application/json' },
          body: JSON.stringify({ TOPIC: 'a' }),
        }),
      ),
    () => timed(`${name} token`, () => gw.fetch('/webmcp/token', form({ grant_type: 'client_credentials' }, { 'x-api-key': agentKey }))),
    () => timed(`${name} audit`, () => gw.fetch('/webmcp/audit/verify', { headers: bearer(adminToken) })),
  ];
}

/**
 * While a server is down: every probe on both instances one after another, then all of them at
 * once. Each must be a 503 problem+json with ERR_STORE_UNAVAILABLE, and the upstream must see
 * nothing. One at a time, each answers within the spec's 1 s. All at once they answer within
 * `concurrentMs`: 1 s when the server refuses connections; for a hung server, under two store
 * budgets (1.5 s), which shows that no request waited behind another's timeout.
 */
async function expectFailClosed(label: string, concurrentMs = 1000): Promise<void> {
  const upstreamBefore = upstream.requests.length;
  const all = () => [...probes(cluster.nodes[0]!, 'A'), ...probes(cluster.nodes[1]!, 'B')];
  const sequential: Probe[] = [];
  for (const probe of all()) sequential.push(await probe());
  const concurrent = await Promise.all(all().map((probe) => probe()));
  const seen = [...sequential, ...concurrent];
  const wrong = seen.filter((p) => p.status !== 503 || p.contentType !== 'application/problem+json' || p.code !== 'ERR_STORE_UNAVAILABLE');
  expect(wrong).toEqual([]);
  measured[`${label}503Slowest`] = Math.round(Math.max(...sequential.map((p) => p.ms)));
  measured[`${label}503SlowestConcurrent`] = Math.round(Math.max(...concurrent.map((p) => p.ms)));
  expect(sequential.filter((p) => p.ms >= 1000)).toEqual([]);
  expect(concurrent.filter((p) => p.ms >= concurrentMs)).toEqual([]);
  expect(upstream.requests.length).toBe(upstreamBefore);
  // Liveness is not readiness: the processes themselves are fine.
  for (const gw of cluster.nodes) expect((await gw.fetch('/healthz')).status).toBe(200);
}

/** Polls until `/readyz`, a page read and an action succeed on both instances; returns the time taken. */
/** Waits for both gateways to serve again, records how long that took under `label`, and holds it to 5 s. */
async function expectRecovery(label: string): Promise<void> {
  const ms = await recovery();
  measured[label] = Math.round(ms);
  expect(ms).toBeLessThan(5000);
}

async function recovery(): Promise<number> {
  const { ms } = await pollUntil('both gateways recover', 10_000, async () => {
    for (const gw of cluster.nodes) {
      if ((await gw.fetch('/readyz').then(async (r) => (await r.arrayBuffer(), r.status))) !== 200) return undefined;
      if ((await statusOf(gw, '/webmcp/pages', agentToken)) !== 200) return undefined;
      if ((await subscribe(gw, agentToken)).status !== 200) return undefined;
    }
    return true;
  });
  return ms;
}

/** Runs the checks of an outage, then brings the server back even when they fail (later tests need it). */
async function outage(checks: () => Promise<void>, restore: () => Promise<void>): Promise<void> {
  try {
    await checks();
  } finally {
    await restore();
  }
}

/** Runs `fn` while the processes are stopped (SIGSTOP), continuing them (SIGCONT) whatever happens. */
async function withStopped(pids: number[], fn: () => Promise<void>): Promise<void> {
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  try {
    await fn();
  } finally {
    for (const pid of pids) process.kill(pid, 'SIGCONT');
  }
}

/** Child PIDs of `pid` (a postmaster's backends), from /proc. */
async function childrenOf(pid: number): Promise<number[]> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // Gone between readdir and read: not a child any more.
    }
  }
  return out;
}

describe('store outages under two running instances', () => {
  it('both instances are ready and serve before any outage', async () => {
    for (const gw of cluster.nodes) {
      expect((await gw.fetch('/readyz')).status).toBe(200);
      expect((await subscribe(gw, agentToken)).status).toBe(200);
    }
  });

  it('Redis stopped: /readyz fails and protected calls answer 503 within 1 s, never 2xx; its restart recovers both within 5 s', async () => {
    await redis.stop();
    await outage(() => expectFailClosed('redis'), () => redis.start());
    await expectRecovery('redisRecovery');
  });

  it('PostgreSQL stopped: /readyz fails and protected calls answer 503 within 1 s, never 2xx; its restart recovers both within 5 s', async () => {
    await postgres.stop();
    await outage(async () => {
      await expectFailClosed('postgres');
      // The CLI needs the database too: it fails with one line and a non-zero exit, no stack.
      const cli = await cluster.cli(['audit', 'verify']);
      expect(cli.code).not.toBe(0);
      expect(cli.stderr).not.toContain('    at ');
    }, () => postgres.start());
    await expectRecovery('postgresRecovery');
  });

  it('Redis killed with SIGKILL: the same, and recovery after its restart', async () => {
    await redis.stop({ kill: true });
    await outage(() => expectFailClosed('redisKill'), () => redis.start());
    await expectRecovery('redisKillRecovery');
  });

  it('PostgreSQL killed with SIGKILL: the same, and recovery after its restart (crash recovery included)', async () => {
    await postgres.stop({ kill: true });
    await outage(() => expectFailClosed('postgresKill'), () => postgres.start());
    await expectRecovery('postgresKillRecovery');
  });

  it('Redis hung (SIGSTOP): the same within 1 s, and recovery once it runs again', async () => {
    await withStopped([redis.pid!], () => expectFailClosed('redisHung', 1500));
    await expectRecovery('redisHungRecovery');
  });

  it('PostgreSQL hung (SIGSTOP of the server and its backends): the same within 1 s, and recovery once it runs again', async () => {
    await withStopped([postgres.pid!, ...(await childrenOf(postgres.pid!))], () => expectFailClosed('postgresHung', 1500));
    await expectRecovery('postgresHungRecovery');
  });

  it('after the outages revocations still cross instances and the audit chain verifies', async () => {
    const { access_token } = await cluster.nodes[1]!.token(agentKey);
    expect(await statusOf(cluster.nodes[0]!, '/webmcp/pages', access_token)).toBe(200);
    expect((await cluster.nodes[1]!.fetch('/webmcp/revoke', form({ token: access_token }, bearer(access_token)))).status).toBe(200);
    await pollUntil('A refuses the revoked token', 1000, async () =>
      (await statusOf(cluster.nodes[0]!, '/webmcp/pages', access_token)) === 401 ? true : undefined,
    );
    for (const gw of cluster.nodes) expect(await verifyOver(gw, adminToken)).toMatchObject({ ok: true });
    const cli = await cluster.cli(['audit', 'verify', '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true });
  });
});
