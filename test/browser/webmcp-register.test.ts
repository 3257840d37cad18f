// `webmcp/browser` in real Chromium: tools registered with the native `document.modelContext`
// (listed and called by playwright's in-browser agent, `page.webmcp`) and with a polyfilled
// `navigator.modelContext` in a browser without WebMCP. Calling a tool fills and submits the real
// form; the local server checks the values and the page's own CSRF token.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { bundleBrowserScripts, launchChromium, type LaunchedBrowser } from './webmcp-chromium.js';

const DESCRIPTION = {
  version: '0.2',
  context: { title: 'Shop: sign in', purpose: 'login' },
  elements: [
    { name: 'EMAIL', role: 'input.email', selector: '#login input[name="email"]', label: 'Email address', form: 'LOGIN', required: true },
    { name: 'PASSWORD', role: 'input.password', selector: '#login input[name="password"]', label: 'Password', form: 'LOGIN', required: true, security: { encryption: 'required' } },
    { name: 'REMEMBER', role: 'input.checkbox', selector: '#login input[name="remember"]', label: 'Remember me', form: 'LOGIN' },
    { name: 'COUNTRY', role: 'input.select', selector: '#login select[name="country"]', label: 'Country', form: 'LOGIN' },
    { name: 'PLAN_FREE', role: 'input.radio', selector: '#plan-free', label: 'Free', form: 'LOGIN' },
    { name: 'PLAN_PRO', role: 'input.radio', selector: '#plan-pro', label: 'Pro', form: 'LOGIN' },
    { name: 'SIGN_IN', role: 'action.submit', selector: '#login button', label: 'Sign in', form: 'LOGIN', method: 'POST' },
    { name: 'QUERY', role: 'input.search', selector: '#search input', label: 'Search', form: 'SEARCH' },
    { name: 'SEARCH', role: 'action.submit', selector: '#search button', label: 'Search', form: 'SEARCH', method: 'GET' },
    { name: 'NEWS_EMAIL', role: 'input.email', selector: '#news-email', label: 'Newsletter email', form: 'NEWSLETTER', required: true },
    { name: 'SUBSCRIBE', role: 'action.submit', selector: '#news button', label: 'Subscribe', form: 'NEWSLETTER', method: 'POST' },
    { name: 'HOME', role: 'action.navigate', selector: 'a#home', label: 'Home' },
  ],
};

type Loader = 'module' | 'auto' | 'auto-gateway' | 'polyfill' | 'conflict';

const LOADERS: Record<Loader, string> = {
  // The page already registered a tool under one of our names.
  conflict: `<script type="module">
    await document.modelContext.registerTool({ name: 'shop_subscribe', description: 'the page own tool', inputSchema: { type: 'object', properties: {} }, execute: async () => ({ content: [{ type: 'text', text: 'own' }] }) });
    const { registerPageTools } = await import('/webmcp.min.js');
    const tools = registerPageTools({ page: 'shop' });
    window.webmcpFailure = tools.ready.then(() => 'registered', (e) => e.name + ': ' + e.message);
    window.webmcpPageTools = tools;
  </script>`,
  module: `<script type="module">
    import { registerPageTools } from '/webmcp.min.js';
    window.webmcpPageTools = registerPageTools({ page: 'shop' });
  </script>`,
  auto: `<script src="/auto.js" data-page="shop"></script>`,
  'auto-gateway': `<script src="/auto.js" data-gateway="ORIGIN" data-page="shop"></script>`,
  polyfill: `<script>
    const registered = new Map();
    const log = [];
    Object.defineProperty(navigator, 'modelContext', { configurable: true, value: {
      registerTool(tool) { if (registered.has(tool.name)) throw new Error('duplicate ' + tool.name); registered.set(tool.name, tool); log.push('register ' + tool.name); },
      unregisterTool(name) { registered.delete(name); log.push('unregister ' + name); },
    } });
    window.polyfill = { registered, log };
  </script>
  <script type="module">
    import { registerPageTools } from '/webmcp.min.js';
    window.webmcpPageTools = registerPageTools({ page: 'shop' });
  </script>`,
};

