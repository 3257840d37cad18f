import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserPool, renderAndAnalyze, type BrowserPool } from '../../src/render/index.js';
import { expectUsable, failure, POOL_OPTIONS, startHostileSites, type Site } from './hostile-fixture.js';

/**
 * Pages that navigate away, reload forever, open popups, download, hang, or reach other origins; queue limits.
 * Each case is bounded by small timeouts; one pool per file keeps it fast.
 */
let pool: BrowserPool;
let site: Site;
let other: Site;

beforeAll(async () => {
  ({ site, other } = await startHostileSites());
  pool = createBrowserPool(POOL_OPTIONS);
});

afterAll(async () => {
  await pool?.close();
  await site?.close();
  await other?.close();
});

describe('hostile page navigation and network', () => {
  it('bounds pages that navigate away or reload forever, and reads the page it stopped on', async () => {
    for (const path of ['/nav-away', '/reload']) {
      const page = await pool.render(`${site.base}${path}`, { maxNavigations: 3 });
      expect(page.url.startsWith(`${site.base}${path}`)).toBe(true);
      expect(page.stats.navigations).toBeLessThanOrEqual(3);
      expect(page.stats.blockedRequests).toBeGreaterThan(0);
      expect(page.html).toMatch(/<button>(step|again)<\/button>/);
    }
    await expectUsable(pool, site);
  });

  it('closes popups and refuses downloads', async () => {
    const popup = await pool.render(`${site.base}/popup`);
    expect(popup.stats.popupsClosed).toBe(2);
    const dl = await pool.render(`${site.base}/download`);
    expect(dl.url).toBe(`${site.base}/download`);
    await expectUsable(pool, site);
  });

  it('times out a navigation that never answers, and reads a page whose resources hang', async () => {
    const err = await failure(pool.render(`${site.base}/hang`));
    expect(['navigation', 'timeout']).toContain(err.reason);
    const page = await pool.render(`${site.base}/slow-resource`);
    expect(page.stats.partial).toBe(true);
    expect(page.html).toContain('<button>Ready</button>');
    await expectUsable(pool, site);
  });

  it('restricts requests and navigations to the page origin when asked', async () => {
    const open = await renderAndAnalyze(`${site.base}/foreign`, { pool });
    expect(open.document.elements.map((e) => e.label).sort()).toEqual(['Injected', 'Own']);
    const closed = await renderAndAnalyze(`${site.base}/foreign`, { pool, sameOrigin: true });
    expect(closed.document.elements.map((e) => e.label)).toEqual(['Own']);
    expect(closed.page.stats.blockedRequests).toBe(1);
    expect(closed.document.metadata.diagnostics?.map((d) => d.code)).toContain('RENDER_BLOCKED');
    const stay = await pool.render(`${site.base}/leave`, { sameOrigin: true });
    expect(stay.url).toBe(`${site.base}/leave`);
    expect(stay.html).toContain('<button>Stay</button>');
  });

  it('queues beyond maxPages, refuses beyond maxQueue, and fails fast once closed', async () => {
    const small = createBrowserPool({ maxPages: 1, maxQueue: 1, pageTimeoutMs: 20_000 });
    try {
      const first = small.render(`${site.base}/ok`);
      const second = small.render(`${site.base}/ok`);
      const third = failure(small.render(`${site.base}/ok`));
      expect((await third).reason).toBe('busy');
      expect(small.stats().queued).toBe(1);
      expect((await first).title).toBe('ok');
      expect((await second).title).toBe('ok');
      expect(small.stats()).toMatchObject({ active: 0, queued: 0, completed: 2, launches: 1 });
    } finally {
      await small.close();
    }
    expect((await failure(small.render(`${site.base}/ok`))).reason).toBe('closed');
  });

  it('reads a page that removed its own root element as an empty page', async () => {
    const page = await pool.render(`${site.base}/rootless`);
    expect(page.html).toBe('');
    expect(page.stats.elements).toBe(0);
  });

  it('refuses targets it must not load', async () => {
    expect((await failure(pool.render('file:///etc/passwd'))).reason).toBe('target');
    expect((await failure(pool.render('javascript:alert(1)'))).reason).toBe('target');
    expect((await failure(pool.render('not a url'))).reason).toBe('target');
  });


  it('with sameOrigin, page scripts cannot reach another origin: the other server never sees a request', async () => {
    const probe = `<!doctype html><button>x</button><script>
      fetch('${other.origin}/inject.js').catch(() => {});
      new Image().src = '${other.origin}/inject.js?img';
      navigator.sendBeacon('${other.origin}/inject.js?beacon', 'x');
      const s = document.createElement('script'); s.src = '${other.origin}/inject.js?script'; document.head.append(s);
      try { new WebSocket('${other.origin.replace('http', 'ws')}/inject.js'); } catch (e) {}
    </script>`;
    const before = other.hits.get('/inject.js') ?? 0;
    const page = await pool.render({ html: probe, url: `${site.base}/probe` }, { sameOrigin: true });
    expect(page.html).toContain('<button>x</button>');
    expect(page.stats.blockedRequests).toBeGreaterThanOrEqual(3);
    expect(other.hits.get('/inject.js') ?? 0).toBe(before);
  });

  it('starts a new Chromium when the old one dies under a page', async () => {
    const launches = pool.stats().launches;
    const err = await failure(
      pool.withSession(`${site.base}/ok`, async (session) => {
        await session.context.browser()?.close();
        return session.snapshot();
      }),
    );
    expect(['browser', 'closed']).toContain(err.reason);
    await expectUsable(pool, site);
    expect(pool.stats().launches).toBe(launches + 1);
  });
});
