import type { JWK } from 'jose';
import type { WebMCPDocument } from '../core/types.js';
import { WebMCPError, WebMCPInputError } from '../errors.js';
import { encryptFor } from '../security/jwe/encrypt-for.js';
import { requestError, retryAfterMs, WebMCPRequestError } from './errors.js';
import { actionInputs, prepareParams } from './params.js';
import { createPinnedFetch } from './pinned-fetch.js';
import { pageTools, type PageTool } from '../mcp/tools.js';
import { GatewaySession } from './session.js';
import { TokenSource } from './tokens.js';

export interface WebMCPClientOptions {
  /** The gateway, e.g. `https://gw.example` (a path prefix is kept). */
  baseUrl: string;
  /** API key `key_id.secret`. */
  apiKey: string;
  /**
   * Certificate pins `sha256/<base64 SPKI SHA-256>`. When given, a certificate is trusted because
   * it matches a pin (a self-signed one too) and a mismatch fails before any request byte is sent.
   */
  pins?: string[];
  /** Replaces `fetch` (proxies, recording in tests). Cannot be combined with `pins`. */
  fetch?: typeof fetch;
  /** Scopes to ask for; default: everything the key holds. */
  scope?: string | string[];
  /** `bearer` (default) sends the access token; `session` uses a cookie session with CSRF tokens. */
  auth?: 'bearer' | 'session';
  /** Retries of idempotent calls answered 429: attempts (default 3) and the longest wait accepted (default 30 s). */
  retry?: { attempts?: number; maxDelayMs?: number };
  /** How long fetched page documents are reused, ms (default 60 s). */
  documentTtlMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** A page as `pages()` lists it. */
export interface PageSummary {
  id: string;
  url: string;
  title: string | null;
  /** Names of the actions the gateway runs for this page. */
  actions: string[];
  [extra: string]: unknown;
}

/** What `act()` resolves to: the upstream's status and answer. */
export interface ActionResult {
  status: number;
  body: unknown;
}

interface Discovery {
  token_endpoint: string;
  revocation_endpoint?: string;
  jwks_uri: string;
  csrf_endpoint?: string;
  session_endpoint?: string;
  pages_endpoint?: string;
  mcp_endpoint?: string;
}

interface CallOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Safe to repeat: a 429 is retried after `Retry-After`. */
  idempotent: boolean;
}

const JWKS_TTL_MS = 60_000;

/**
 * A client for a webmcp gateway: discovery, tokens (refreshed before expiry, single-flight,
 * rotating refresh tokens), params checked against the page document, sensitive fields
 * encrypted to the gateway's `use: enc` key, 429 retries for idempotent calls, TLS pinning.
 *
 * @example
 * const client = new WebMCPClient({ baseUrl: 'https://gw.example', apiKey: process.env.WEBMCP_KEY! });
 * const pages = await client.pages();
 * const answer = await client.act('login', 'LOG_IN', { EMAIL: 'ann@example.com', PASSWORD: 'hunter2!' });
 * // answer = { status: 200, body: {...} }; PASSWORD travelled as JWE
 * await client.close();
 */
export class WebMCPClient {
  private readonly base: URL;
  private readonly apiKey: string;
  private readonly fetchImpl: typeof fetch;
  private readonly closeTransport: () => void;
  private readonly now: () => number;
  private readonly attempts: number;
  private readonly maxDelayMs: number;
  private readonly documentTtlMs: number;
  private readonly tokens: TokenSource;
  private readonly session: GatewaySession | null;
  private discovery: Promise<Discovery> | null = null;
  private jwks: { keys: Promise<JWK[]>; at: number } | null = null;
  private readonly documents = new Map<string, { doc: WebMCPDocument; at: number }>();

  constructor(options: WebMCPClientOptions) {
    if (!options || typeof options.baseUrl !== 'string') throw new TypeError('baseUrl is required');
    if (typeof options.apiKey !== 'string' || options.apiKey.length === 0) throw new TypeError('apiKey is required');
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.apiKey = options.apiKey;
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') throw new TypeError('baseUrl must be http(s)');
    if (options.pins) {
      if (options.fetch) throw new TypeError('pins and fetch cannot be combined: pinning needs the built-in transport');
      if (this.base.protocol !== 'https:') throw new TypeError('pins need an https baseUrl');
      const pinned = createPinnedFetch(options.pins);
      this.fetchImpl = pinned.fetch;
      this.closeTransport = pinned.close;
    } else {
      this.fetchImpl = options.fetch ?? globalThis.fetch;
      this.closeTransport = () => {};
    }
    this.now = options.now ?? Date.now;
    this.attempts = options.retry?.attempts ?? 3;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 30_000;
    this.documentTtlMs = options.documentTtlMs ?? 60_000;
    const scope = Array.isArray(options.scope) ? options.scope.join(' ') : options.scope;
    this.tokens = new TokenSource({
      endpoint: async () => (await this.discover()).token_endpoint,
      apiKey: options.apiKey,
      ...(scope ? { scope } : {}),
      fetch: this.fetchImpl,
      now: this.now,
      wait: (res, attempt) => this.waitBeforeRetry(res, attempt),
    });
    this.session =
      options.auth === 'session'
        ? new GatewaySession({
            sessionEndpoint: async () => (await this.discover()).session_endpoint ?? this.url('webmcp/session'),
            csrfEndpoint: async () => (await this.discover()).csrf_endpoint ?? this.url('webmcp/csrf'),
            token: () => this.tokens.get(),
            fetch: this.fetchImpl,
            now: this.now,
          })
        : null;
  }

