import { requestError, WebMCPRequestError } from './errors.js';

/**
 * A browser-style session with the gateway: `POST /webmcp/session` with a Bearer token sets an
 * HttpOnly cookie; afterwards requests carry the cookie, and unsafe ones the CSRF token from
 * `GET /webmcp/csrf` in its header (spec section 6). Cookies are kept in a small jar scoped to
 * the gateway origin: the client talks to nothing else.
 */
export class GatewaySession {
  private readonly cookies = new Map<string, string>();
  private csrf: { token: string; header: string; expiresAt: number } | null = null;
  private opening: Promise<void> | null = null;
  private csrfPending: Promise<void> | null = null;

  constructor(
    private readonly options: {
      sessionEndpoint: () => Promise<string>;
      csrfEndpoint: () => Promise<string>;
      token: () => Promise<string>;
      fetch: typeof fetch;
      now: () => number;
    },
  ) {}

  /** Adds the session cookie (opening the session first) and, for unsafe methods, the CSRF header. */
  async authorize(headers: Headers, method: string): Promise<void> {
    if (!this.cookies.size) await this.open();
    if (!['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase())) {
      if (!this.csrf || this.options.now() >= this.csrf.expiresAt) await this.fetchCsrf();
      headers.set(this.csrf!.header, this.csrf!.token);
    }
    headers.set('cookie', this.cookieHeader());
  }

  /** After a 401 the session is gone (expired, ended): the next call opens a new one. */
  reset(): void {
    this.cookies.clear();
    this.csrf = null;
  }

  /** After a 403 CSRF refusal: fetch a fresh token on the next call. */
  dropCsrf(): void {
    this.csrf = null;
  }

  /** Records cookies a gateway answer sets (or clears). */
  remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq <= 0) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const cleared = value === '' || attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a));
      if (cleared) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Ends the session at the gateway (`DELETE /webmcp/session`). */
  async close(): Promise<void> {
    if (!this.cookies.size) return;
    const headers = new Headers();
    await this.authorize(headers, 'DELETE');
    const res = await this.options.fetch(await this.options.sessionEndpoint(), { method: 'DELETE', headers });
    this.reset();
    if (!res.ok && res.status !== 401) throw await requestError(res, this.options.now());
    await res.body?.cancel();
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private open(): Promise<void> {
    this.opening ??= (async () => {
      const res = await this.options.fetch(await this.options.sessionEndpoint(), {
        method: 'POST',
        headers: { authorization: `Bearer ${await this.options.token()}` },
      });
      if (!res.ok) throw await requestError(res, this.options.now());
      await res.body?.cancel();
      this.remember(res);
      if (!this.cookies.size) throw new WebMCPRequestError(res.status, { detail: 'the gateway set no session cookie' }, null);
    })().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private fetchCsrf(): Promise<void> {
    this.csrfPending ??= (async () => {
      const res = await this.options.fetch(await this.options.csrfEndpoint(), { headers: { cookie: this.cookieHeader(), accept: 'application/json' } });
      if (!res.ok) throw await requestError(res, this.options.now());
      this.remember(res);
      const body = (await res.json()) as { token?: unknown; header_name?: unknown; expires_in?: unknown };
      if (typeof body.token !== 'string' || typeof body.header_name !== 'string') {
        throw new WebMCPRequestError(res.status, { detail: 'the CSRF endpoint answered an unexpected body' }, null);
      }
      const lifetime = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 60_000;
      // Renew a little early so a token never expires in flight.
      this.csrf = { token: body.token, header: body.header_name, expiresAt: this.options.now() + lifetime * 0.9 };
    })().finally(() => {
      this.csrfPending = null;
    });
    return this.csrfPending;
  }
}
