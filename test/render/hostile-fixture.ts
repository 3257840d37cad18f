import { expect } from 'vitest';
import { WebMCPRenderError, type BrowserPool, type BrowserPoolOptions } from '../../src/render/index.js';
import { servePages } from './server.js';

/** Hostile test pages, served on loopback; `other` is a second origin for same-origin checks. */

/** Nesting built by script: the HTML parser caps depth, the DOM API does not. */
const deepPage = (depth: number): string =>
  `<!doctype html><div id="root"></div><script>let n = document.getElementById("root"); for (let i = 0; i < ${depth}; i++) { const d = document.createElement("div"); n.appendChild(d); n = d } n.innerHTML = "<button>Deep</button>"</script>`;

const OK_PAGE = '<!doctype html><title>ok</title><button>Fine</button>';

/** Budget given to the pages that must be stopped: small, so each such case ends quickly. */
export const PAGE_TIMEOUT = 2_000;
/** How late a stopped page may fail on a loaded machine (closing its renderer included). */
export const STOP_SLACK = 10_000;
/** Pages that must complete get a generous budget: CI runs every suite at once on two cores. */
export const POOL_OPTIONS: BrowserPoolOptions = { maxPages: 2, pageTimeoutMs: 20_000, navigationTimeoutMs: 3_000, idleTimeoutMs: 1_000, idleQuietMs: 100 };

export type Site = Awaited<ReturnType<typeof servePages>>;

export async function startHostileSites(): Promise<{ site: Site; other: Site }> {
  const other = await servePages({
    '/inject.js': (_req, res) => {
      res.setHeader('content-type', 'text/javascript');
      res.end("document.body.append(Object.assign(document.createElement('button'), { textContent: 'Injected' }));");
    },
  });
  const site = await servePages({
    '/ok': OK_PAGE,
    '/rootless': '<!doctype html><button>gone</button><script>setTimeout(() => document.documentElement.remove(), 0)</script>',
    '/busy-inline': '<!doctype html><button>a</button><script>while (true) {}</script><button>b</button>',
    '/busy-later': '<!doctype html><button>a</button><script>setTimeout(() => { for (;;) {} }, 50)</script>',
    '/alert-loop': '<!doctype html><button>a</button><script>for (;;) alert("stop")</script>',
    '/dialogs': '<!doctype html><button>a</button><script>alert(1); confirm("sure?"); prompt("name?"); setInterval(() => alert("again"), 5)</script>',
    '/huge': '<!doctype html><div id="root"></div><script>const r = document.getElementById("root"); for (let i = 0; i < 200000; i++) r.appendChild(document.createElement("span"));</script>',
    '/deep': deepPage(1_500),
    '/deeper': deepPage(100_000),
    '/nav-away': '<!doctype html><button>step</button><script>addEventListener("load", () => setTimeout(() => { location.href = "/nav-away?n=" + Math.random() }, 10))</script>',
    '/reload': '<!doctype html><button>again</button><script>setTimeout(() => location.reload(), 5)</script>',
    '/popup': '<!doctype html><button>a</button><script>window.open("/ok"); window.open("/ok", "_blank")</script>',
    '/download': (_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><a id="d" href="/file.bin" download>file</a><script>document.getElementById("d").click()</script>');
    },
    '/file.bin': (_req, res) => {
      res.setHeader('content-type', 'application/octet-stream');
      res.setHeader('content-disposition', 'attachment; filename="file.bin"');
      res.end(Buffer.alloc(1024));
    },
    '/hang': () => {
      // Never answers: the navigation must time out.
    },
    '/slow-resource': '<!doctype html><button>Ready</button><img src="/hang">',
    '/foreign': `<!doctype html><button>Own</button><script src="${other.origin}/inject.js"></script>`,
    '/leave': `<!doctype html><button>Stay</button><script>addEventListener("load", () => { location.href = "${other.origin}/inject.js" })</script>`,
  });
  return { site, other };
}

/** The rejection of `p`, which must be a WebMCPRenderError. */
export async function failure(p: Promise<unknown>): Promise<WebMCPRenderError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebMCPRenderError);
  return err as WebMCPRenderError;
}

/** A plain page still renders: the pool recovered from whatever came before. */
export async function expectUsable(pool: BrowserPool, site: Site): Promise<void> {
  const page = await pool.render(`${site.base}/ok`);
  expect(page.title).toBe('ok');
}
