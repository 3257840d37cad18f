import { createHmac, createSecretKey, randomFillSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { WebMCPSecurityError } from '../../errors.js';
import { parseCookies, serializeCookie } from './cookie.js';

/** A CSRF signing secret: raw bytes or a string taken as UTF-8. At least 32 bytes. */
export type CsrfSecret = Uint8Array | string;

/** The config slice CSRF reads (`ResolvedSecurityConfig`). */
export interface CsrfConfig {
  /** Token lifetime in seconds. */
  csrfTokenExpiry: number;
}

export interface CsrfDeps {
  /**
   * Signing secrets. The first signs; every one verifies (so a rotated-out secret keeps
   * verifying tokens it issued until they expire). A function is called per operation, which
   * lets a keyring rotate without rebuilding the module.
   */
  secrets: CsrfSecret | readonly CsrfSecret[] | (() => readonly CsrfSecret[] | Promise<readonly CsrfSecret[]>);
  /**
   * Origins accepted in an `Origin` header besides the request's own (e.g. the public URL when
   * a proxy rewrites the Host). Exact `scheme://host[:port]` strings.
   */
  allowedOrigins?: readonly string[];
  /** Clock (ms since epoch); tests inject one. */
  now?: () => number;
}

export interface Csrf {
  /** Request header carrying the token on unsafe requests. */
  readonly headerName: 'X-CSRF-Token';
  /** Token lifetime in seconds. */
  readonly expiresIn: number;
  /** Issues a token bound to `sessionId`. Reusable until it expires. */
  issue(sessionId: string): Promise<string>;
  /**
   * Resolves when `token` is a live token for `sessionId`; throws `WebMCPSecurityError`
   * (`ERR_CSRF`) otherwise. With a `request`, also refuses `Sec-Fetch-Site: cross-site|same-site`,
   * an `Origin` that is `null` or foreign, and a CSRF cookie that differs from `token`.
   */
  verify(sessionId: string, token: string, request?: Request): Promise<void>;
  /** `__Host-webmcp-csrf` on HTTPS, `webmcp-csrf` on plain (loopback) HTTP. */
  cookieName(https: boolean): string;
  /** The double-submit `Set-Cookie` value for `token`. */
  cookie(token: string, options: { https: boolean }): string;
}

const TOKEN = /^c1\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const MAX_SESSION_ID = 1024;
/** Tokens dated further in the future than this are refused (clock skew between instances). */
const FUTURE_SKEW_MS = 60_000;
const SAFE_FETCH_SITES = new Set(['same-origin', 'none']);

function toKey(secret: CsrfSecret): KeyObject {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (key.length < 32) throw new TypeError('CSRF secrets must be at least 32 bytes');
  return createSecretKey(key);
}

// Token nonces come from a pooled CSPRNG buffer (as node's randomUUID does): one syscall per
// 256 tokens instead of one per token. Every byte is handed out once.
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;
function randomNonce(): string {
  if (poolOffset + 16 > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const nonce = POOL.subarray(poolOffset, poolOffset + 16).toString('base64url');
  poolOffset += 16;
  return nonce;
}

/** `scheme://host[:port]` of an already normalised URL string (as `Request.url` always is). */
function originOf(url: string): string {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash === -1 ? url : url.slice(0, slash);
}

function refuse(reason: string): WebMCPSecurityError {
  // The reason is for operators (cause -> audit); the message stays generic.
  return new WebMCPSecurityError('ERR_CSRF', 'CSRF check failed', { cause: reason });
}

function mac(key: KeyObject, sessionId: string, issued: string, nonce: string): Buffer {
  return createHmac('sha256', key).update(`webmcp-csrf-v1|${sessionId}|${issued}|${nonce}`).digest();
}

/** Constant-time string equality (the length is not secret: tokens have a fixed shape). */
function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Session-bound, stateless CSRF tokens: `c1.<issued, base36 s>.<16 random bytes>.<HMAC-SHA256>`
 * where the HMAC covers the session id, the issue time and the random part.
 *
 * @example
 * const csrf = createCsrf({ csrfTokenExpiry: 3600 }, { secrets: process.env.CSRF_SECRET! });
 * const token = await csrf.issue(sessionId);
 * await csrf.verify(sessionId, token, request); // throws ERR_CSRF on refusal
 */
export function createCsrf(config: CsrfConfig, options: CsrfDeps): Csrf {
  const expirySeconds = config.csrfTokenExpiry;
  if (!Number.isFinite(expirySeconds) || expirySeconds <= 0) throw new TypeError('csrfTokenExpiry must be a positive number');
  const expiryMs = expirySeconds * 1000;
  const now = options.now ?? Date.now;
  const allowed = new Set((options.allowedOrigins ?? []).map((o) => new URL(o).origin));

  const source = options.secrets;
  // Static secrets become KeyObjects once; a secrets function is called per operation (so a
  // keyring can rotate) and its results are converted once per distinct secret.
  let fixed: KeyObject[] | null = null;
  let loadKeys: () => Promise<KeyObject[]> = async () => fixed!;
  if (typeof source === 'function') {
    const converted = new Map<string, KeyObject>();
    loadKeys = async () => {
      const list = await source();
      if (list.length === 0) throw new TypeError('no CSRF secret available');
      return list.map((secret) => {
        const id = typeof secret === 'string' ? `s:${secret}` : `b:${Buffer.from(secret).toString('latin1')}`;
        let key = converted.get(id);
        if (!key) {
          key = toKey(secret);
          if (converted.size >= 16) converted.clear(); // rotated-out secrets: start over
          converted.set(id, key);
        }
        return key;
      });
    };
  } else {
    fixed = (Array.isArray(source) ? (source as readonly CsrfSecret[]) : [source as CsrfSecret]).map(toKey);
    if (fixed.length === 0) throw new TypeError('at least one CSRF secret is required');
  }

  function checkSession(sessionId: unknown): asserts sessionId is string {
    if (typeof sessionId !== 'string' || sessionId.length === 0 || sessionId.length > MAX_SESSION_ID) {
      throw refuse('missing or malformed session id');
    }
  }

  function checkRequest(request: Request, token: string): void {
    const site = request.headers.get('sec-fetch-site');
    if (site !== null && !SAFE_FETCH_SITES.has(site.trim().toLowerCase())) throw refuse(`Sec-Fetch-Site ${site.slice(0, 20)}`);
    const origin = request.headers.get('origin');
    if (origin !== null) {
      const own = originOf(request.url);
      // Fast path: browsers send the serialised origin, which matches ours byte for byte.
      if (origin !== own && !allowed.has(origin)) {
        if (origin.trim() === 'null') throw refuse('Origin null');
        let presented: string;
        try {
          presented = new URL(origin).origin;
        } catch (cause) {
          throw refuse(`unparsable Origin (${(cause as Error).name})`);
        }
        if (presented === 'null' || (presented !== new URL(request.url).origin && !allowed.has(presented))) throw refuse('foreign Origin');
      }
    }
    // Double-submit: when the CSRF cookie came along it must carry the same token.
    const header = request.headers.get('cookie');
    if (header !== null) {
      const cookies = parseCookies(header);
      for (const name of ['__Host-webmcp-csrf', 'webmcp-csrf']) {
        const cookie = cookies[name];
        if (cookie !== undefined && !sameString(cookie, token)) throw refuse('cookie and token differ');
      }
    }
  }

  return {
    headerName: 'X-CSRF-Token',
    expiresIn: expirySeconds,

    async issue(sessionId) {
      if (typeof sessionId !== 'string' || sessionId.length === 0 || sessionId.length > MAX_SESSION_ID) {
        throw new TypeError('sessionId must be a non-empty string of at most 1024 characters');
      }
      const [key] = fixed ?? (await loadKeys());
      const issued = Math.floor(now() / 1000).toString(36);
      const nonce = randomNonce();
      return `c1.${issued}.${nonce}.${mac(key!, sessionId, issued, nonce).toString('base64url')}`;
    },

    async verify(sessionId, token, request) {
      checkSession(sessionId);
      if (typeof token !== 'string') throw refuse('missing token');
      const m = TOKEN.exec(token);
      if (!m) throw refuse('malformed token');
      if (request !== undefined) {
        if (!(request instanceof Request)) throw new TypeError('request must be a Web Request');
        checkRequest(request, token);
      }
      const [, issued, nonce, sig] = m as unknown as [string, string, string, string];
      const issuedMs = parseInt(issued, 36) * 1000;
      const t = now();
      if (issuedMs > t + FUTURE_SKEW_MS) throw refuse('token issued in the future');
      if (t - issuedMs >= expiryMs) throw refuse('token expired');
      const presented = Buffer.from(sig, 'base64url');
      let ok = false;
      for (const key of fixed ?? (await loadKeys())) {
        // Compare against every key (no early exit) so timing does not reveal which one matched.
        ok = timingSafeEqual(mac(key, sessionId, issued, nonce), presented) || ok;
      }
      if (!ok) throw refuse('bad signature or other session');
    },

    cookieName(https) {
      return https ? '__Host-webmcp-csrf' : 'webmcp-csrf';
    },

    cookie(token, { https }) {
      return serializeCookie(https ? '__Host-webmcp-csrf' : 'webmcp-csrf', token, {
        httpOnly: true,
        secure: https,
        sameSite: 'Strict',
        path: '/',
        maxAge: Math.floor(expirySeconds),
      });
    },
  };
}
