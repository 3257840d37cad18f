/**
 * Gateway throughput: `webmcp serve`'s app (memory and SQLite stores) against an Express 5 +
 * helmet + jsonwebtoken + express-rate-limit + csrf-csrf server doing the same check-and-echo
 * (see bench/gateway-server.ts), under the same autocannon load, in one run. Each server runs
 * in its own process; contenders alternate over rounds and the median round counts, so
 * background load hits each alike.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { BenchResult } from './types.js';

const DURATION_S = Number(process.env.WEBMCP_BENCH_GATEWAY_S ?? 5);
const ROUNDS = Number(process.env.WEBMCP_BENCH_GATEWAY_ROUNDS ?? 5);
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

async function start(name: Contender, logDir: string): Promise<Running> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'gateway-server.js');
  // The gateway logs every request at info (its default), as a deployment would: to a file.
  const logFile = join(logDir, `${name}.log`);
  const log = openSync(logFile, 'w');
  const child = spawn(process.execPath, [script, name], { stdio: ['ignore', 'pipe', log] });
  closeSync(log);
  let onExit: ((code: number | null) => void) | undefined;
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    onExit = (code) => reject(new Error(`${name} server exited with ${code}: ${readFileSync(logFile, 'utf8').slice(-2000)}`));
    child.once('exit', onExit);
  });
  child.off('exit', onExit!);
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

function spread(values: number[]): string {
  const r = (v: number) => Math.round(v * 100) / 100;
  return `${r(Math.min(...values))}-${r(Math.max(...values))}`;
}

export async function run(): Promise<BenchResult> {
  const running: Running[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'webmcp-bench-gw-logs-'));
  try {
    for (const name of CONTENDERS) running.push(await start(name, logDir));
    // Sanity: every contender answers the check-and-echo with 200 and refuses a bad token.
    for (const r of running) {
      const ok = await fetch(`${r.url}/bench/echo`, { method: 'POST', headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json' }, body: BODY });
      const bad = await fetch(`${r.url}/bench/echo`, { method: 'POST', headers: { authorization: 'Bearer x.y.z', 'content-type': 'application/json' }, body: BODY });
      const echoed = (await ok.json()) as { echo: unknown };
      if (ok.status !== 200 || JSON.stringify(echoed.echo) !== BODY || bad.status !== 401) throw new Error(`${r.name} does not check-and-echo`);
    }
    for (const r of running) await load(r, 1); // warm-up (JIT, connection pools)

    // Per round, each contender's figures; ratios are taken within a round (same background load).
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
    const rows = CONTENDERS.map((name) => {
      const s = samples.get(name)!;
      const rpsRatios = s.rps.map((v, i) => v / express.rps[i]!);
      const p99Ratios = s.p99.map((v, i) => v / express.p99[i]!);
      return {
        server: name === 'express' ? 'Express 5 + helmet + jsonwebtoken + express-rate-limit + csrf-csrf' : `webmcp gateway (${name.slice('gateway-'.length)} store)`,
        'req/s': Math.round(median(s.rps)),
        'p50 ms': median(s.p50),
        'p99 ms': median(s.p99),
        'req/s vs Express': Math.round(median(rpsRatios) * 100) / 100,
        'req/s ratio range': spread(rpsRatios),
        'p99 vs Express': Math.round(median(p99Ratios) * 100) / 100,
        'p99 ratio range': spread(p99Ratios),
        'errors+non-2xx': s.errors + s.non2xx,
      };
    });
    return {
      name: 'gateway',
      rows,
      notes: [
        `POST /bench/echo with a Bearer token and a ${BODY.length}-byte JSON body; autocannon ${CONNECTIONS} connections, ${DURATION_S} s per round, ${ROUNDS} alternating rounds, servers in their own processes. Figures are medians over the rounds; ratios are taken within each round (same background load) and given as median and range.`,
        'Both sides: security headers, per-IP and per-subject rate limits (limit high enough never to refuse), HS256 JWT check (iss, aud, exp, scope), CSRF only for cookie requests, JSON body limit 1 MiB, echo.',
        'The gateway runs its default configuration (SQLite store, request logs at info written to a file, metrics on) and additionally checks the token against the revocation list and its API key against the store (revocation within 1 s), adds a request id, and counts in Prometheus metrics. Express logs nothing.',
      ],
    };
  } finally {
    for (const r of running) r.child.kill('SIGTERM');
    rmSync(logDir, { recursive: true, force: true });
  }
}
