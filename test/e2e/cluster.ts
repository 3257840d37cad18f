/**
 * Several `webmcp serve` processes sharing one config and one store (the scale-out suites).
 * Built on the gateway e2e harness: each instance is a `startGateway` in the same folder with the
 * same config file, a shared WEBMCP_MASTER_KEY and its own port. Every process is tracked by PID
 * and killed on cleanup, on a failed start, and when the test process exits.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactEncrypt, importJWK, type JWK } from 'jose';
import { expect } from 'vitest';
import { killAndWait, trackForExit, untrack } from '../setup/services.js';
import { JWT_SECRET, LOGIN_HTML, runCli, startGateway, type Gateway, type RunResult, type Upstream } from './gateway-harness.js';

export type { Gateway } from './gateway-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * PIDs of this process's children whose command line names `configFile`: a gateway whose start
 * timed out inside the harness, which then holds no reference we could kill it by.
 */
function strayChildren(configFile: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(configFile)) found.push(Number(name));
    } catch {
      // The process ended between readdir and read: not ours to clean up any more.
    }
  }
  return found;
}

/** The pages every scale-out instance serves: the harness's login page, answers in JSON. */
export function clusterPages(upstream: Upstream): Record<string, unknown> {
  return {
    login: {
      url: 'https://shop.example/login',
      html: 'pages/login.html',
      actions: {
        LOG_IN: { upstream: `${upstream.url}/session`, method: 'POST', timeoutMs: 5000 },
        SUBSCRIBE: { upstream: `${upstream.url}/subscribe`, method: 'POST', timeoutMs: 5000 },
      },
    },
  };
}

export interface ClusterOptions {
  /** How many instances to start (in parallel). */
  instances: number;
  /** The config's `store`. */
  store: unknown;
  upstream: Upstream;
  /** Security config merged over `{ jwt: { secret } }`. */
  security?: Record<string, unknown>;
}

export interface Cluster {
  readonly dir: string;
  readonly configFile: string;
  /** The running instances; `nodes[i]` is replaced by `restart(i)`. */
  readonly nodes: Gateway[];
  /** Runs `webmcp <args> --config <the shared config>` with the instances' environment. */
  cli(args: string[]): Promise<RunResult>;
  /** Creates an API key with the CLI and returns `id` and `key` (`id.secret`). */
  createKey(role: 'reader' | 'agent' | 'admin'): Promise<{ id: string; key: string }>;
  /** `kill -9` of instance `i`; resolves once the process is gone. */
  kill(i: number): Promise<void>;
  /** Starts instance `i` again (same config, a new port). */
  restart(i: number): Promise<Gateway>;
  /** Stops every instance (SIGTERM, SIGKILL after 10 s) and removes the folder. */
  cleanup(): Promise<void>;
}

/** A fresh `WEBMCP_MASTER_KEY` (base64url, 32 bytes). */
export function newMasterKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Starts `instances` gateways on one config. The first writes the folder's files; the others
 * write the same config again (identical bytes) before their process reads it.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'webmcp-cluster-'));
  const configFile = join(dir, 'webmcp.config.json');
  const env = { WEBMCP_MASTER_KEY: newMasterKey() };
  const nodes: Gateway[] = [];

  async function startOne(writeFiles: boolean): Promise<Gateway> {
    try {
      const gw = await startGateway({
        dir,
        env,
        upstream: options.upstream,
        pages: clusterPages(options.upstream),
        config: { store: options.store },
        ...(options.security ? { security: options.security } : {}),
        ...(writeFiles ? { files: { 'pages/login.html': LOGIN_HTML } } : { files: {} }),
      });
      if (gw.proc.pid !== undefined) trackForExit(gw.proc.pid);
      return gw;
    } catch (error) {
      for (const pid of strayChildren(configFile)) await killAndWait(pid, 'SIGKILL');
      throw error;
    }
  }

  async function stopNode(gw: Gateway, signal: NodeJS.Signals): Promise<void> {
    const pid = gw.proc.pid;
    if (pid === undefined) return;
    if (gw.proc.exitCode === null && gw.proc.signalCode === null) {
      const exited = new Promise<void>((r) => gw.proc.once('exit', () => r()));
      await killAndWait(pid, signal, 10_000);
      // killAndWait sees the PID gone once reaped; the 'exit' event follows at once.
      await Promise.race([exited, sleep(1000)]);
    }
    untrack(pid);
  }

  const cluster: Cluster = {
    dir,
    configFile,
    nodes,
    // The harness's config takes the JWT secret from E2E_JWT_SECRET.
    cli: (args) => runCli([...args, '--config', configFile], { cwd: dir, env: { E2E_JWT_SECRET: JWT_SECRET, ...env } }),
    async createKey(role) {
      const r = await cluster.cli(['keys', 'create', '--name', `${role}-key`, '--role', role, '--json']);
      if (r.code !== 0) throw new Error(`keys create failed (${r.code}): ${r.stderr}`);
      const parsed = JSON.parse(r.stdout) as { id: string; key: string };
      return { id: parsed.id, key: parsed.key };
    },
    async kill(i) {
      await stopNode(nodes[i]!, 'SIGKILL');
    },
    async restart(i) {
      await stopNode(nodes[i]!, 'SIGTERM');
      nodes[i] = await startOne(false);
      return nodes[i]!;
    },
    async cleanup() {
      await Promise.allSettled(nodes.map((gw) => stopNode(gw, 'SIGTERM')));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const started = await Promise.allSettled(Array.from({ length: options.instances }, (_, i) => startOne(i === 0)));
  for (const s of started) if (s.status === 'fulfilled') nodes.push(s.value);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await cluster.cleanup();
    throw failed.reason;
  }
  return cluster;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Calls `probe` until it returns a value other than `undefined` or `deadlineMs` passes; returns
 * the value and how long it took. Throws (with the last probe error) at the deadline.
 */
export async function pollUntil<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>, intervalMs = 25): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return { value, ms: performance.now() - started };
    } catch (error) {
      lastError = error;
    }
    if (performance.now() - started > deadlineMs) throw new Error(`${what}: not within ${deadlineMs} ms`, { cause: lastError });
    await sleep(intervalMs);
  }
}

