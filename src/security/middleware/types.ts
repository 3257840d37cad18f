import type { Audit } from '../audit/audit.js';
import type { Csrf } from '../csrf/csrf.js';
import type { SecurityHeaders } from '../headers/headers.js';
import type { SecurityLogger } from '../logger.js';
import type { RateLimiter } from '../rate-limit/rate-limit.js';
import type { Principal, Rbac } from '../rbac/rbac.js';
import type { Sessions } from '../session/session.js';

/** Claims the middleware reads from a verified access token. */
export interface VerifiedClaims {
  sub: string;
  /** Space-separated scopes (RFC 9068). */
  scope?: string;
  /** The same as a list, when the verifier provides it. */
  scopes?: readonly string[];
  jti?: string;
  [claim: string]: unknown;
}

/** The pieces of a `createSecurity()` result the middleware runs on. */
export interface MiddlewareParts {
  jwt: { verify(token: string): Promise<VerifiedClaims> };
  /** When present, `X-API-Key: <id>.<secret>` authenticates too. */
  apiKeys?: { verify(presented: string): Promise<{ id: string; role: string; scopes: readonly string[] }> } | null;
  csrf: Csrf;
  rateLimit: RateLimiter;
  audit: Audit;
  headers: SecurityHeaders;
  rbac: Rbac;
  /** When present, the session cookie authenticates browser requests (CSRF-checked when unsafe). */
  sessions?: Sessions | null;
}

export interface MiddlewareOptions {
  /** `security.enableCSRF` (default true). */
  enableCSRF?: boolean;
  /** Believe `X-Forwarded-For`/`X-Forwarded-Proto` from this many proxies (see `clientIp`). Default false. */
  trustProxy?: boolean | number;
  /**
   * The socket address for {@link SecurityMiddleware.handle} when the caller cannot pass one
   * (Express/Fastify/Hono-on-Node adapters find it themselves).
   */
  clientAddress?: (request: Request) => string | null | undefined;
  logger?: SecurityLogger;
}

/** An authenticated caller as the middleware sees it. */
export interface AuthenticatedPrincipal extends Principal {
  via: 'bearer' | 'api-key' | 'session';
  /** The API key behind the credential, when known (also the per-key rate-limit budget). */
  keyId: string | null;
  /** Verified token claims (Bearer only). */
  claims: VerifiedClaims | null;
}

/** Per-request security state, readable by handlers through `sec.context(...)`. */
export interface SecurityContext {
  /** Also the `X-Request-Id` response header and the audit entries' `request_id`. */
  readonly requestId: string;
  /** CSP nonce of this response: put it on inline `<script nonce>`/`<style nonce>`. */
  readonly nonce: string;
  /** Client address the request is rate-limited and audited under. */
  readonly ip: string;
  readonly https: boolean;
  readonly principal: AuthenticatedPrincipal | null;
  /** The browser session id, when cookie-authenticated. */
  readonly sessionId: string | null;
}

/** `(Request) => Promise<Response>`: the Web-standard handler shape. */
export type WebHandler = (request: Request) => Response | Promise<Response>;

/** Connection facts the Web request itself cannot carry. */
export interface ConnectionInfo {
  /** Socket peer address. */
  ip?: string | null;
  /** Whether the connection is TLS; default: the request URL's scheme. */
  https?: boolean;
}
