/**
 * The admin page in real Chromium (Debian chromium through playwright-core): log in with an admin
 * API key, create and revoke a key, with zero CSP violations and console errors; stored XSS
 * payloads (a page label, a key name) are shown as text. Set WEBMCP_SCREENSHOTS=1 to refresh
 * docs/screenshots/ (otherwise the screenshots go to a temp folder).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_HTML, ROOT, startGateway, type Gateway } from '../e2e/gateway-harness.js';
import { launchChromium, type LaunchedBrowser } from './webmcp-chromium.js';

const XSS_PAGE = `<!doctype html><html lang="en"><head><title>Contact &lt;&lt;img src=x onerror=window.__xss=1//&gt;&gt;</title></head><body>
<form id="contact" action="/contact" method="post">
<label for="n">&lt;&lt;img src=x onerror=window.__xss=1//&gt;&gt; Your name</label><input id="n" name="name" required>
<label for="m">&lt;scr&lt;script&gt;ipt&gt;window.__xss=2&lt;/script&gt; Message</label><textarea id="m" name="message"></textarea>
<button type="submit">Send</button></form></body></html>`;
const KEY_NAME_XSS = '<img src=x onerror="window.__xss=3">';

const shotsDir = process.env['WEBMCP_SCREENSHOTS'] === '1' ? join(ROOT, 'docs/screenshots') : mkdtempSync(join(tmpdir(), 'webmcp-shots-'));
let gw: Gateway;
let browser: LaunchedBrowser;
let adminKey: string;
const violations: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(shotsDir, { recursive: true });
  gw = await startGateway({
    files: { 'pages/login.html': LOGIN_HTML, 'pages/contact.html': XSS_PAGE },
    pages: {
      login: { url: 'https://shop.example/login', html: 'pages/login.html', actions: { LOG_IN: { upstream: 'http://127.0.0.1:9/session' } } },
      contact: { url: 'https://shop.example/contact', html: 'pages/contact.html', actions: { CONTACT_SEND: { upstream: 'http://127.0.0.1:9/contact' } } },
    },
  });
  adminKey = (await gw.createKey('admin')).key;
  browser = await launchChromium(false);
  await browser.context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __csp: string[] }).__csp ??= [];
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  browser.page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
    if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
  });
  browser.page.on('pageerror', (err) => consoleErrors.push(err.message));
  browser.page.on('dialog', (dialog) => {
    // Only our own confirm() may open; an alert would be an executed payload.
    if (dialog.type() !== 'confirm') consoleErrors.push(`unexpected ${dialog.type()}: ${dialog.message()}`);
    void dialog.accept();
  });
}, 90_000);

afterAll(async () => {
  // Both, even if one fails: no browser or gateway left behind.
  await Promise.allSettled([browser?.close(), gw?.cleanup()]);
});

async function pageViolations(): Promise<string[]> {
  return browser.page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}

describe('admin page', () => {
  it('logs in with an admin key, creates and revokes a key, with zero CSP violations', async () => {
    const page = browser.page;
    await page.goto(`${gw.url}/admin`);
    await expect.poll(() => page.locator('input[name="api_key"]').count()).toBe(1);
    await page.screenshot({ path: join(shotsDir, 'admin-login.png') });
    expect(await pageViolations()).toEqual([]);

    // A wrong key is refused on the form.
    await page.fill('input[name="api_key"]', 'wmk_nope.' + 'A'.repeat(43));
    await page.click('button[type="submit"]');
    await expect.poll(() => page.locator('[role="alert"]').textContent()).toContain('not accepted');

    await page.fill('input[name="api_key"]', adminKey);
    await Promise.all([page.waitForURL(`${gw.url}/admin`), page.click('button[type="submit"]')]);
    await expect.poll(() => page.locator('header .who').textContent()).toContain('Signed in with key');
    const cookies = await browser.context.cookies(gw.url);
    const session = cookies.find((c) => c.name === 'webmcp-session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await pageViolations()).toEqual([]);

    // Create a reader key: the secret is shown once and works.
    await page.fill('#create-key input[name="name"]', 'browser-made');
    await page.selectOption('#create-key select[name="role"]', 'reader');
    await page.click('#create-key button[type="submit"]');
    await expect.poll(() => page.locator('#secret').isVisible()).toBe(true);
    const created = (await page.locator('#secret-value').textContent())!;
    expect(created).toMatch(/^wmk_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const id = created.split('.')[0]!;
    expect((await gw.token(created)).scope).toBe('webmcp:read');
    await page.screenshot({ path: join(shotsDir, 'admin-dashboard.png'), fullPage: true });

    // Revoke it from its row: it stops working.
    await page.click(`tr[data-row="${id}"] button[data-action="revoke"]`);
    await expect.poll(() => page.locator(`tr[data-row="${id}"] .state`).textContent()).toBe('revoked');
    const refused = await gw.fetch('/webmcp/token', {
      method: 'POST',
      headers: { 'x-api-key': created, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(refused.status).toBe(401);

    // After a reload the server-rendered state agrees, and the audit section shows the changes.
    await page.reload();
    await expect.poll(() => page.locator(`tr[data-row="${id}"] .state`).textContent()).toBe('revoked');
    const audit = (await page.locator('#audit').textContent())!;
    expect(audit).toContain('key.create');
    expect(audit).toContain('key.revoke');
    expect(await page.locator('#chain').textContent()).toContain('chain intact');
    expect(await page.locator('#rate').textContent()).toContain('ip 127.0.0.1');

    expect(await pageViolations()).toEqual([]);
    expect(violations).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('shows stored XSS payloads (page labels, key names) as text', async () => {
    const page = browser.page;
    await page.fill('#create-key input[name="name"]', KEY_NAME_XSS);
    await page.click('#create-key button[type="submit"]');
    await expect.poll(() => page.locator('#keys-body').textContent()).toContain(KEY_NAME_XSS);
    await page.reload();
    await page.locator('#pages details').first().evaluate((d) => ((d as HTMLDetailsElement).open = true));
    for (const details of await page.locator('#pages details').all()) await details.evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await page.screenshot({ path: join(shotsDir, 'admin-pages.png'), fullPage: true });

    // The name is in the table as text, not as an element.
    expect(await page.locator('#keys-body').textContent()).toContain(KEY_NAME_XSS);
    expect(await page.locator('#keys-body img').count()).toBe(0);
    // Whatever of the label payloads survived the core's cleaning is text in the cells too.
    const labels = await page.locator('#pages td.label').allTextContents();
    const doc = (await (await gw.fetch('/webmcp/pages/contact', { headers: { authorization: `Bearer ${(await gw.token(adminKey)).access_token}` } })).json()) as {
      elements: { label?: string }[];
    };
    for (const label of doc.elements.map((e) => e.label).filter(Boolean)) expect(labels).toContain(label);
    expect(labels.some((l) => /[<>"]/.test(l))).toBe(true);
    expect(await page.locator('#pages img, #pages script, #pages svg').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await pageViolations()).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
