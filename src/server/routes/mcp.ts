import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { WebMCPDocument } from '../../core/types.js';
import { WebMCPError, WebMCPSecurityError, type WebMCPErrorCode } from '../../errors.js';
import { LRUCache } from 'lru-cache';
import { UNKNOWN_PAGE_URL, createAnalysisHistory, createMcpServer, type AnalysisHistory, type McpBackend } from '../../mcp/server.js';
import { pageTools } from '../../mcp/tools.js';
import { VERSION } from '../../mcp/version.js';
import type { RequestContext } from '../context.js';
import { problemFor } from '../http/problem.js';
import { defineRoutes, type Route } from '../route.js';
import type { GatewayServices } from '../services.js';
import { actionRoutes } from './actions.js';
import { analyzeRoutes } from './analyze.js';
import { aclAllows, callableActions, pageAllowed } from './pages.js';

/**
 * `POST /mcp`: MCP Streamable HTTP (stateless, JSON answers) serving the pages' actions as tools
 * `<page>_<action>` plus `analyze_page`. The guard has authenticated the caller (Bearer or
 * session + CSRF), counted one rate-limit unit and checked `webmcp:read`; each tool call then runs
 * through the very route handler of `/webmcp/actions/:page/:action` (or `/webmcp/analyze`), so
 * validation, ACLs, JWE for sensitive fields, forwarding and audit are the same as over REST.
 * Sensitive fields must arrive as compact JWE here too: the gateway never asks for plaintext.
 */
export const mcpRoutes = defineRoutes([
  {
    method: 'POST',
    path: '/mcp',
    access: { scope: 'webmcp:read' },
    async handle(ctx, s) {
      const server = createMcpServer(gatewayBackend(ctx, s), { name: 'webmcp-gateway', version: VERSION }, historyOf(ctx));
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
        maxRequestBodySize: s.config.bodyLimit,
      });
      await server.connect(transport);
      try {
        return await transport.handleRequest(ctx.request);
      } finally {
        await server.close();
      }
    },
  },
]);

/**
 * `/mcp` is stateless, so an agent's "session" for `analyze_page` deltas is its credential: the
 * browser session, else the access token. Kept in this process only (another instance answers
 * with the full view, which is always correct), bounded in count and age.
 */
const histories = new LRUCache<string, AnalysisHistory>({ max: 200, ttl: 15 * 60_000 });

function historyOf(ctx: RequestContext): AnalysisHistory | undefined {
  const p = ctx.principal;
  const session = p && (p.sessionId ?? p.jti);
  if (!p || !session) return undefined;
  const key = `${p.sub}\u0000${session}`;
  let history = histories.get(key);
  if (!history) histories.set(key, (history = createAnalysisHistory(4)));
  return history;
}

function gatewayBackend(ctx: RequestContext, s: GatewayServices): McpBackend {
  const canWrite = ctx.principal?.scopes.includes('webmcp:write') === true;
  return {
    fetchesUrls: false,
    async tools() {
      // Tools are for acting: a caller who may not write gets none (reading is analyze_page and REST).
      if (!canWrite) return [];
      return s.pages
        .list()
        .filter((page) => page.document !== null && pageAllowed(ctx, page))
        .flatMap((page) => {
          const actions = callableActions(page).filter((name) => aclAllows(ctx, page.config.actions[name]?.acl ?? null));
          return pageTools(page.id, page.document!, actions, 'agent');
        });
    },
    async act(page, action, args) {
      if (!canWrite) throw new WebMCPSecurityError('ERR_SCOPE', 'this credential may not run actions');
      // Tool arguments are the action's params as the tool schema describes them (group keys
      // included); the action route validates them on the same model.
      const res = await dispatch(ctx, s, actionRoutes[0]!, `/webmcp/actions/${encodeURIComponent(page)}/${encodeURIComponent(action)}`, { page, action }, args);
      return (await res.json()) as { status: number; body: unknown };
    },
    async analyze({ html, url }) {
      const res = await dispatch(ctx, s, analyzeRoutes[0]!, '/webmcp/analyze', {}, { html, url: url ?? UNKNOWN_PAGE_URL });
      return (await res.json()) as WebMCPDocument;
    },
  };
}

/**
 * Runs another route's handler for this already-guarded request, with a JSON body. Refusals
 * become errors carrying the route's outward problem detail (never internals).
 */
async function dispatch(
  ctx: RequestContext,
  s: GatewayServices,
  route: Route,
  path: string,
  params: Record<string, string>,
  body: unknown,
): Promise<Response> {
  const url = new URL(path, ctx.url);
  const request = new Request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const inner: RequestContext = Object.assign(Object.create(Object.getPrototypeOf(ctx) as object) as RequestContext, ctx, {
    request,
    url,
    params,
    route: route.path,
  });
  let res: Response;
  try {
    res = await route.handle(inner, s);
  } catch (error) {
    const { problem } = problemFor(error);
    throw new WebMCPError((problem.code ?? 'ERR_INPUT') as WebMCPErrorCode, `${problem.title}: ${problem.detail}`);
  } finally {
    // A refusal recorded by the inner handler is this request's refusal too (metrics).
    if (inner.refusal) ctx.refusal = inner.refusal;
  }
  return res;
}
