// `webmcp mcp` (the built CLI) with the real MCP SDK client over stdio, bridging to a gateway
// through a recording proxy: the agent passes the password in plain text, the bridge encrypts
// it, the proxy never sees it in clear, and the upstream receives it decrypted.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, SHOP_HTML, startTestGateway, type TestGateway } from '../client/gateway-fixture.js';

const BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'dist/cli/bin.js');

interface Proxy {
  url: string;
  seen: { method: string; path: string; body: string }[];
  close(): Promise<void>;
}

/** Forwards everything to `target` and records each request as it crossed the wire. */
async function startProxy(target: string): Promise<Proxy> {
  const seen: Proxy['seen'] = [];
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', path: req.url ?? '', body: body.toString('utf8') });
      const upstream = httpRequest(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let gw: TestGateway;
let proxy: Proxy;
let client: Client;
let stderr = '';

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error('dist/cli/bin.js is missing: build first (npx tsc -p tsconfig.build.json)');
  gw = await startTestGateway();
  proxy = await startProxy(gw.url);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', '--url', proxy.url],
    // The key travels in the environment, not on the command line.
    env: { PATH: process.env.PATH ?? '', WEBMCP_API_KEY: await gw.key('agent') },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  client = new Client({ name: 'webmcp-stdio-test', version: '1.0.0' });
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
  await proxy?.close();
  await gw?.close();
});

type ToolText = { content: { type: string; text: string }[]; isError?: boolean };

describe('webmcp mcp (stdio)', () => {
  it('lists the gateway actions as tools, plus analyze_page', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['shop_log_in', 'shop_search_submit', 'analyze_page']);
    const password = (tools[0]!.inputSchema.properties as Record<string, { description: string }>).PASSWORD!;
    expect(password.description).toMatch(/give the plain value; it is encrypted \(JWE\) on this machine/);
    expect(tools[0]!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, openWorldHint: true });
    expect(stderr).toContain('webmcp mcp: bridging to');
  });

  it('calls an action end to end; the password is never in clear between bridge and gateway', async () => {
    const before = gw.upstream.calls.length;
    const result = (await client.callTool({ name: 'shop_log_in', arguments: { EMAIL: 'stdio@example.com', PASSWORD, PLAN: 'free', REMEMBER: true } })) as ToolText;
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(result.content[0]!.text)).toEqual({ status: 200, body: { ok: true, user: 'stdio@example.com', plan: 'free' } });
    const forwarded = Object.fromEntries(new URLSearchParams(gw.upstream.calls.slice(before)[0]!.body));
    expect(forwarded).toEqual({ email: 'stdio@example.com', password: PASSWORD, plan: 'free', remember: 'yes' });

    const action = proxy.seen.find((r) => r.path === '/webmcp/actions/shop/LOG_IN');
    expect(action).toBeDefined();
    expect(JSON.parse(action!.body).PASSWORD).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/);
    for (const request of proxy.seen) expect(request.body).not.toContain(PASSWORD);
  });

  it('reports the site answer and input errors as tool errors', async () => {
    const wrong = (await client.callTool({ name: 'shop_log_in', arguments: { EMAIL: 'stdio@example.com', PASSWORD: 'wrong-password' } })) as ToolText;
    expect(wrong.isError).toBe(true);
    expect(wrong.content[0]!.text).toMatch(/^the site answered 401: /);
    const bad = (await client.callTool({ name: 'shop_log_in', arguments: { EMAIL: 'not-an-email', PASSWORD } })) as ToolText;
    expect(bad).toMatchObject({ isError: true, content: [{ text: 'EMAIL must be an email address' }] });
    expect(bad.content[0]!.text).not.toContain(PASSWORD);
  });

  it('analyze_page fetches a URL on this machine and describes it', async () => {
    const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(SHOP_HTML));
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/login`;
      const result = (await client.callTool({ name: 'analyze_page', arguments: { url, goal: 'log in' } })) as ToolText;
      expect(result.isError).toBeFalsy();
      expect(result.content[0]!.text).toMatch(/FORM LOGIN/);
      expect(result.content[0]!.text).toMatch(/PASSWORD/);
    } finally {
      await new Promise<void>((r) => site.close(() => r()));
    }
  });

  it('analyze_page of the same URL again answers with the delta when it is smaller; scope narrows the view', async () => {
    let html = SHOP_HTML;
    const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/again`;
      const first = (await client.callTool({ name: 'analyze_page', arguments: { url } })) as ToolText;
      expect(first.content[0]!.text).toMatch(/^PAGE /);
      html = SHOP_HTML.replace('</form>', '<label>Coupon <input name="coupon"></label></form>');
      const second = (await client.callTool({ name: 'analyze_page', arguments: { url } })) as ToolText;
      const delta = second.content[0]!.text;
      expect(delta).toContain('COUPON');
      expect(delta.length).toBeLessThan(first.content[0]!.text.length);
      const scoped = (await client.callTool({ name: 'analyze_page', arguments: { url: url + '?x', scope: 'LOGIN' } })) as ToolText;
      expect(scoped.content[0]!.text).toContain('FORM LOGIN');
      expect(scoped.content[0]!.text).not.toContain('FORM SEARCH');
    } finally {
      await new Promise<void>((r) => site.close(() => r()));
    }
  });
});

describe('webmcp mcp usage', () => {
  it('exits 2 with one line on stderr when the URL or key is missing or bad', () => {
    const env = { PATH: process.env.PATH ?? '' };
    const cases = [[], ['--url', 'http://127.0.0.1:1'], ['--url', 'ftp://x', '--key', 'k'], ['--url', 'http://127.0.0.1:1', '--key', 'k', '--pin', 'sha256/x'], ['--bogus']];
    for (const args of cases) {
      const run = spawnSync(process.execPath, [BIN, 'mcp', ...args], { env, encoding: 'utf8', timeout: 20_000 });
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
