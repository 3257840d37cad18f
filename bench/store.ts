/**
 * Store benchmark: rate-limiter consume and audit append throughput (ops/s), one at a time and
 * with 32 in flight, for every backend in one run. Starts its own Redis and a durable (fsync on)
 * PostgreSQL exactly like the tests do, in a temporary directory, and stops them at the end.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore } from '../src/store/memory/index.js';
import { createRedisPostgresStore } from '../src/store/redis-postgres.js';
import { createSqliteStore } from '../src/store/sqlite/index.js';
import type { AuditEntry, AuditHead, Store } from '../src/store/types.js';
import { startPostgres, startRedis } from '../test/setup/services.js';
import type { BenchResult } from './types.js';

/** How long each measurement runs. */
const DURATION_MS = Number(process.env.WEBMCP_BENCH_STORE_MS ?? 1500);
const CONCURRENCY = 32;

function entry(head: AuditHead | null, i: number): AuditEntry {
  const body = {
    seq: head ? head.seq + 1 : 1,
    ts: new Date().toISOString(),
    actor: 'key:bench',
    action: 'action.call',
    resource: '/webmcp/actions/login/LOGIN',
    outcome: 'ok' as const,
    ip: '127.0.0.1',
    request_id: `req-${i}`,
    details: { page: 'login', status: 200 },
    prev_hash: head ? head.hash : '0'.repeat(64),
  };
  return { ...body, hash: createHash('sha256').update(JSON.stringify(body)).digest('hex') };
}

/** Runs `op` for DURATION_MS with `workers` loops in flight; returns completed ops per second. */
async function measure(workers: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let done = 0;
  let i = 0;
  const start = performance.now();
  const end = start + DURATION_MS;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        await op(i++);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

interface Target {
  label: string;
  /** Which server does the work for each operation. */
  consumeBy: string;
  appendBy: string;
  store: Store;
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'webmcp-bench-store-'));
  const [redis, postgres] = await Promise.all([startRedis(), startPostgres({ durable: true })]);
  const targets: Target[] = [];
  try {
    targets.push({ label: 'memory', consumeBy: 'in-process', appendBy: 'in-process', store: createMemoryStore() });
    targets.push({
      label: 'sqlite',
      consumeBy: 'SQLite (WAL)',
      appendBy: 'SQLite (WAL, synchronous=FULL)',
      store: createSqliteStore(join(dir, 'bench.db')),
    });
    targets.push({
      label: 'redis+postgres',
      consumeBy: 'Redis (Lua)',
      appendBy: 'PostgreSQL (fsync on)',
      store: await createRedisPostgresStore({ redis: redis.url, postgres: postgres.url, poolSize: CONCURRENCY }),
    });

    const rows: BenchResult['rows'] = [];
    const baseline = new Map<string, number>();
    for (const t of targets) {
      for (const [workers, mode] of [
        [1, 'sequential'],
        [CONCURRENCY, `${CONCURRENCY} concurrent`],
      ] as const) {
        // Limit far above what any run reaches, so every call is a granted, counted unit.
        const consume = await measure(workers, (i) => t.store.counters.consume(`bench:${mode}:${i % 64}`, 60_000, 1e12));
        const append = await measure(workers, (i) => t.store.audit.append((head) => entry(head, i)));
        for (const [op, by, opsPerSec] of [
          ['rate-limit consume', t.consumeBy, consume],
          ['audit append', t.appendBy, append],
        ] as const) {
          const key = `${op}|${mode}`;
          if (t.label === 'memory') baseline.set(key, opsPerSec);
          rows.push({
            store: t.label,
            operation: op,
            mode,
            backend: by,
            'ops/s': Math.round(opsPerSec),
            'vs memory': Number((opsPerSec / baseline.get(key)!).toFixed(4)),
          });
        }
      }
      // The chain must still be intact after the concurrent appends.
      const entries = await t.store.audit.list();
      for (let k = 1; k < entries.length; k++) {
        if (entries[k].prev_hash !== entries[k - 1].hash || entries[k].seq !== entries[k - 1].seq + 1) {
          throw new Error(`${t.label}: audit chain broken at seq ${entries[k].seq}`);
        }
      }
    }
    return {
      name: 'store',
      rows,
      notes: [
        `each figure: ${DURATION_MS} ms of back-to-back calls from one process (1 or ${CONCURRENCY} in flight), 2 shared cores`,
        'audit append is durable on every backend: it resolves only after the commit is on disk (SQLite synchronous=FULL, PostgreSQL fsync on)',
        'redis+postgres: Redis and PostgreSQL run on the same machine over loopback; a network hop adds its round trip per call',
        'rate-limit consume is exact (atomic check-and-count) on every backend',
      ],
    };
  } finally {
    await Promise.allSettled(targets.map((t) => t.store.close()));
    await Promise.allSettled([redis.destroy(), postgres.destroy()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
