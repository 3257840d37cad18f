import type { Method } from './router.js';

/** Where a request came from, as the transport (Node adapter, test) saw it. */
export interface ConnectionInfo {
  /** Socket peer address. */
  remoteAddress?: string;
  /** Whether the connection is TLS. Defaults to the request URL's scheme. */
  secure?: boolean;
}

/** The caller of a protected route, after authentication. */
export interface Principal {
  /** Token subject: the API key id for keys, else whatever the token names. */
  sub: string;
  apiKeyId: string | null;
  role: string;
  /** Effective scopes: the intersection of role, key scopes and token scopes. */
  scopes: readonly string[];
  via: 'bearer' | 'session' | 'api-key';
  /** The access token's id and expiry (bearer), or the session's origin token. */
  jti: string | null;
  sessionId: string | null;
}

/** Per-request state handed to route handlers. */
export interface RequestContext {
  readonly request: Request;
  readonly url: URL;
  readonly method: Method;
  /** Also the `X-Request-Id` response header and the audit entries' `request_id`. */
  readonly id: string;
  readonly ip: string;
  /** TLS (or, with `trustProxy`, a proxy that says so). */
  readonly secure: boolean;
  readonly params: Readonly<Record<string, string>>;
  /** The route pattern, for metrics and logs (`/webmcp/pages/:page`). */
  readonly route: string;
  readonly startedAt: number;
  principal: Principal | null;
  /** Headers added to whatever response the request ends with (rate-limit, Set-Cookie). */
  readonly extraHeaders: Headers;
  /**
   * Security headers a route deliberately relaxes, applied after the defaults (the admin login
   * needs `Referrer-Policy: same-origin` so browsers send its Origin on the form post).
   */
  readonly headerOverrides: Headers;
  /** Per-response CSP nonce (admin page). */
  nonce: string | null;
  /** Why the request was refused, for metrics (`auth`, `csrf`, `ratelimit`, `scope`, ...). */
  refusal: string | null;
}