  /** The pages the gateway serves (that this key may see). */
  async pages(): Promise<PageSummary[]> {
    const body = (await this.call('webmcp/pages', { idempotent: true })) as { pages?: PageSummary[] };
    if (!Array.isArray(body.pages)) throw new WebMCPRequestError(200, { detail: 'the pages answer has no list' }, null);
    return body.pages.map((p) => ({ ...p, id: p.id, url: p.url, title: p.title ?? null, actions: Array.isArray(p.actions) ? p.actions : [] }));
  }

  /** A page's WebMCP document (fresh from the gateway; also refreshes the cache `act` uses). */
  async page(id: string): Promise<WebMCPDocument> {
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('page id must be a non-empty string');
    const doc = (await this.call(`webmcp/pages/${encodeURIComponent(id)}`, { idempotent: true })) as WebMCPDocument;
    this.documents.set(id, { doc, at: this.now() });
    return doc;
  }

  /** Analyses HTML at the gateway (`POST /webmcp/analyze`). */
  async analyze(html: string, url: string): Promise<WebMCPDocument> {
    if (typeof html !== 'string' || typeof url !== 'string') throw new TypeError('analyze(html, url) takes two strings');
    return (await this.call('webmcp/analyze', { method: 'POST', body: { html, url }, idempotent: true })) as WebMCPDocument;
  }

