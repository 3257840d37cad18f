import type { Route } from '../route.js';

/** Prometheus metrics; admin-only unless `metrics.public` (e.g. bound to a private interface). */
export function metricsRoutes(options: { public: boolean }): Route[] {
  return [
    {
      method: 'GET',
      path: '/metrics',
      access: options.public ? 'public' : { scope: 'webmcp:admin', apiKey: true },
      async handle(_ctx, s) {
        s.metrics.setGauge('webmcp_pages', 'Configured pages.', s.pages.list().length);
        s.metrics.setGauge('webmcp_pages_unavailable', 'Pages without a current document.', s.pages.list().filter((p) => !p.document).length);
        return new Response(s.metrics.render(), {
          headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' },
        });
      },
    },
  ];
}
