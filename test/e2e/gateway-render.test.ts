import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { createMemoryStore } from '../../src/store/memory/index.js';

/** A page whose form exists only after its script runs; the label changes with `version`. */
let version = 1;
const scriptPage = (): string => `<!doctype html><title>Shop v${version}</title><div id="app"></div>
<script>
  const f = document.createElement('form'); f.action = '/subscribe'; f.method = 'post';
  f.innerHTML = '<label for="e">Email v${version}</label><input id="e" name="email" type="email" required><button>Subscribe</button>';
  document.getElementById('app').append(f);
</script>`;

let site: Server;
let siteUrl: string;
let gateway: Gateway;

async function call(path: string, token: string, init: RequestInit = {}): Promise<Response> {
  return gateway.fetch(new Request(`http://127.0.0.1:8080${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } }), {
    remoteAddress: '127.0.0.1',
  });
}

async function token(role: 'agent' | 'admin'): Promise<string> {
  const key = await gateway.services.security.apiKeys.create({ name: role, role });
  const res = await gateway.fetch(
    new Request('http://127.0.0.1:8080/webmcp/token', {
      method: 'POST',
      headers: { 'x-api-key': key.key, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    }),
    { remoteAddress: '127.0.0.1' },
  );
  return ((await res.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  site = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(scriptPage());
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/shop`;
  const dir = mkdtempSync(join(tmpdir(), 'webmcp-render-gw-'));
  writeFileSync(join(dir, 'static.html'), scriptPage());
  gateway = await createGateway(
    {
      security: { jwt: { secret: 'render-test-secret-0123456789abcdef-0123456789' } },
      pages: {
        live: { url: siteUrl, render: true, refreshInterval: '10s' },
        file: { html: 'static.html', render: true },
        plain: { html: 'static.html' },
      },
    },
    { baseDir: dir, store: createMemoryStore(), logger: createLogger('silent'), watchPages: false },
  );
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  site?.closeAllConnections();
  await new Promise((r) => site?.close(r));
});

describe('gateway pages with render: true', () => {
  it('analyses what the browser shows: the script-built form is there, with the analysis time', async () => {
    const agent = await token('agent');
    const live = (await (await call('/webmcp/pages/live', agent)).json()) as { elements: Array<{ name: string; label?: string }>; metadata: { analyzed_at?: string } };
    expect(live.elements.map((e) => e.label)).toEqual(['Email v1', 'Subscribe']);
    expect(Date.parse(live.metadata.analyzed_at ?? '')).toBeGreaterThan(Date.now() - 120_000);
    const file = (await (await call('/webmcp/pages/file', agent)).json()) as { elements: unknown[] };
    expect(file.elements).toHaveLength(2);
    // The same file without rendering has no form: the controls only exist after the script ran.
    const plain = (await (await call('/webmcp/pages/plain', agent)).json()) as { elements: unknown[]; metadata: { analyzed_at?: string } };
    expect(plain.elements).toHaveLength(0);
    expect(plain.metadata.analyzed_at).toBeTruthy();
  });

  it('re-analyses on demand (admin only), picking up what changed on the live site', async () => {
    const agent = await token('agent');
    const admin = await token('admin');
    version = 2;
    expect((await call('/webmcp/pages/live/refresh', agent, { method: 'POST' })).status).toBe(403);
    const res = await call('/webmcp/pages/live/refresh', admin, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'live', elements: 2 });
    const live = (await (await call('/webmcp/pages/live', agent)).json()) as { elements: Array<{ label?: string }>; context: { title?: string } };
    expect(live.context.title).toBe('Shop v2');
    expect(live.elements[0].label).toBe('Email v2');
  });

  it('refuses a refresh interval under 10 s', async () => {
    await expect(
      createGateway({ security: { jwt: { secret: 'render-test-secret-0123456789abcdef-0123456789' } }, pages: { p: { url: siteUrl, render: true, refreshInterval: 2 } } }, { store: createMemoryStore(), logger: createLogger('silent') }),
    ).rejects.toMatchObject({ code: 'ERR_CONFIG', path: 'pages.p.refreshInterval' });
  });
});