function pageHtml(csrf: string, loader: Loader, origin: string): string {
  const embedded = loader === 'auto-gateway' ? '' : `<script type="application/webmcp+json">${JSON.stringify(DESCRIPTION)}</script>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop: sign in</title>${embedded}</head><body>
  <a id="home" href="/">Home</a>
  <form id="login" method="post" action="/session">
    <input type="hidden" name="_csrf" value="${csrf}">
    <label>Email address <input type="email" name="email" required></label>
    <label>Password <input type="password" name="password" required minlength="8"></label>
    <label><input type="checkbox" name="remember" value="yes"> Remember me</label>
    <label>Country <select name="country"><option value="">Choose</option><option value="de">Germany</option><option value="fr">France</option></select></label>
    <label><input type="radio" id="plan-free" name="plan" value="free" checked> Free</label>
    <label><input type="radio" id="plan-pro" name="plan" value="pro"> Pro</label>
    <button type="submit" name="go" value="sign-in">Sign in</button>
  </form>
  <form id="search" toolname="search_site" tooldescription="Search the shop" method="get" action="/search">
    <input type="search" name="q"><button>Search</button>
  </form>
  <form id="news" method="post" action="/newsletter">
    <input type="hidden" name="_csrf" value="${csrf}">
    <input type="email" id="news-email" name="email" required><button>Subscribe</button>
  </form>
  <script>
    window.events = [];
    for (const type of ['input', 'change']) document.addEventListener(type, (e) => events.push(type + ':' + (e.target.id || e.target.name)), true);
    // A single-page form: the page submits it itself with fetch, keeping its CSRF token.
    document.getElementById('news').addEventListener('submit', (e) => {
      e.preventDefault();
      fetch('/newsletter', { method: 'POST', body: new URLSearchParams(new FormData(e.target)) });
    });
  </script>
  ${LOADERS[loader].replace('ORIGIN', origin)}
</body></html>`;
}

interface Submission {
  path: string;
  fields: Record<string, string>;
  csrfValid: boolean;
}