/** Runs `count` tasks with at most `concurrency` in flight; results keep the tasks' order. */
export async function runPool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

/** The status of a GET with a Bearer token (body drained). */
export async function statusOf(gw: Gateway, path: string, token: string): Promise<number> {
  const res = await gw.fetch(path, { headers: bearer(token) });
  await res.arrayBuffer();
  return res.status;
}

/** Runs a `SUBSCRIBE` action; answers its status and `X-Request-Id`. */
export async function subscribe(gw: Gateway, token: string): Promise<{ status: number; requestId: string | null }> {
  const res = await gw.fetch('/webmcp/actions/login/SUBSCRIBE', {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify({ TOPIC: 'a' }),
  });
  await res.arrayBuffer();
  return { status: res.status, requestId: res.headers.get('x-request-id') };
}

export interface AuditEntryView {
  seq: number;
  action: string;
  outcome: string;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

/** Every audit entry, through `GET /webmcp/audit` pages. */
export async function allAuditEntries(gw: Gateway, adminToken: string): Promise<AuditEntryView[]> {
  const out: AuditEntryView[] = [];
  let after = 0;
  for (;;) {
    const res = await gw.fetch(`/webmcp/audit?limit=1000&after=${after}`, { headers: bearer(adminToken) });
    if (res.status !== 200) throw new Error(`audit list: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { entries: AuditEntryView[]; next: number | null };
    out.push(...page.entries);
    if (page.next === null) return out;
    after = page.next;
  }
}

/** Request ids of the action calls the audit log records as done. */
export function loggedCalls(entries: readonly AuditEntryView[]): Set<string | null> {
  return new Set(entries.filter((e) => e.action === 'action.call' && e.outcome === 'ok').map((e) => e.request_id));
}

/** One sequence without gaps, each entry linked to the one before it, whoever wrote it. */
export function expectOneChain(entries: readonly AuditEntryView[]): void {
  entries.forEach((e, i) => {
    expect(e.seq).toBe(i + 1);
    if (i > 0) expect(e.prev_hash).toBe(entries[i - 1]!.hash);
  });
}

/** `GET /webmcp/audit/verify` on `gw`. */
export async function verifyOver(gw: Gateway, adminToken: string): Promise<{ ok: boolean; entries: number; head: { seq: number; hash: string } | null; brokenAt?: number }> {
  const res = await gw.fetch('/webmcp/audit/verify', { headers: bearer(adminToken) });
  if (res.status !== 200) throw new Error(`audit verify: ${res.status} ${await res.text()}`);
  return (await res.json()) as { ok: boolean; entries: number; head: { seq: number; hash: string } | null; brokenAt?: number };
}

/** A compact JWE of `value` for the `use: enc` key published by `gw`. */
export async function encryptFor(gw: Gateway, value: string): Promise<string> {
  const { keys } = (await (await gw.fetch('/.well-known/jwks.json')).json()) as { keys: (JWK & { use: string })[] };
  const jwk = keys.find((k) => k.use === 'enc');
  if (!jwk) throw new Error('no encryption key in the JWKS');
  const key = await importJWK(jwk, 'ECDH-ES+A256KW');
  return new CompactEncrypt(new TextEncoder().encode(value)).setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: jwk.kid! }).encrypt(key);
}

/** Form-encoded POST init. */
export function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields) };
}

/**
 * The gateways' `request failed` log lines (route and error, no stack), to explain an unexpected
 * 5xx in an assertion message.
 */
export function failureLog(nodes: readonly Gateway[]): string {
  const lines: string[] = [];
  nodes.forEach((gw, i) => {
    for (const line of gw.stderr().split('\n')) {
      if (!line.includes('"request failed"')) continue;
      try {
        const entry = JSON.parse(line) as { route?: string; err?: { message?: string; code?: string } };
        lines.push(`#${i} ${entry.route ?? '?'}: ${entry.err?.code ?? ''} ${entry.err?.message ?? ''}`);
      } catch {
        // Not a JSON log line: show it as it is.
        lines.push(`#${i} ${line}`);
      }
    }
  });
  return lines.length > 0 ? `gateway failures:\n${lines.join('\n')}` : 'no gateway failures logged';
}
