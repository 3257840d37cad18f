import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeUrl, createRenderingProcessor, renderPage, type RenderingProcessor } from '../../src/render/index.js';
import { servePages } from './server.js';

/** The `process(html, { url, render: true })` entry and its one-call helpers. */
let processor: RenderingProcessor;
let site: Awaited<ReturnType<typeof servePages>>;
let dir: string;

const APP_JS = "document.body.append(Object.assign(document.createElement('button'), { textContent: 'Built by app.js' }));";
const SHELL = '<!doctype html><title>Shell</title><a href="/home">Home</a><script src="/app.js"></script>';

beforeAll(async () => {
  site = await servePages({
    '/app.js': (_req, res) => {
      res.setHeader('content-type', 'text/javascript');
      res.end(APP_JS);
    },
    '/shell': SHELL,
  });
  processor = createRenderingProcessor({ cache: false, browser: { maxPages: 2, pageTimeoutMs: 15_000 } });
  dir = mkdtempSync(join(tmpdir(), 'webmcp-render-'));
  writeFileSync(join(dir, 'app.js'), APP_JS);
  writeFileSync(join(dir, 'page.html'), '<!doctype html><title>File</title><body><script src="app.js"></script></body>');
});

afterAll(async () => {
  await processor?.close();
  await site?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('createRenderingProcessor', () => {
  it('is the core processor without render, and runs the page with render: true', async () => {
    const url = `${site.base}/shell`;
    const plain = await processor.process(SHELL, { url });
    expect(plain.elements.map((e) => e.label)).toEqual(['Home']);
    // The HTML is served as the document at `url`: its relative script loads from the site.
    const rendered = await processor.process(SHELL, { url, render: true });
    expect(rendered.elements.map((e) => e.label)).toEqual(['Home', 'Built by app.js']);
    expect(rendered.context.url).toBe(url);
    expect(rendered.metadata.analyzed_at).toBeDefined();
    expect(plain.metadata.analyzed_at).toBeUndefined();
  });

  it('renders HTML without a URL at a synthetic origin, where nothing else resolves', async () => {
    const doc = await processor.process('<!doctype html><button>Alone</button><script>document.body.append(document.createElement("textarea"))</script>', { render: true });
    expect(doc.elements.map((e) => e.role).sort()).toEqual(['action.open', 'input.textarea']);
    expect(doc.context.url).toBe('https://webmcp.invalid/');
  });

  it('analyses a URL and a local file with its sibling script', async () => {
    const byUrl = await processor.analyze(`${site.base}/shell`, { sameOrigin: true });
    expect(byUrl.elements.map((e) => e.label)).toEqual(['Home', 'Built by app.js']);
    const byFile = await processor.analyze({ file: join(dir, 'page.html') });
    expect(byFile.elements.map((e) => e.label)).toEqual(['Built by app.js']);
    // A file has no web URL: the document says nothing rather than a file path.
    expect(byFile.context.url).toBeUndefined();
  });
});

describe('one-call helpers', () => {
  it('analyzeUrl and renderPage start and close a pool of their own', async () => {
    const doc = await analyzeUrl(`${site.base}/shell`, { browser: { maxPages: 1 } });
    expect(doc.elements).toHaveLength(2);
    const page = await renderPage({ html: SHELL, url: `${site.base}/shell` });
    expect(page.html).toContain('<button>Built by app.js</button>');
    expect(page.status).toBe(200);
  });
});
