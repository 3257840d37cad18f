import type { WebMCPDocument } from '../core/types.js';
import type { AccessTokenClaims } from '../security/jwt/index.js';
import type { Store } from '../store/types.js';
import type { ResolvedGatewayConfig } from './config/resolve.js';
import type { RequestContext } from './context.js';
import type { Route } from './route.js';
import { createKeyStatus, type KeyStatus } from './keys.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createPageRegistry, type PageAnalyzer, type PageRegistry, type PageRenderer } from './pages/registry.js';
import { createGatewaySecurity, type GatewaySecurity } from './security.js';
import { createSessions, type Sessions } from '../security/session/index.js';
import { openStore } from './store.js';
import { createCachedVerify } from './token-cache.js';

/** What the gateway is built from; everything is optional and defaults from the config. */
export interface GatewayDeps {
  /** A store to use instead of opening the configured one (tests; the caller closes it). */
  store?: Store;
  /** Master key (32 bytes or base64url) wrapping key material at rest. */
  masterKey?: Uint8Array | string;
  logger?: Logger;
  /** Page analyser (default: the core's `WebMCPProcessor`). */
  analyzer?: PageAnalyzer;
  /** Renderer for `render: true` pages (default: a webmcp/render browser pool, started only when a page needs it). */
  renderer?: GatewayRenderer;
  /** `fetch` used for upstream action calls and remote pages. */
  fetch?: typeof fetch;
  /** Watch page files for changes (default true). */
  watchPages?: boolean;
  /** Clock (ms since the epoch) for token, CSRF and session expiry; tests inject one. */
  now?: () => number;
  /**
   * Extra endpoints served next to the built-in ones, behind the same guard (auth, rate limits,
   * CSRF, audit of refusals) when their `access` names a scope.
   */
  routes?: readonly Route[];
}

export interface AuditRecord {
  action: string;
  outcome: 'ok' | 'refused' | 'error';
  resource?: string;
  actor?: string;
  details?: Record<string, unknown>;
}

/** Everything route handlers use. One per gateway; nothing in it must be shared across instances. */
export interface GatewayServices {
  readonly config: ResolvedGatewayConfig;
  readonly store: Store;
  readonly security: GatewaySecurity;
  readonly pages: PageRegistry;
  readonly analyzer: PageAnalyzer;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly keys: KeyStatus;
  readonly sessions: Sessions;
  readonly fetch: typeof fetch;
  /** `security.jwt.verify` with signatures remembered briefly (see token-cache.ts). */
  verifyToken(token: string): Promise<AccessTokenClaims>;
  /** Appends an audit entry for this request (ip and request id filled in); resolves once committed. */
  audit(ctx: RequestContext, record: AuditRecord): Promise<void>;
  /** Whether every store answers (for `/readyz`). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export async function createServices(config: ResolvedGatewayConfig, deps: GatewayDeps): Promise<GatewayServices> {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const ownsStore = deps.store === undefined;
  const opened = ownsStore ? await openStore(config, { masterKey: deps.masterKey, logger }) : null;
  const store = deps.store ?? opened!.store;
  const masterKey = deps.masterKey ?? opened?.masterKey;
  let pages: PageRegistry | null = null;
  let renderer: GatewayRenderer | null = null;
  try {
    const security = await createGatewaySecurity(config, store, masterKey, logger, deps.now);
    const analyzer = deps.analyzer ?? (await defaultAnalyzer());
    renderer = Object.values(config.pages).some((p) => p.render) ? (deps.renderer ?? (await defaultRenderer(config))) : null;
    pages = createPageRegistry(config.pages, {
      analyzer,
      ...(renderer ? { renderer: renderer.render } : {}),
      logger,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      watch: deps.watchPages ?? true,
    });
    await pages.start();
    const keys = createKeyStatus(store.apiKeys, 250, deps.now);
    const sessions = createSessions(store.kv, config.sessionTtlSeconds, deps.now);
    const metrics = createMetrics();
    const registry = pages;
    let closed = false;
    return {
      config,
      store,
      security,
      pages: registry,
      analyzer,
      metrics,
      logger,
      keys,
      sessions,
      fetch: deps.fetch ?? fetch,
      verifyToken: createCachedVerify(security.jwt, store.revocations, deps.now ? { now: deps.now } : {}),
      async audit(ctx, record) {
        await security.audit.append({
          actor: record.actor ?? ctx.principal?.sub ?? 'anonymous',
          action: record.action,
          resource: record.resource ?? ctx.url.pathname,
          outcome: record.outcome,
          details: record.details ? dropUndefined(record.details) : null,
          ip: ctx.ip,
          request_id: ctx.id,
        });
      },
      async ready() {
        try {
          await store.ping();
          return true;
        } catch {
          // ping rejects exactly when a store is down: that is the answer, not a fault
          return false;
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        registry.close();
        await renderer?.close();
        await security.close?.();
        if (ownsStore) await store.close();
        logger.flush?.();
      },
    };
  } catch (error) {
    pages?.close();
    await renderer?.close();
    if (ownsStore) await store.close();
    throw error;
  }
}

async function defaultAnalyzer(): Promise<PageAnalyzer> {
  const core = await import('../index.js');
  const processor = new core.WebMCPProcessor();
  return { process: (html: string, options: { url: string }) => processor.process(html, options) as Promise<WebMCPDocument> };
}

/** The browser behind `render: true` pages: one shared pool, closed with the gateway. */
export interface GatewayRenderer {
  render: PageRenderer;
  close(): Promise<void>;
}

async function defaultRenderer(config: ResolvedGatewayConfig): Promise<GatewayRenderer> {
  // Loaded only when a page asks for it: the gateway never needs a browser otherwise.
  const [render, core] = await Promise.all([import('../render/index.js'), import('../index.js')]);
  const pool = render.createBrowserPool({ sameOrigin: config.render.sameOrigin, maxPages: config.render.maxPages, pageTimeoutMs: config.render.timeoutMs });
  const processor = new core.WebMCPProcessor({ cache: false });
  return {
    render: (target) => render.analyzeRendered(target.html === undefined ? target.url : { html: target.html, url: target.url }, { pool, processor }),
    close: () => pool.close(),
  };
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out;
}