let server: Server;
let origin: string;
let bundleDir: string;
let bundles: Record<string, string>;
const issuedCsrf = new Set<string>();
const sessions = new Set<string>();
const submissions: Submission[] = [];
const waiters: (() => void)[] = [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

async function handle(req: IncomingMessage): Promise<{ status: number; type: string; body: string; headers?: Record<string, string> }> {
  const url = new URL(req.url ?? '/', origin);
  if (req.method === 'GET' && url.pathname.startsWith('/page/')) {
    const csrf = randomBytes(16).toString('hex');
    const session = randomBytes(16).toString('hex');
    issuedCsrf.add(csrf);
    sessions.add(session);
    const html = pageHtml(csrf, url.pathname.slice('/page/'.length) as Loader, origin);
    return { status: 200, type: 'text/html', body: html, headers: { 'set-cookie': `sid=${session}; Path=/; HttpOnly; SameSite=Strict` } };
  }
  if (req.method === 'GET' && bundles[url.pathname]) return { status: 200, type: 'text/javascript', body: bundles[url.pathname]! };
  if (req.method === 'GET' && url.pathname === '/webmcp/pages/shop') {
    const sid = /(?:^|;\s*)sid=([0-9a-f]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (!sid || !sessions.has(sid)) return { status: 401, type: 'application/problem+json', body: '{"title":"Unauthorized","status":401}' };
    return { status: 200, type: 'application/json', body: JSON.stringify(DESCRIPTION) };
  }
  if (req.method === 'POST') {
    const fields = Object.fromEntries(new URLSearchParams(await readBody(req)));
    submissions.push({ path: url.pathname, fields, csrfValid: issuedCsrf.has(fields._csrf ?? '') });
    waiters.splice(0).forEach((wake) => wake());
    return { status: 200, type: 'text/html', body: '<!doctype html><title>done</title><p>ok</p>' };
  }
  return { status: 404, type: 'text/plain', body: 'not found' };
}

/** Resolves with the next submission the server receives. */
async function nextSubmission(count: number): Promise<Submission> {
  const deadline = Date.now() + 10_000;
  while (submissions.length <= count) {
    if (Date.now() > deadline) throw new Error('no submission arrived');
    await new Promise<void>((resolve) => {
      waiters.push(resolve);
      setTimeout(resolve, 200);
    });
  }
  return submissions[count]!;
}

async function openPage(browser: LaunchedBrowser, loader: Loader): Promise<{ page: Page; tools: string[] }> {
  const page = browser.page;
  await page.goto(`${origin}/page/${loader}`);
  await page.waitForFunction(() => 'webmcpPageTools' in window);
  const tools = await page.evaluate(() => (window as unknown as { webmcpPageTools: { ready: Promise<string[]> } }).webmcpPageTools.ready);
  return { page, tools };
}

beforeAll(async () => {
  bundleDir = await mkdtemp(join(tmpdir(), 'webmcp-bundle-'));
  await bundleBrowserScripts(bundleDir);
  bundles = {
    '/auto.js': await readFile(join(bundleDir, 'auto.js'), 'utf8'),
    '/webmcp.min.js': await readFile(join(bundleDir, 'webmcp.min.js'), 'utf8'),
  };
  server = createServer((req, res) => {
    handle(req).then(
      (r) => res.writeHead(r.status, { 'content-type': r.type, ...r.headers }).end(r.body),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  origin = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(bundleDir, { recursive: true, force: true });
});

describe('native document.modelContext (Chromium --enable-features=WebMCP)', () => {
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    browser = await launchChromium(true);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('registers one tool per form action, with schemas, and leaves toolname forms to the browser', async () => {
    const { page, tools } = await openPage(browser, 'module');
    expect(tools).toEqual(['shop_sign_in', 'shop_subscribe']);
    const listed = await page.webmcp.tools();
    const names = listed.map((t) => t.name).sort();
    // search_site is the browser's own declarative tool, exactly once; no shop_search duplicate.
    expect(names).toEqual(['search_site', 'shop_sign_in', 'shop_subscribe']);
    const signIn = listed.find((t) => t.name === 'shop_sign_in')!;
    expect(signIn.description).toContain('Sign in');
    expect(signIn.inputSchema).toMatchObject({
      type: 'object',
      required: ['EMAIL', 'PASSWORD'],
      additionalProperties: false,
      properties: {
        EMAIL: { type: 'string', format: 'email', description: 'Email address' },
        PASSWORD: { type: 'string', minLength: 8 },
        REMEMBER: { type: 'boolean' },
        COUNTRY: { type: 'string', enum: ['', 'de', 'fr'] },
        PLAN_PRO: { type: 'boolean' },
      },
    });
  });

  it('calling a tool fills the real form and submits it with the page CSRF token', async () => {
    const { page } = await openPage(browser, 'module');
    const before = submissions.length;
    const result = await page.webmcp.callTool('shop_sign_in', {
      EMAIL: 'ada@example.com',
      PASSWORD: 'correct horse battery',
      REMEMBER: true,
      COUNTRY: 'France',
      PLAN_PRO: true,
    });
    expect(result).toMatchObject({ content: [{ type: 'text', text: expect.stringContaining('Submitted "Sign in"') }] });
    const got = await nextSubmission(before);
    await page.waitForURL(`${origin}/session`);
    expect(got).toMatchObject({
      path: '/session',
      csrfValid: true,
      fields: { email: 'ada@example.com', password: 'correct horse battery', remember: 'yes', country: 'fr', plan: 'pro', go: 'sign-in' },
    });
  });

  it('refuses bad input without touching the form or submitting', async () => {
    const { page } = await openPage(browser, 'module');
    const before = submissions.length;
    const unknown = (await page.webmcp.callTool('shop_sign_in', { EMAIL: 'a@b.c', PASSWORD: 'longenough', _csrf: 'forged' })) as { isError?: boolean; content: { text: string }[] };
    expect(unknown.isError).toBe(true);
    expect(unknown.content[0]!.text).toContain('unknown field _csrf');
    const wrongType = (await page.webmcp.callTool('shop_sign_in', { EMAIL: 'a@b.c', PASSWORD: 'longenough', REMEMBER: 'yes' })) as { isError?: boolean; content: { text: string }[] };
    expect(wrongType.content[0]!.text).toContain('REMEMBER must be true or false');
    const missing = (await page.webmcp.callTool('shop_sign_in', { EMAIL: 'a@b.c' })) as { isError?: boolean; content: { text: string }[] };
    expect(missing.content[0]!.text).toContain('PASSWORD is required');
    // The browser's own constraint validation runs before submitting.
    const tooShort = (await page.webmcp.callTool('shop_sign_in', { EMAIL: 'a@b.c', PASSWORD: 'short' })) as { isError?: boolean; content: { text: string }[] };
    expect(tooShort.isError).toBe(true);
    expect(tooShort.content[0]!.text).toBe('Not submitted: PASSWORD must have at least 8 characters.');
    const badEmail = (await page.webmcp.callTool('shop_sign_in', { EMAIL: 'not an email', PASSWORD: 'longenough' })) as { isError?: boolean; content: { text: string }[] };
    expect(badEmail.isError).toBe(true);
    expect(badEmail.content[0]!.text).toMatch(/^Not submitted: EMAIL: ./);
    expect(await page.inputValue('#login input[name="email"]')).toBe('not an email');
    expect(await page.evaluate(() => document.querySelector<HTMLInputElement>('input[name="_csrf"]')!.value)).toMatch(/^[0-9a-f]{32}$/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(submissions.length).toBe(before);
  });

  it('fires input/change events and lets a page that handles submit itself do so', async () => {
    const { page } = await openPage(browser, 'module');
    const before = submissions.length;
    const result = (await page.webmcp.callTool('shop_subscribe', { NEWS_EMAIL: 'news@example.com' })) as { content: { text: string }[] };
    expect(result.content[0]!.text).toContain('handled the submission in place');
    const got = await nextSubmission(before);
    expect(got).toMatchObject({ path: '/newsletter', csrfValid: true, fields: { email: 'news@example.com' } });
    expect(await page.evaluate(() => (window as unknown as { events: string[] }).events)).toEqual(['input:news-email', 'change:news-email']);
    expect(page.url()).toBe(`${origin}/page/module`);
  });

  it('registers all or nothing: a name clash rejects ready and unregisters what was registered', async () => {
    const page = browser.page;
    await page.goto(`${origin}/page/conflict`);
    await page.waitForFunction(() => 'webmcpPageTools' in window);
    expect(await page.evaluate(() => (window as unknown as { webmcpFailure: Promise<string> }).webmcpFailure)).toBe('InvalidStateError: Duplicate tool name');
    const listed = await page.webmcp.tools();
    expect(listed.map((t) => t.name).sort()).toEqual(['search_site', 'shop_subscribe']);
    expect(listed.find((t) => t.name === 'shop_subscribe')!.description).toBe('the page own tool');
  });

  it('aborting the controller unregisters the tools', async () => {
    const { page } = await openPage(browser, 'module');
    await page.evaluate(() => (window as unknown as { webmcpPageTools: AbortController }).webmcpPageTools.abort());
    expect((await page.webmcp.tools()).map((t) => t.name)).toEqual(['search_site']);
  });

  it('webmcp/browser/auto registers from the embedded description as a classic script', async () => {
    const { page, tools } = await openPage(browser, 'auto');
    expect(tools).toEqual(['shop_sign_in', 'shop_subscribe']);
    expect(bundles['/auto.js']).not.toMatch(/\bimport\b[\s{*]|\bexport\b/);
    const before = submissions.length;
    await page.webmcp.callTool('shop_sign_in', { EMAIL: 'auto@example.com', PASSWORD: 'auto-password' });
    expect(await nextSubmission(before)).toMatchObject({ csrfValid: true, fields: { email: 'auto@example.com', password: 'auto-password', plan: 'free' } });
    await page.waitForURL(`${origin}/session`);
  });

  it('webmcp/browser/auto reads the description from the gateway with the session cookie', async () => {
    const { page, tools } = await openPage(browser, 'auto-gateway');
    expect(tools).toEqual(['shop_sign_in', 'shop_subscribe']);
    expect((await page.webmcp.tools()).map((t) => t.name).sort()).toEqual(['search_site', 'shop_sign_in', 'shop_subscribe']);
  });
});

describe('polyfilled navigator.modelContext (Chromium without WebMCP)', () => {
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    browser = await launchChromium(false);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('registers with registerTool, fills and submits on execute, unregisters with unregisterTool', async () => {
    const { page, tools } = await openPage(browser, 'polyfill');
    expect(await page.evaluate(() => 'modelContext' in document)).toBe(false);
    expect(tools).toEqual(['shop_sign_in', 'shop_subscribe']);
    // search_site is a toolname form: left to a browser that implements declarative WebMCP.
    type Polyfill = { polyfill: { registered: Map<string, { inputSchema: unknown; execute(i: unknown): Promise<unknown> }>; log: string[] } };
    const schema = await page.evaluate(() => (window as unknown as Polyfill).polyfill.registered.get('shop_sign_in')!.inputSchema);
    expect(schema).toMatchObject({ required: ['EMAIL', 'PASSWORD'] });
    await page.evaluate(() => (window as unknown as { webmcpPageTools: AbortController }).webmcpPageTools.abort());
    expect(await page.evaluate(() => (window as unknown as Polyfill).polyfill.log)).toEqual([
      'register shop_sign_in',
      'register shop_subscribe',
      'unregister shop_sign_in',
      'unregister shop_subscribe',
    ]);

    const second = await openPage(browser, 'polyfill');
    const before = submissions.length;
    const result = await second.page.evaluate(() =>
      (window as unknown as Polyfill).polyfill.registered.get('shop_sign_in')!.execute({ EMAIL: 'poly@example.com', PASSWORD: 'polyfilled!', COUNTRY: 'de' }),
    );
    expect(result).toMatchObject({ content: [{ text: expect.stringContaining('Submitted') }] });
    expect(await nextSubmission(before)).toMatchObject({
      path: '/session',
      csrfValid: true,
      fields: { email: 'poly@example.com', password: 'polyfilled!', country: 'de', plan: 'free' },
    });
    await second.page.waitForURL(`${origin}/session`);
  });
});
