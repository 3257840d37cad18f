/**
 * Gateway throughput: `webmcp serve`'s app (memory and SQLite stores) against an Express 5 +
 * helmet + jsonwebtoken + express-rate-limit + csrf-csrf server doing the same check-and-echo
 * (see bench/gateway-server.ts), under the same autocannon load, in one run. Each server runs
 * in its own process; contenders alternate over rounds and the median round counts, so
 * background load hits each alike.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { BenchResult } from './types.js';

const DURATION_S = Number(process.env.WEBMCP_BENCH_GATEWAY_S ?? 5);
const ROUNDS = Number(process.env.WEBMCP_BENCH_GATEWAY_ROUNDS ?? 3);
const CONNECTIONS = 32;
const BODY = JSON.stringify({ page: 'login', params: { EMAIL: 'ann@example.com', REMEMBER: true }, tags: ['a', 'b', 'c'], n: 42 });

type Contender = 'gateway-memory' | 'gateway-sqlite' | 'express';
const CONTENDERS: Contender[] = ['gateway-sqlite', 'gateway-memory', 'express'];

interface Running {
  name: Contender;
  url: string;
  token: string;
  child: ChildProcess;
}

async function start(name: Contender): Promise<Running> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'gateway-server.js');
  const child = spawn(process.execPath, [script, name], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
  });
  const { url, token } = JSON.parse(line) as { url: string; token: string };
  return { name, url, token, child };
}

async function load(target: Running, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${target.url}/bench/echo`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
    body: BODY,
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(): Promise<BenchResult> {
  const running: Running[] = [];
  try {
    for (const name of CONTENDERS) running.push(await start(name));
    // Sanity: every contender answers the check-and-echo with 200 and refuses a bad token.
    for (const r of running) {
      const ok = await fetch(`${r.url}/bench/echo`, { method: 'POST', headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json' }, body: BODY });
      const bad = await fetch(`${r.url}/bench/echo`, { method: 'POST', headers: { authorization: 'Bearer x.y.z', 'content-type': 'application/json' }, body: BODY });
      const echoed = (await ok.json()) as { echo: unknown };
      if (ok.status !== 200 || JSON.stringify(echoed.echo) !== BODY || bad.status !== 401) throw new Error(`${r.name} does not check-and-echo`);
    }
    for (const r of running) await load(r, 1); // warm-up (JIT, connection pools)

    const samples = new Map<Contender, { rps: number[]; p50: number[]; p99: number[]; errors: number; non2xx: number }>();
    for (const r of running) samples.set(r.name, { rps: [], p50: [], p99: [], errors: 0, non2xx: 0 });
    for (let round = 0; round < ROUNDS; round++) {
      for (const r of running) {
        const result = await load(r, DURATION_S);
        const s = samples.get(r.name)!;
        s.rps.push(result.requests.average);
        s.p50.push(result.latency.p50);
        s.p99.push(result.latency.p99);
        s.errors += result.errors + result.timeouts;
        s.non2xx += result.non2xx;
      }
    }
    const express = samples.get('express')!;
    const expressRps = median(express.rps);
    const expressP99 = median(express.p99);
    const rows = CONTENDERS.map((name) => {
      const s = samples.get(name)!;
      const rps = median(s.rps);
      return {
        server: name === 'express' ? 'Express 5 + helmet + jsonwebtoken + express-rate-limit + csrf-csrf' : `webmcp gateway (${name.slice('gateway-'.length)} store)`,
        'req/s': Math.round(rps),
        'p50 ms': median(s.p50),
        'p99 ms': median(s.p99),
        'vs Express req/s': Math.round((rps / expressRps) * 100) / 100,
        'p99 vs Express': Math.round((median(s.p99) / expressP99) * 100) / 100,
        'errors+non-2xx': s.errors + s.non2xx,
      };
    });
    return {
      name: 'gateway',
      rows,
      notes: [
        `POST /bench/echo with a Bearer token and a ${BODY.length}-byte JSON body; autocannon ${CONNECTIONS} connections, ${DURATION_S} s per round, ${ROUNDS} alternating rounds (median), servers in their own processes.`,
        'Both sides: security headers, per-IP and per-subject rate limits (limit high enough never to refuse), HS256 JWT check (iss, aud, exp, scope), CSRF only for cookie requests, JSON body limit 1 MiB, echo.',
        'The gateway additionally checks the token against the revocation list and its API key against the store (revocation within 1 s), adds a request id, and counts in Prometheus metrics; request logs at warn level.',
      ],
    };
  } finally {
    for (const r of running) r.child.kill('SIGTERM');
  }
}
