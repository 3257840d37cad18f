/**
 * Starts `webmcp serve` (the built CLI, dist/cli/bin.js) as a child process in a temp folder with
 * a config, pages and a local upstream HTTP server, and gives tests a small HTTP client for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'dist/cli/bin.js');
/** 48 characters: comfortably above the 256-bit minimum. */
export const JWT_SECRET = 'e2e-test-secret-0123456789abcdef-0123456789abcdef';

export const LOGIN_HTML = `<!doctype html><html lang="en"><head><title>Shop login</title></head><body>
<form id="login" action="/session" method="post">
<label for="email">Email address</label><input id="email" type="email" name="email" required>
<label for="pw">Password</label><input id="pw" type="password" name="password" required minlength="8">
<label><input type="checkbox" name="remember" value="yes"> Remember me</label>
<button type="submit">Log in</button>
</form>
<form id="news" action="/subscribe" method="post"><label>Topic <select name="topic"><option value="a">A</option><option value="b">B</option></select></label>
<button type="submit">Subscribe</button></form>
<a href="/help">Help</a>
</body></html>`;

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Upstream {
  url: string;
  requests: UpstreamRequest[];
  /** Milliseconds the next answers wait (to test timeouts). */
  delayMs: number;
  close(): Promise<void>;
}

/** A local upstream that records what it receives and answers JSON (or text on `/text`). */
export async function startUpstream(): Promise<Upstream> {
  const requests: UpstreamRequest[] = [];
  const state = { delayMs: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      setTimeout(() => {
        if (req.url?.startsWith('/text')) {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('x'.repeat(100 * 1024));
          return;
        }
        res.writeHead(req.url?.startsWith('/fail') ? 422 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, received: body.length }));
      }, state.delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(v: number) {
      state.delayMs = v;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. */
export function runCli(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

export interface Gateway {
  url: string;
  dir: string;
  configFile: string;
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Runs `webmcp <args> --config <this config>` in the gateway's folder. */
  cli(args: string[]): Promise<RunResult>;
  /** Creates an API key through the CLI and returns `id.secret`. */
  createKey(role: 'reader' | 'agent' | 'admin', scopes?: string[]): Promise<{ id: string; key: string }>;
  /** client_credentials token for a key. */
  token(key: string, scope?: string): Promise<{ access_token: string; refresh_token: string; scope: string }>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** Stops (if running) and removes the temp folder. */
  cleanup(): Promise<void>;
}

export interface StartOptions {
  /** Extra config keys (merged over the defaults). */
  config?: Record<string, unknown>;
  /** Security config merged over `{ jwt: { secret } }`. */
  security?: Record<string, unknown>;
  /** Files to write relative to the folder (pages). Default: pages/login.html. */
  files?: Record<string, string>;
  /** Pages config; default: the login page with its LOG_IN action sent to `upstream`. */
  pages?: Record<string, unknown>;
  upstream?: Upstream;
  args?: string[];
  env?: Record<string, string>;
  dir?: string;
}

export async function startGateway(options: StartOptions = {}): Promise<Gateway> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'webmcp-e2e-'));
  const files = options.files ?? { 'pages/login.html': LOGIN_HTML };
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const upstreamUrl = options.upstream?.url ?? 'http://127.0.0.1:9';
  const config = {
    security: { jwt: { secret: '${E2E_JWT_SECRET}' }, ...options.security },
    store: 'sqlite:./data/webmcp.db',
    pages: options.pages ?? {
      login: {
        url: 'https://shop.example/login',
        html: 'pages/login.html',
        actions: {
          LOG_IN: { upstream: `${upstreamUrl}/session`, method: 'POST', timeoutMs: 2000 },
          SUBSCRIBE: { upstream: `${upstreamUrl}/text`, method: 'POST' },
        },
      },
    },
    ...options.config,
  };
  mkdirSync(join(dir, 'data'), { recursive: true });
  const configFile = join(dir, 'webmcp.config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const env = { E2E_JWT_SECRET: JWT_SECRET, ...options.env };

  const proc = spawn(process.execPath, [BIN, 'serve', '--config', configFile, '--port', '0', ...(options.args ?? [])], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If the test process dies without cleaning up, take the gateway with it (no orphans).
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  proc.once('exit', () => process.off('exit', killOnExit));
  let stdout = '';
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${stdout}\n${stderr}`)), 20_000);
    proc.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = /listening on (\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });

  let exited: Promise<number | null> | null = null;
  const gw: Gateway = {
    url,
    dir,
    configFile,
    proc,
    stdout: () => stdout,
    stderr: () => stderr,
    cli: (args) => runCli([...args, '--config', configFile], { cwd: dir, env }),
    async createKey(role, scopes) {
      const r = await gw.cli(['keys', 'create', '--name', `${role}-key`, '--role', role, '--json', ...(scopes ? ['--scopes', scopes.join(',')] : [])]);
      if (r.code !== 0) throw new Error(`keys create failed: ${r.stderr}`);
      const parsed = JSON.parse(r.stdout) as { id: string; key: string };
      return { id: parsed.id, key: parsed.key };
    },
    async token(key, scope) {
      const body = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
      const res = await gw.fetch('/webmcp/token', {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      if (res.status !== 200) throw new Error(`token failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as { access_token: string; refresh_token: string; scope: string };
    },
    fetch: (path, init) => fetch(new URL(path, url), init),
    stop() {
      exited ??= new Promise((r) => {
        if (proc.exitCode !== null) return r(proc.exitCode);
        proc.once('exit', (code) => r(code));
        proc.kill('SIGTERM');
      });
      return exited;
    },
    async cleanup() {
      await gw.stop();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return gw;
}

/** The security headers every gateway response must carry. */
export function expectSecurityHeaders(res: Response): string[] {
  const missing: string[] = [];
  for (const name of ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'x-request-id', 'cache-control']) {
    if (!res.headers.get(name)) missing.push(name);
  }
  if (res.headers.get('x-content-type-options') !== 'nosniff') missing.push('nosniff');
  return missing;
}

/** A request through node:http, for what fetch forbids (a custom Host, raw bytes, odd headers). */
export function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const target = new URL(url);
  return new Promise((resolveReq, reject) => {
    const req = httpRequest(
      { host: target.hostname, port: target.port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolveReq({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
