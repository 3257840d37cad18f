import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserPool, type BrowserPool } from '../../src/render/index.js';
import { expectUsable, failure, PAGE_TIMEOUT, POOL_OPTIONS, startHostileSites, STOP_SLACK, type Site } from './hostile-fixture.js';

/**
 * Pages whose scripts never yield, loop on dialogs, or build huge or deep DOMs.
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

describe('hostile page scripts', () => {
  it('stops a script that never yields (inline and after load) and stays usable', async () => {
    for (const path of ['/busy-inline', '/busy-later']) {
      const t0 = Date.now();
      const err = await failure(pool.render(`${site.base}${path}`, { pageTimeoutMs: PAGE_TIMEOUT }));
      expect(err.reason).toBe('timeout');
      expect(err.code).toBe('ERR_RENDER');
      expect(Date.now() - t0).toBeLessThan(PAGE_TIMEOUT + STOP_SLACK);
    }
    expect(pool.stats().timeouts).toBe(2);
    await expectUsable(pool, site);
  });

  it('is not held up by dialogs: alert loops time out, single dialogs are silenced', async () => {
    const err = await failure(pool.render(`${site.base}/alert-loop`, { pageTimeoutMs: PAGE_TIMEOUT }));
    expect(err.reason).toBe('timeout');
    const page = await pool.render(`${site.base}/dialogs`);
    expect(page.html).toContain('<button>a</button>');
    await expectUsable(pool, site);
  });

  it('refuses huge DOMs by its element limit, serialises deep nesting, and reports a crashed renderer', async () => {
    const t0 = Date.now();
    const err = await failure(pool.render(`${site.base}/huge`, { maxElements: 100_000 }));
    expect(err.reason).toBe('too-large');
    expect(Date.now() - t0).toBeLessThan(20_000);
    const deep = await pool.render(`${site.base}/deep`);
    expect(deep.stats.elements).toBeGreaterThan(1_500);
    expect(deep.html).toContain('<button>Deep</button>');
    // Nesting this deep crashes Chromium's layout: a typed failure, not a hang.
    expect((await failure(pool.render(`${site.base}/deeper`))).reason).toBe('crashed');
    await expectUsable(pool, site);
  });

});