  /**
   * Runs an action. Params are keyed by element name (radio/checkbox groups may use their group
   * name); they are checked against the page document first, and fields marked
   * `encryption: required` are sent as compact JWE. Resolves to the upstream's `{ status, body }`.
   */
  async act(page: string, action: string, params: Record<string, unknown> = {}): Promise<ActionResult> {
    const doc = await this.cachedDocument(page);
    const spec = actionInputs(doc, action);
    const path = `webmcp/actions/${encodeURIComponent(page)}/${encodeURIComponent(action)}`;
    let retriedKey = false;
    for (;;) {
      const body = await prepareParams(spec, params, (value) => this.encrypt(value));
      try {
        const answer = (await this.call(path, { method: 'POST', body, idempotent: spec.idempotent })) as ActionResult;
        return { status: answer.status, body: answer.body };
      } catch (error) {
        // The encryption key may have rotated since the JWKS was read: read it again, once.
        if (!retriedKey && error instanceof WebMCPRequestError && error.code === 'ERR_DECRYPT') {
          retriedKey = true;
          this.jwks = null;
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * MCP tool definitions for every action the gateway runs: `<page>_<action>`, input schema from
   * the document, annotations. Sensitive fields take plain values (this client encrypts them).
   * Each tool names its `page` and `action`, for `act()`.
   */
  async tools(): Promise<PageTool[]> {
    const pages = (await this.pages()).filter((p) => p.actions.length > 0 && p.available !== false);
    const lists = await Promise.all(pages.map(async (p) => pageTools(p.id, await this.cachedDocument(p.id), p.actions, 'client')));
    return lists.flat();
  }

  /** Revokes the held refresh token, ends a cookie session and closes pinned connections. */
  async close(): Promise<void> {
    try {
      await this.session?.close();
      const refresh = this.tokens.refreshToken();
      const discovery = this.discovery ? await this.discovery : null;
      if (refresh && discovery?.revocation_endpoint) {
        // RFC 7009, authenticated with the API key: it works even when the access token has expired.
        const res = await this.fetchImpl(discovery.revocation_endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': this.apiKey },
          body: new URLSearchParams({ token: refresh, token_type_hint: 'refresh_token' }).toString(),
        });
        if (!res.ok) throw await requestError(res, this.now());
        await res.body?.cancel();
      }
      this.tokens.forget();
    } finally {
      this.closeTransport();
    }
  }

  /** The discovery document (`/.well-known/webmcp`), read once. */
  discover(): Promise<Discovery> {
    this.discovery ??= (async () => {
      const res = await this.fetchImpl(this.url('.well-known/webmcp'), { headers: { accept: 'application/json' } });
      if (!res.ok) throw await requestError(res, this.now());
      const body = (await res.json()) as Partial<Discovery>;
      if (typeof body.token_endpoint !== 'string' || typeof body.jwks_uri !== 'string') {
        throw new WebMCPRequestError(res.status, { detail: 'the discovery document lacks token_endpoint or jwks_uri' }, null);
      }
      const out = { ...body } as Discovery;
      for (const key of Object.keys(out) as (keyof Discovery)[]) {
        if (typeof out[key] === 'string' && (key.endsWith('_endpoint') || key === 'jwks_uri')) out[key] = this.sameOrigin(out[key] as string);
      }
      return out;
    })();
    this.discovery.catch(() => {
      // A failed discovery is retried on the next call rather than cached.
      this.discovery = null;
    });
    return this.discovery;
  }

  private async cachedDocument(page: string): Promise<WebMCPDocument> {
    const cached = this.documents.get(page);
    if (cached && this.now() - cached.at < this.documentTtlMs) return cached.doc;
    return this.page(page);
  }

  /** One authenticated JSON call with the retry rules; resolves to the parsed body. */
  private async call(path: string, options: CallOptions): Promise<unknown> {
    const method = options.method ?? 'GET';
    const url = this.url(path);
    let reauthenticated = false;
    for (let attempt = 0; ; attempt++) {
      const headers = new Headers({ accept: 'application/json' });
      if (options.body !== undefined) headers.set('content-type', 'application/json');
      let token: string | undefined;
      if (this.session) await this.session.authorize(headers, method);
      else headers.set('authorization', `Bearer ${(token = await this.tokens.get())}`);
      const res = await this.fetchImpl(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      this.session?.remember(res);
      // 401 is decided before the body is looked at: nothing ran, so one retry with a new credential is safe.
      if (res.status === 401 && !reauthenticated) {
        reauthenticated = true;
        await res.body?.cancel();
        if (this.session) this.session.reset();
        else await this.tokens.renew(token);
        continue;
      }
      if (res.status === 403 && this.session && !reauthenticated) {
        const error = await requestError(res, this.now());
        if (error.code !== 'ERR_CSRF') throw error;
        reauthenticated = true;
        this.session.dropCsrf();
        continue;
      }
      if (res.status === 429 && options.idempotent && (await this.waitBeforeRetry(res, attempt))) continue;
      if (!res.ok) throw await requestError(res, this.now());
      return res.status === 204 ? null : res.json();
    }
  }

  /** Sleeps for `Retry-After` when another attempt is allowed and the wait acceptable. */
  private async waitBeforeRetry(res: Response, attempt: number): Promise<boolean> {
    const delay = retryAfterMs(res.headers.get('retry-after'), this.now()) ?? 1000 * 2 ** attempt;
    if (attempt >= this.attempts || delay > this.maxDelayMs) return false;
    await res.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, delay));
    return true;
  }

  private async encrypt(value: string): Promise<string> {
    const keys = await this.encryptionKeys();
    const key = keys.find((k) => k.use === 'enc' && k.kty === 'EC' && k.crv === 'P-256');
    if (!key) throw new WebMCPError('ERR_ENCRYPTION_REQUIRED', 'the gateway publishes no P-256 encryption key');
    return encryptFor(key, value);
  }

  private encryptionKeys(): Promise<JWK[]> {
    if (this.jwks && this.now() - this.jwks.at < JWKS_TTL_MS) return this.jwks.keys;
    const keys = (async () => {
      const res = await this.fetchImpl((await this.discover()).jwks_uri, { headers: { accept: 'application/json' } });
      if (!res.ok) throw await requestError(res, this.now());
      const body = (await res.json()) as { keys?: JWK[] };
      if (!Array.isArray(body.keys)) throw new WebMCPRequestError(res.status, { detail: 'the JWKS has no keys' }, null);
      return body.keys;
    })();
    this.jwks = { keys, at: this.now() };
    keys.catch(() => {
      // Not cached when it failed: the next call reads the JWKS again.
      this.jwks = null;
    });
    return keys;
  }

  private url(path: string): string {
    return new URL(path, this.base).toString();
  }

  /**
   * Discovery may name another origin (a `publicUrl` in front of the address we were given);
   * credentials still go only to the origin this client was configured with.
   */
  private sameOrigin(endpoint: string): string {
    let parsed: URL;
    try {
      parsed = new URL(endpoint);
    } catch (error) {
      throw new WebMCPInputError('ERR_INPUT', 'the discovery document has an invalid URL', { cause: error });
    }
    if (parsed.origin === this.base.origin) return parsed.toString();
    return new URL(`${parsed.pathname}${parsed.search}`, this.base.origin).toString();
  }
}
