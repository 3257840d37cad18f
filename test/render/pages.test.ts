import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, createBrowserPool, renderAndAnalyze, resolveChromium, type BrowserPool } from '../../src/render/index.js';
import type { WebMCPDocument } from '../../src/core/types.js';
import { WebMCPProcessor, type ProcessOptions } from '../../src/core/processor.js';
import { MISNESTED, RUNTIME_TOOLS, SCRIPTED_FORM, SHADOW_LOGIN, CLOSED_SHADOW_LOGIN, STYLE_HIDDEN } from './pages.js';
import { servePages } from './server.js';
import { openShadowRoots } from '../../src/render/session.js';

let pool: BrowserPool;
let site: Awaited<ReturnType<typeof servePages>>;
let checker: Browser;

beforeAll(async () => {
  site = await servePages({
    '/scripted': SCRIPTED_FORM,
    '/api/config': (_req, res) => {
      res.setHeader('content-type', 'application/json');
      // A slow API: the form only exists once this answers, after `load`.
      setTimeout(() => res.end(JSON.stringify({ action: '/session' })), 150);
    },
    '/shadow': SHADOW_LOGIN,
    '/closed-shadow': CLOSED_SHADOW_LOGIN,
    '/tools': RUNTIME_TOOLS,
    '/hidden': STYLE_HIDDEN,
    '/misnested': MISNESTED,
  });
  pool = createBrowserPool({ maxPages: 2, pageTimeoutMs: 15_000 });
  // An independent browser to check selectors the way an agent would use them.
  checker = await chromium.launch({ executablePath: resolveChromium(), args: [...CHROMIUM_ARGS] });
});

afterAll(async () => {
  await pool?.close();
  await checker?.close();
  await site?.close();
});

async function checkerPage(url: string): Promise<Page> {
  const page = await checker.newPage();
  await page.goto(url);
  return page;
}

/** Every element selector matches exactly one element on a fresh load of the live page. */
async function expectLiveSelectors(url: string, doc: WebMCPDocument, waitFor?: string, openClosedRoots = false): Promise<void> {
  const page = await checker.newPage();
  try {
    // Closed roots are out of reach of every CSS engine; an agent's browser opens them as ours does.
    if (openClosedRoots) await page.addInitScript(openShadowRoots);
    await page.goto(url);
    if (waitFor) await page.locator(waitFor).first().waitFor();
    for (const el of doc.elements) expect(await page.locator(el.selector).count(), `${el.name}: ${el.selector}`).toBe(1);
  } finally {
    await page.close();
  }
}

/** Whether the core attaches `<template shadowrootmode>` contents as shadow trees when asked to. */
function coreReadsShadowRoots(): boolean {
  const options: ProcessOptions & { shadowRoots: boolean } = { shadowRoots: true };
  const doc = new WebMCPProcessor({ cache: false }).processSync('<div><template shadowrootmode="open"><button>x</button></template></div>', options);
  return doc.elements.length === 1;
}

