// The site-owner path end to end: the core analyses a page, `toDeclarationScript(doc)` gives the
// block to paste into it, and `webmcp/browser` registers tools from that block in real Chromium
// (native WebMCP). Calling one fills and submits the real form with the page's CSRF token.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebMCPProcessor, toDeclarationScript } from '../../src/index.js';
import { bundleBrowserScripts, launchChromium, type LaunchedBrowser } from './webmcp-chromium.js';

const body = (csrf: string) => `
<main>
  <h1>Contact us</h1>
  <form id="contact" method="post" action="/contact">
    <input type="hidden" name="authenticity_token" value="${csrf}">
    <p><label for="name">Your name</label> <input id="name" name="name" required></p>
    <p><label for="mail">Email</label> <input id="mail" type="email" name="mail" required></p>
    <p><label for="topic">Topic</label> <select id="topic" name="topic"><option value="sales">Sales</option><option value="support">Support</option></select></p>
    <p><label for="msg">Message</label> <textarea id="msg" name="message" maxlength="500"></textarea></p>
    <p><label><input type="checkbox" name="copy" value="1"> Send me a copy</label></p>
    <button type="submit">Send message</button>
  </form>
</main>`;

let server: Server;
let origin: string;
let browser: LaunchedBrowser;
let bundleDir: string;
let declaration: string;
const csrfTokens = new Set<string>();
const received: { fields: Record<string, string>; csrfValid: boolean }[] = [];

beforeAll(async () => {
  // What a site owner does once: analyse the page and paste the declaration into it.
  const doc = await new WebMCPProcessor().process(`<!doctype html><html><head><title>Contact</title></head><body>${body('x'.repeat(32))}</body></html>`, {
    url: 'https://site.example/contact',
  });
  declaration = toDeclarationScript(doc);
  bundleDir = await mkdtemp(join(tmpdir(), 'webmcp-decl-'));
  await bundleBrowserScripts(bundleDir);
  const esm = await readFile(join(bundleDir, 'webmcp.min.js'), 'utf8');
  server = createServer((req, res) => {
    if (req.url === '/webmcp.min.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(esm);
    if (req.method === 'POST') {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        const fields = Object.fromEntries(new URLSearchParams(data));
        received.push({ fields, csrfValid: csrfTokens.has(fields.authenticity_token ?? '') });
        res.writeHead(303, { location: '/thanks' }).end();
      });
      return;
    }
    if (req.url === '/thanks') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<p>thanks</p>');
    const csrf = randomBytes(16).toString('hex');
    csrfTokens.add(csrf);
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><head><title>Contact</title>${declaration}</head><body>${body(csrf)}
      <script type="module">import { registerPageTools } from '/webmcp.min.js'; window.webmcpPageTools = registerPageTools({ page: 'contact' });</script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium(true);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

it('registers tools from the core declaration and submits the real form', async () => {
  expect(declaration).toMatch(/^<script type="application\/webmcp\+json">/);
  const page = browser.page;
  await page.goto(`${origin}/contact`);
  await page.waitForFunction(() => 'webmcpPageTools' in window);
  const names = await page.evaluate(() => (window as unknown as { webmcpPageTools: { ready: Promise<string[]> } }).webmcpPageTools.ready);
  expect(names).toHaveLength(1);
  const [tool] = (await page.webmcp.tools()).filter((t) => t.name === names[0]);
  expect(tool!.name).toMatch(/^contact_/);
  const schema = tool!.inputSchema as { properties: Record<string, { type: string; enum?: string[] }>; required: string[] };
  const byType = Object.entries(schema.properties).map(([k, v]) => [k, v.type, v.enum ?? null]);
  expect(byType).toEqual(
    expect.arrayContaining([
      [expect.any(String), 'string', ['sales', 'support']],
      [expect.any(String), 'boolean', null],
    ]),
  );
  expect(schema.required).toHaveLength(2);

  // Fill by the document's element names, as an agent reading the schema would.
  const key = (predicate: (name: string) => boolean) => Object.keys(schema.properties).find(predicate)!;
  const input = {
    [key((k) => k.includes('NAME'))]: 'Ada Lovelace',
    [key((k) => k.includes('MAIL'))]: 'ada@example.com',
    [key((k) => schema.properties[k]!.enum !== undefined)]: 'support',
    [key((k) => k.includes('MESSAGE'))]: 'Hello from an agent',
    [key((k) => schema.properties[k]!.type === 'boolean')]: true,
  };
  const result = (await page.webmcp.callTool(names[0]!, input)) as { isError?: boolean };
  expect(result.isError).toBeFalsy();
  await page.waitForURL(`${origin}/thanks`);
  expect(received.at(-1)).toEqual({
    csrfValid: true,
    fields: { authenticity_token: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'Ada Lovelace', mail: 'ada@example.com', topic: 'support', message: 'Hello from an agent', copy: '1' },
  });
});
