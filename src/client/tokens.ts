import { WebMCPRequestError, requestError } from './errors.js';

/** What the token endpoint answers (RFC 6749 §5.1). */
interface TokenAnswer {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

interface Held {
  access: string;
  refresh: string | null;
  expiresAt: number;
  lifetimeMs: number;
  scope: string;
}

export interface TokenSourceOptions {
  /** Absolute token endpoint URL (resolved lazily, from discovery). */
  endpoint: () => Promise<string>;
  apiKey: string;
  /** Requested scopes (space-separated); omitted means all the key holds. */
  scope?: string;
  fetch: typeof fetch;
  now: () => number;
  /** Token requests are idempotent: a 429 is retried after `Retry-After`. */
  wait: (res: Response, attempt: number) => Promise<boolean>;
}

/** Renew when this little of the lifetime is left: at most a minute, a fifth of short lifetimes. */
const MAX_MARGIN_MS = 60_000;

/**
 * Access tokens for one API key. `get()` answers from the held token until shortly before it
 * expires; renewals are single-flight (however many callers notice the expiry at once, one request
 * goes to the token endpoint), use the refresh token first (rotating it), and fall back to
 * `client_credentials` when the refresh token is refused.
 */
export class TokenSource {
  private held: Held | null = null;
  private pending: Promise<string> | null = null;

  constructor(private readonly options: TokenSourceOptions) {}

  /** A token that is valid for a while yet. */
  async get(): Promise<string> {
    const held = this.held;
    if (held && this.options.now() < held.expiresAt - Math.min(MAX_MARGIN_MS, held.lifetimeMs / 5)) return held.access;
    return this.renew(held?.access);
  }

  /**
   * Replaces `stale` (a token the gateway refused or that is about to expire). When another caller
   * already replaced it, the new token is returned without a further request.
   */
  renew(stale?: string): Promise<string> {
    if (this.pending) return this.pending;
    if (stale !== undefined && this.held && this.held.access !== stale) return Promise.resolve(this.held.access);
    this.pending = this.obtain().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** The refresh token held now (for revocation on close). */
  refreshToken(): string | null {
    return this.held?.refresh ?? null;
  }

  forget(): void {
    this.held = null;
  }

  private async obtain(): Promise<string> {
    const refresh = this.held?.refresh;
    if (refresh) {
      try {
        return this.keep(await this.request({ grant_type: 'refresh_token', refresh_token: refresh }, false));
      } catch (error) {
        // A refused refresh token (expired, rotated elsewhere, family revoked): the API key still works.
        if (!(error instanceof WebMCPRequestError && error.status === 400 && error.problem?.error === 'invalid_grant')) throw error;
      }
    }
    const params: Record<string, string> = { grant_type: 'client_credentials' };
    if (this.options.scope) params.scope = this.options.scope;
    return this.keep(await this.request(params, true));
  }

  private keep(answer: TokenAnswer): string {
    const lifetimeMs = answer.expires_in * 1000;
    this.held = {
      access: answer.access_token,
      // Rotation: every refresh answer carries the next refresh token; the old one is spent.
      refresh: answer.refresh_token ?? null,
      expiresAt: this.options.now() + lifetimeMs,
      lifetimeMs,
      scope: answer.scope ?? '',
    };
    return answer.access_token;
  }

  private async request(params: Record<string, string>, withKey: boolean): Promise<TokenAnswer> {
    const url = await this.options.endpoint();
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
      if (withKey) headers['x-api-key'] = this.options.apiKey;
      const res = await this.options.fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
      if (res.status === 429 && (await this.options.wait(res, attempt))) continue;
      if (!res.ok) throw await requestError(res, this.options.now());
      const body = (await res.json()) as Partial<TokenAnswer>;
      if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number' || !/^bearer$/i.test(body.token_type ?? '')) {
        throw new WebMCPRequestError(res.status, { detail: 'the token endpoint answered an unexpected body' }, null);
      }
      return body as TokenAnswer;
    }
  }
}