describe('rendered pages', () => {
  it('finds a form that a script builds after a data fetch, with live state but no secrets', async () => {
    const { document: doc, page } = await renderAndAnalyze(`${site.base}/scripted`, { pool });
    expect(doc.elements.map((e) => e.role).sort()).toEqual(['action.submit', 'input.email', 'input.password']);
    const email = doc.elements.find((e) => e.role === 'input.email');
    expect(email?.label).toBe('Email address');
    expect(doc.context.url).toBe(`${site.base}/scripted`);
    expect(doc.metadata.analyzed_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    // State that lives in properties is serialised; the password value never is.
    expect(page.html).toContain('value="typed@example.com"');
    expect(page.html).not.toContain('hunter2');
    // Script text is not carried into the analysed HTML, and neither are the renderer's own element tags.
    expect(page.html).not.toContain('createElement');
    expect(page.html).not.toMatch(/data-wr[0-9a-f]/);
    await expectLiveSelectors(`${site.base}/scripted`, doc, 'form');
  });

  it('keeps only what the stylesheet shows', async () => {
    const { document: doc, page } = await renderAndAnalyze(`${site.base}/hidden`, { pool });
    const labels = doc.elements.map((e) => e.label).sort();
    // The visually hidden checkbox stays: a person toggles it through its visible label.
    // A landmark or clickable wrapper is never marked in a way that hides a control a person sees: the
    // invisible wrapper stays listed (the core has no "this element only" mark) rather than losing its button.
    expect(labels).toEqual(['In a landmark', 'More', 'Remember me', 'Save', 'Shown inside hidden', 'Wrapper']);
    expect(page.stats.hiddenMarked).toBe(7);
    expect(page.html).toContain('<input type="hidden" name="token" value="t">');
    await expectLiveSelectors(`${site.base}/hidden`, doc);
  });

  it('records tools registered through document.modelContext and navigator.modelContext', async () => {
    const { document: doc } = await renderAndAnalyze(`${site.base}/tools`, { pool });
    const tools = doc.tools ?? [];
    expect(tools.map((t) => t.name).sort()).toEqual(['add_to_cart', 'checkout', 'late_tool', 'search_catalog']);
    const search = tools.find((t) => t.name === 'search_catalog');
    expect(search?.description).toBe('Search the catalog');
    expect(search?.inputSchema).toEqual({ type: 'object', properties: { q: { type: 'string', description: 'query' } }, required: ['q'] });
    expect(search?.annotations).toEqual({ readOnlyHint: true });
    expect(JSON.stringify(tools)).not.toContain('execute');
  });

  it('serialises open shadow roots as declarative shadow DOM', async () => {
    const page = await pool.render(`${site.base}/shadow`);
    expect(page.stats.shadowRoots).toBe(1);
    expect(page.html).toMatch(/<login-widget><template shadowrootmode="open"><style><\/style><form action="\/session" method="post">/);
    expect(page.html).toContain('<span slot="note">Use your work account</span></login-widget>');
  });

  it.skipIf(!coreReadsShadowRoots())('finds the controls of a shadow-DOM login widget, with selectors that pierce into it', async () => {
    const { document: doc } = await renderAndAnalyze(`${site.base}/shadow`, { pool });
    expect(doc.elements.map((e) => e.role).sort()).toEqual(['action.navigate', 'action.submit', 'input.password', 'input.text']);
    expect(doc.metadata.diagnostics?.some((d) => d.code === 'RENDER_SELECTOR_UNRESOLVED') ?? false).toBe(false);
    await expectLiveSelectors(`${site.base}/shadow`, doc, 'login-widget');
  });

  it.skipIf(!coreReadsShadowRoots())('reaches into a closed shadow root too: its controls are there, selectable on the live page', async () => {
    const { document: doc } = await renderAndAnalyze(`${site.base}/closed-shadow`, { pool });
    expect(doc.elements.map((e) => e.role).sort()).toEqual(['action.navigate', 'action.submit', 'input.password', 'input.text']);
    expect(doc.metadata.diagnostics?.some((d) => d.code === 'RENDER_SELECTOR_UNRESOLVED') ?? false).toBe(false);
    await expectLiveSelectors(`${site.base}/closed-shadow`, doc, 'login-widget', true);
  });

  it('forwards registrations to Chromium\'s own WebMCP, which still lists and runs them', async () => {
    const webmcp = createBrowserPool({ args: ['--enable-features=WebMCP'], pageTimeoutMs: 15_000 });
    try {
      await webmcp.withSession(`${site.base}/tools`, async (session) => {
        const rendered = await session.snapshot();
        const recorded = rendered.tools.map((t) => t.name).sort();
        expect(recorded).toEqual(['add_to_cart', 'checkout', 'late_tool', 'search_catalog']);
        expect((await session.page.webmcp.tools()).map((t) => t.name).sort()).toEqual(recorded);
        expect(await session.page.webmcp.callTool('search_catalog', { q: 'shoes' })).toEqual({ content: [{ type: 'text', text: 'shoes' }] });
      });
    } finally {
      await webmcp.close();
    }
  });

  it('checks every selector on the live page and rebuilds the ones the analysed tree got wrong', async () => {
    const { document: doc } = await renderAndAnalyze(`${site.base}/misnested`, { pool });
    const { document: unverified } = await renderAndAnalyze(`${site.base}/misnested`, { pool, verifySelectors: false });
    // Re-parsing the serialised DOM adds an empty <p> (from the </p> after the <div>), so a position
    // counted in the analysed tree is one off on the live page.
    const after = unverified.elements.find((e) => e.label === 'After');
    expect(after).toBeDefined();
    const checker = await checkerPage(`${site.base}/misnested`);
    expect(await checker.locator(after?.selector ?? '').count()).not.toBe(1);
    await checker.close();
    // The checked document keeps every control, each with a selector that works live.
    expect(doc.elements.map((e) => e.label)).toEqual(unverified.elements.map((e) => e.label));
    const codes = (doc.metadata.diagnostics ?? []).map((d) => `${d.code} ${d.path}`);
    expect(codes).toContain('RENDER_SELECTOR_REPAIRED elements.AFTER');
    expect(codes.some((c) => c.startsWith('RENDER_SELECTOR_UNRESOLVED'))).toBe(false);
    await expectLiveSelectors(`${site.base}/misnested`, doc);
  });
});
