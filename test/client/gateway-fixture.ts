// An in-process gateway (createGateway + listen on 127.0.0.1:0) with a memory store, a shared
// test clock, a recording upstream, and helpers to mint API keys — for the client and MCP suites.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, listen, type Gateway, type NodeServer } from '../../src/server/index.js';
import { createLogger } from '../../src/server/logger.js';
import { createMemoryStore } from '../../src/store/memory/index.js';

export const JWT_SECRET = 'client-suite-secret-0123456789abcdef-0123456789abcdef';
export const PASSWORD = 'correct-horse-battery-staple-4711';

export const SHOP_HTML = `<!doctype html><html lang="en"><head><title>Shop login</title></head><body>
<form id="login" action="/session" method="post">
<label for="email">Email address</label><input id="email" type="email" name="email" required>
<label for="pw">Password</label><input id="pw" type="password" name="password" required minlength="8">
<fieldset><legend>Plan</legend>
<label><input type="radio" name="plan" value="free" checked> Free</label>
<label><input type="radio" name="plan" value="pro"> Pro</label></fieldset>
<label><input type="checkbox" name="remember" value="yes"> Remember me</label>
<button type="submit">Log in</button>
</form>
<form id="search" action="/search" method="get" role="search"><label>Search <input type="search" name="q" required></label><button>Search</button></form>
</body></html>`;

export interface UpstreamCall {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Upstream {
  url: string;
  calls: UpstreamCall[];
  close(): Promise<void>;
}

/** A local site that records what the gateway forwards and answers JSON. */
export async function startUpstream(): Promise<Upstream> {
  const calls: UpstreamCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      calls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const fields = Object.fromEntries(new URLSearchParams(req.url?.includes('?') ? req.url.split('?')[1] : body));
      const status = fields.password === 'wrong-password' ? 401 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: status === 200, user: fields.email ?? null, plan: fields.plan ?? null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TestGateway {
  gateway: Gateway;
  server: NodeServer;
  url: string;
  upstream: Upstream;
  /** The clock both the gateway and (when passed) clients read; `advance` moves it. */
  clock: { now(): number; advance(ms: number): void };
  key(role: 'reader' | 'agent' | 'admin', scopes?: string[]): Promise<string>;
  close(): Promise<void>;
}

export interface GatewayFixtureOptions {
  /** TLS material for HTTPS (TLS 1.3). */
  tls?: { cert: string; key: string };
  security?: Record<string, unknown>;
}

export async function startTestGateway(options: GatewayFixtureOptions = {}): Promise<TestGateway> {
  const upstream = await startUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'webmcp-client-'));
  writeFileSync(join(dir, 'shop.html'), SHOP_HTML);
  let offset = 0;
  const clock = { now: () => Date.now() + offset, advance: (ms: number) => void (offset += ms) };
  const gateway = await createGateway(
    {
      security: { jwt: { secret: JWT_SECRET }, rateLimit: { windowMs: 60_000, maxRequests: 100_000 }, ...options.security },
      pages: {
        shop: {
          html: 'shop.html',
          url: 'https://shop.example/login',
          actions: {
            LOG_IN: { upstream: `${upstream.url}/session`, method: 'POST' },
            SEARCH_SUBMIT: { upstream: `${upstream.url}/search`, method: 'GET' },
          },
        },
      },
    },
    { baseDir: dir, store: createMemoryStore(), logger: createLogger('silent'), watchPages: false, now: clock.now },
  );
  const server = await listen(gateway, { host: '127.0.0.1', port: 0, tls: options.tls ?? null });
  return {
    gateway,
    server,
    url: server.url,
    upstream,
    clock,
    async key(role, scopes) {
      const created = await gateway.services.security.apiKeys.create({ name: `${role}-key`, role, ...(scopes ? { scopes } : {}) });
      return created.key;
    },
    async close() {
      await server.close();
      await gateway.close();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A `fetch` that records every request the client sends (method, URL, headers, body as sent). */
export function recordingFetch(): { fetch: typeof fetch; sent: { method: string; url: string; headers: Headers; body: string }[] } {
  const sent: { method: string; url: string; headers: Headers; body: string }[] = [];
  const wrapped = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    const body = init.body === undefined || init.body === null ? '' : String(init.body);
    sent.push({ method: init.method ?? 'GET', url, headers: new Headers(init.headers), body });
    return fetch(input, init);
  };
  return { fetch: wrapped as typeof fetch, sent };
}
