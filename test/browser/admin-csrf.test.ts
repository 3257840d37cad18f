/**
 * Cross-origin attacks on the admin in real Chromium: while an admin is signed in at
 * http://127.0.0.1:PORT, pages on other origins (http://localhost:OTHER, cross-site, and
 * http://127.0.0.1:OTHER, same-site on another port) try state-changing requests with the admin's
 * cookie: fetch (no-cors and CORS), form posts (create key, revoke the admin's key, login CSRF).
 * None of them changes anything, and none can read an answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../e2e/gateway-harness.js';
import { launchChromium, type LaunchedBrowser } from './webmcp-chromium.js';

let gw: Gateway;
let browser: LaunchedBrowser;
let attacker: Server;
let attackerPort: number;
let admin: { id: string; key: string };
let attackerKey: string;

function attackPage(gateway: string, victimKeyId: string, ownKey: string): string {
  return `<!doctype html><html><head><title>attack</title></head><body>
<iframe name="sink1"></iframe><iframe name="sink2"></iframe><iframe name="sink3"></iframe>
<form id="f1" method="post" action="${gateway}/admin/api/keys" enctype="text/plain" target="sink1">
<input name='{"name":"pwned-form","role":"admin","x":"' value='"}'></form>
<form id="f2" method="post" action="${gateway}/admin/api/keys/${victimKeyId}/revoke" target="sink2"></form>
<form id="f3" method="post" action="${gateway}/admin/login" target="sink3"><input name="api_key" value="${ownKey}"></form>
<script>
const G = ${JSON.stringify(gateway)};
const results = {};
async function attempt(name, fn) {
  try { const r = await fn(); results[name] = r.type === 'opaque' ? 'opaque' : 'status ' + r.status; }
  catch (e) { results[name] = 'error ' + e.name; }
}
(async () => {
  await attempt('no-cors create', () => fetch(G + '/admin/api/keys', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ name: 'pwned-fetch', role: 'admin' }) }));
  await attempt('cors create', () => fetch(G + '/admin/api/keys', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json', 'x-csrf-token': 'guess' }, body: JSON.stringify({ name: 'pwned-cors', role: 'admin' }) }));
  await attempt('no-cors revoke', () => fetch(G + '/admin/api/keys/${victimKeyId}/revoke', { method: 'POST', mode: 'no-cors', credentials: 'include' }));
  await attempt('read keys', () => fetch(G + '/admin/api/keys', { credentials: 'include' }));
  await attempt('read csrf token', () => fetch(G + '/webmcp/csrf', { credentials: 'include' }));
  await attempt('logout', () => fetch(G + '/webmcp/session', { method: 'DELETE', mode: 'no-cors', credentials: 'include' }));
  let loaded = 0;
  for (const name of ['sink1', 'sink2', 'sink3']) document.querySelector('iframe[name=' + name + ']').addEventListener('load', () => { if (++loaded === 3) { window.__results = results; } });
  for (const id of ['f1', 'f2', 'f3']) document.getElementById(id).submit();
})();
</script></body></html>`;
}

beforeAll(async () => {
  gw = await startGateway({});
  admin = await gw.createKey('admin');
  attackerKey = (await gw.createKey('admin')).key;
  attacker = createServer((req, res) => {
    const gateway = new URL(req.url ?? '/', 'http://x').searchParams.get('g') ?? '';
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(attackPage(gateway, admin.id, attackerKey));
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
  attackerPort = (attacker.address() as AddressInfo).port;
  browser = await launchChromium(false);
}, 90_000);

afterAll(async () => {
  attacker?.closeAllConnections();
  // All of them, even if one fails: no browser, server or gateway left behind.
  await Promise.allSettled([browser?.close(), new Promise<void>((r) => (attacker ? attacker.close(() => r()) : r())), gw?.cleanup()]);
});

async function adminToken(): Promise<string> {
  return (await gw.token(admin.key)).access_token;
}

async function keyNames(): Promise<string[]> {
  const res = await gw.fetch('/admin/api/keys', { headers: { authorization: `Bearer ${await adminToken()}` } });
  return ((await res.json()) as { keys: { name: string }[] }).keys.map((k) => k.name);
}

describe('admin against cross-origin pages', () => {
  it('signs in at 127.0.0.1', async () => {
    const page = browser.page;
    await page.goto(`${gw.url}/admin`);
    await page.fill('input[name="api_key"]', admin.key);
    await Promise.all([page.waitForURL(`${gw.url}/admin`), page.click('button[type="submit"]')]);
    await expect.poll(() => page.locator('header .who').textContent()).toContain(admin.id);
  });

  for (const host of ['localhost', '127.0.0.1']) {
    it(`a page on http://${host}:<other port> cannot change state with the admin's cookie`, async () => {
      const before = await keyNames();
      const page = await browser.context.newPage();
      try {
        await page.goto(`http://${host}:${attackerPort}/?g=${encodeURIComponent(gw.url)}`);
        const results = (await (await page.waitForFunction(() => (window as unknown as { __results?: unknown }).__results, null, { timeout: 20_000 })).jsonValue()) as Record<
          string,
          string
        >;
        // No answer is readable across origins.
        expect(results['cors create']).toBe('error TypeError');
        expect(results['read keys']).toBe('error TypeError');
        expect(results['read csrf token']).toBe('error TypeError');
        // Sent, but even the opaque answer is withheld (Cross-Origin-Resource-Policy: same-origin).
        expect(results['no-cors create']).toBe('error TypeError');
      } finally {
        await page.close();
      }
      // Nothing changed: no new key, the admin's key still works, the admin is still signed in.
      expect(await keyNames()).toEqual(before);
      expect((await gw.token(admin.key)).scope).toContain('webmcp:admin');
      await browser.page.reload();
      await expect.poll(() => browser.page.locator('header .who').textContent()).toContain(admin.id);
    });
  }

  it('audited the attempts that carried the cookie as CSRF refusals', async () => {
    const res = await gw.fetch('/webmcp/audit?limit=1000', { headers: { authorization: `Bearer ${await adminToken()}` } });
    const { entries } = (await res.json()) as { entries: { action: string; actor: string; resource: string; outcome: string }[] };
    const csrf = entries.filter((e) => e.action === 'csrf.refused');
    expect(csrf.some((e) => e.resource === '/admin/api/keys')).toBe(true);
    expect(csrf.some((e) => e.resource === `/admin/api/keys/${admin.id}/revoke`)).toBe(true);
    expect(csrf.some((e) => e.resource === '/admin/login')).toBe(true);
    // The only keys ever created are the two the test made with the CLI.
    expect(entries.filter((e) => e.action === 'key.create').map((e) => e.actor)).toEqual(['cli', 'cli']);
    expect(entries.filter((e) => e.action === 'key.revoke')).toEqual([]);
  });
});
