import type { Route } from '../route.js';
import type { GatewayServices } from '../services.js';
import { actionRoutes } from './actions.js';
import { adminRoutes } from './admin.js';
import { analyzeRoutes } from './analyze.js';
import { auditRoutes } from './audit.js';
import { healthRoutes } from './health.js';
import { mcpRoutes } from './mcp.js';
import { metricsRoutes } from './metrics.js';
import { pageRoutes } from './pages.js';
import { sessionRoutes } from './session.js';
import { tokenRoutes } from './token.js';
import { wellKnownRoutes } from './well-known.js';

/**
 * Every endpoint of the gateway. A new endpoint family is a module exporting `Route[]` (see
 * `route.ts`) added to this list; `/mcp` (MCP Streamable HTTP) plugs in here the same way,
 * with `access: { scope: 'webmcp:read' }` so the guard authenticates, rate-limits and audits it.
 */
export function allRoutes(services: GatewayServices): Route[] {
  return [
    ...healthRoutes,
    ...wellKnownRoutes,
    ...tokenRoutes,
    ...sessionRoutes,
    ...analyzeRoutes,
    ...pageRoutes,
    ...actionRoutes,
    ...auditRoutes,
    ...mcpRoutes,
    ...(services.config.metricsEnabled ? metricsRoutes({ public: services.config.metricsPublic }) : []),
    ...(services.config.adminEnabled ? adminRoutes : []),
  ];
}
