/**
 * Throwaway Redis and PostgreSQL servers for tests and benchmarks: started on free loopback ports
 * in a fresh /tmp directory, stoppable and restartable on the same port (outage tests), and
 * stopped by PID. Nothing here is used by the package itself.
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Directory holding the PostgreSQL 15 server binaries (Debian's layout). */
export const PG_BIN = process.env.WEBMCP_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A port nobody listens on right now (the OS picks it; a tiny race with other starters remains). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // ESRCH: no such process. EPERM would mean it exists but is not ours.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends `signal` to `pid` and waits until it is gone (SIGKILL after `graceMs`). */
export async function killAndWait(pid: number, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      await sleep(50);
      if (!alive(pid)) return;
    }
    await sleep(20);
  }
}

// Last-resort cleanup if the owning process exits without stopping its services (crash, Ctrl-C).
const running = new Set<number>();
let exitHookInstalled = false;
/** Kills `pid` with SIGKILL if it is still running when this process exits (services, gateways). */
export function trackForExit(pid: number): void {
  running.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of running) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // Already gone: nothing to clean up.
      }
    }
  });
}

/** `pid` stopped on purpose: no longer killed at exit. */
export function untrack(pid: number): void {
  running.delete(pid);
}

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(50);
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`, { cause: lastError });
}

async function childPids(pid: number): Promise<number[]> {
  try {
    const { stdout } = await exec('pgrep', ['-P', String(pid)]);
    return stdout.split('\n').filter(Boolean).map(Number);
  } catch (error) {
    // pgrep exits 1 when there are no children.
    if ((error as { code?: number }).code === 1) return [];
    throw error;
  }
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (data.includes('\r\n')) done(data.startsWith('+PONG'));
    });
  });
}

export interface RedisService {
  readonly url: string;
  readonly port: number;
  readonly pid: number | null;
  /** Stops the server (SIGTERM by PID, or SIGKILL with `{ kill: true }`); `start()` brings it back on the same port. */
  stop(options?: { kill?: boolean }): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

/** Starts `redis-server` daemonised on a free loopback port, without persistence. */
export async function startRedis(options: { port?: number } = {}): Promise<RedisService> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'webmcp-redis-'));
  const pidFile = join(dir, 'redis.pid');
  let pid: number | null = null;

  async function start(): Promise<void> {
    await exec('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--daemonize', 'yes', '--pidfile', pidFile, '--dir', dir, '--logfile', join(dir, 'redis.log'),
    ]);
    await waitFor(`redis-server on port ${port}`, 10_000, async () => existsSync(pidFile) && (await redisPing(port)));
    pid = Number(readFileSync(pidFile, 'utf8').trim());
    trackForExit(pid);
  }

  async function stop({ kill = false } = {}): Promise<void> {
    if (pid === null) return;
    await killAndWait(pid, kill ? 'SIGKILL' : 'SIGTERM');
    running.delete(pid);
    pid = null;
    rmSync(pidFile, { force: true });
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return pid;
    },
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PostgresService {
  /** Superuser URL of the `postgres` database (trust auth on loopback). */
  readonly url: string;
  readonly port: number;
  readonly pid: number | null;
  /** Stops the server by PID: fast shutdown (SIGINT), or SIGKILL of the postmaster with `{ kill: true }`. */
  stop(options?: { kill?: boolean }): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL binary, as the `postgres` user when we are root (initdb refuses root). */
function pgExec(bin: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const path = join(PG_BIN, bin);
  return isRoot ? exec('runuser', ['-u', 'postgres', '--', path, ...args]) : exec(path, args);
}

/**
 * Starts a throwaway PostgreSQL 15 cluster on a free loopback port with trust auth.
 * `durable: false` (the default, for tests) turns fsync off; benchmarks pass `durable: true`.
 */
export async function startPostgres(options: { port?: number; durable?: boolean } = {}): Promise<PostgresService> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'webmcp-pg-'));
  const data = join(dir, 'data');
  if (isRoot) {
    const { stdout } = await exec('id', ['-u', 'postgres']);
    const { stdout: gid } = await exec('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await pgExec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const serverOptions = [
    `-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c max_connections=200',
    ...(options.durable ? [] : ['-c fsync=off', '-c full_page_writes=off']),
  ].join(' ');
  let pid: number | null = null;
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;

  async function start(): Promise<void> {
    await pgExec('pg_ctl', ['start', '-w', '-t', '30', '-D', data, '-l', join(dir, 'postgres.log'), '-o', serverOptions]);
    pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    trackForExit(pid);
    await waitFor(`postgres on port ${port}`, 10_000, async () => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } finally {
        await client.end().catch(() => undefined); // the probe's own connection; failure is the probe's answer
      }
    });
  }

  async function stop({ kill = false } = {}): Promise<void> {
    if (pid === null) return;
    // A killed postmaster's backends exit on their own once they notice; a restart must wait for
    // them, or the new postmaster finds their shared memory still attached and refuses to start.
    const children = kill ? await childPids(pid) : [];
    await killAndWait(pid, kill ? 'SIGKILL' : 'SIGINT', 20_000);
    running.delete(pid);
    pid = null;
    if (kill) {
      for (const child of children) await killAndWait(child, 'SIGQUIT', 5_000);
      rmSync(join(data, 'postmaster.pid'), { force: true });
    }
  }

  await start();
  return {
    url,
    port,
    get pid() {
      return pid;
    },
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    createDatabase: (name) => createDatabase(url, name),
  };
}

/** Creates database `name` through the superuser URL `adminUrl` and returns the new database's URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`bad database name: ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A database name unique to this test file and run: `<prefix>_<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${Math.random().toString(36).slice(2, 10)}`;
}
