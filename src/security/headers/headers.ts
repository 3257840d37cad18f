import { randomBytes } from 'node:crypto';
import { DEFAULT_CSP_DIRECTIVES } from '../config/defaults.js';
import { isResolvedSecurityConfig } from '../config/resolve.js';
import { PERMISSIONS_POLICY } from './permissions-policy.js';

export interface HstsOptions {
  /** Seconds. Default one year. */
  maxAge?: number;
  includeSubDomains?: boolean;
  preload?: boolean;
}

export interface SecurityHeadersOptions {
  /** `security.hsts`; `false` turns HSTS off. */
  hsts?: HstsOptions | false | null;
  /**
   * `security.csp.directives` (merged over webmcp's defaults): camelCase (`scriptSrc`) or directive names (`script-src`), each a
   * source list (array or space-separated string); `true` for value-less directives
   * (`upgradeInsecureRequests`) or an empty list, `false`/`null` to drop a default directive.
   * A resolved config (`ResolvedSecurityConfig`) can be passed as is; its directives are taken
   * as complete.
   */
  csp?: {
    directives?: Readonly<Record<string, readonly string[] | string | boolean | null>>;
    /** Send `Content-Security-Policy-Report-Only` instead of enforcing. */
    reportOnly?: boolean;
  };
  /**
   * `security.headers`: extra or replaced response headers; `false` removes one of the defaults.
   */
  headers?: Readonly<Record<string, string | false>>;
}

export interface ApplyOptions {
  /** Whether the response goes out over HTTPS (HSTS is only sent then). */
  https: boolean;
  /** CSP nonce for this response; a fresh one is made when omitted. */
  nonce?: string;
  /**
   * Whether a handler-set value of a header wins over ours (default false: ours are enforced).
   * `Cache-Control` is always only a default (`no-store` when the handler set none).
   */
  keepExisting?: boolean;
}

/** Where headers are written: a Web `Headers`, or an adapter over Node's `ServerResponse`. */
export type HeaderTarget = Pick<Headers, 'has' | 'set' | 'delete'>;

export interface SecurityHeaders {
  /** Sets the security headers on `headers` and returns the CSP nonce used. */
  apply(headers: HeaderTarget, options: ApplyOptions): string;
  /** A fresh base64 CSP nonce (128 random bits). */
  nonce(): string;
  /** The CSP for `nonce` (for tests and `<meta>` use). */
  csp(nonce: string): string;
}

/** Headers every response carries (hono's HEADERS_MAP / helmet's defaults, tightened). */
const STATIC_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Permissions-Policy': PERMISSIONS_POLICY,
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Permitted-Cross-Domain-Policies': 'none',
  // Legacy XSS auditors caused more holes than they closed; helmet and OWASP say disable.
  'X-XSS-Protection': '0',
};

const REMOVED = ['X-Powered-By', 'Server'];
const NONCE_DIRECTIVES = ['script-src', 'style-src'];
const DIRECTIVE_NAME = /^[a-z][a-z0-9-]*$/;
const SOURCE = /^[^\s;,]+$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7E\x80-\xFF]*$/;

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Builds the security-header policy once (options are validated here, not per response).
 *
 * @example
 * const sh = createSecurityHeaders({ hsts: { maxAge: 31536000, includeSubDomains: true } });
 * const nonce = sh.apply(response.headers, { https: true });
 */
export function createSecurityHeaders(options: SecurityHeadersOptions = {}): SecurityHeaders {
  // A resolved config already merged its directives over the defaults (and dropped the ones
  // set to false), so they are complete; raw options are merged over the defaults here.
  const base = isResolvedSecurityConfig(options) ? {} : DEFAULT_CSP_DIRECTIVES;
  const directives = new Map<string, readonly string[] | true>(Object.entries(base));
  for (const [rawName, value] of Object.entries(options.csp?.directives ?? {})) {
    const name = kebab(rawName);
    if (!DIRECTIVE_NAME.test(name)) throw new TypeError(`invalid CSP directive ${rawName}`);
    if (value === false || value === null) {
      directives.delete(name);
      continue;
    }
    if (value === true) {
      directives.set(name, true);
      continue;
    }
    const sources = typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : [...value];
    if (!sources.every((s) => typeof s === 'string' && SOURCE.test(s))) throw new TypeError(`invalid CSP source in ${rawName}`);
    directives.set(name, sources);
  }
  const cspHeader = options.csp?.reportOnly ? 'Content-Security-Policy-Report-Only' : 'Content-Security-Policy';
  const staticCsp = [...directives].filter(([name]) => !NONCE_DIRECTIVES.includes(name));

  let hsts: string | null = null;
  if (options.hsts !== false && options.hsts !== null) {
    const { maxAge = 31_536_000, includeSubDomains = true, preload = false } = options.hsts ?? {};
    if (!Number.isInteger(maxAge) || maxAge < 0) throw new TypeError('hsts.maxAge must be a non-negative integer');
    hsts = `max-age=${maxAge}${includeSubDomains ? '; includeSubDomains' : ''}${preload ? '; preload' : ''}`;
  }

  const custom: [string, string | false][] = Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]);
  for (const [name, value] of custom) {
    if (!HEADER_NAME.test(name)) throw new TypeError('invalid header name in security.headers');
    if (value !== false && (typeof value !== 'string' || !HEADER_VALUE.test(value))) throw new TypeError(`invalid value for header ${name}`);
  }

  function nonce(): string {
    return randomBytes(16).toString('base64');
  }

  function csp(n: string): string {
    const parts: string[] = [];
    for (const name of NONCE_DIRECTIVES) {
      const sources = directives.get(name);
      if (sources === undefined) continue;
      parts.push([name, ...(sources === true ? [] : sources), `'nonce-${n}'`].join(' '));
    }
    for (const [name, sources] of staticCsp) parts.push(sources === true ? name : [name, ...sources].join(' '));
    return parts.join('; ');
  }

  return {
    nonce,
    csp,
    apply(headers, { https, nonce: given, keepExisting = false }) {
      const n = given ?? nonce();
      const set = (name: string, value: string) => {
        if (!keepExisting || !headers.has(name)) headers.set(name, value);
      };
      for (const name of REMOVED) headers.delete(name);
      set(cspHeader, csp(n));
      for (const [name, value] of Object.entries(STATIC_HEADERS)) set(name, value);
      if (https && hsts) set('Strict-Transport-Security', hsts);
      else if (!https) headers.delete('Strict-Transport-Security'); // RFC 6797 §7.2: never over plain HTTP
      if (!headers.has('Cache-Control')) headers.set('Cache-Control', 'no-store');
      for (const [name, value] of custom) {
        if (value === false) headers.delete(name);
        else headers.set(name, value);
      }
      return n;
    },
  };
}

const defaultPolicy = createSecurityHeaders();

/**
 * Sets webmcp's default security headers on `headers` (see {@link createSecurityHeaders} for the
 * configurable form) and returns the CSP nonce used.
 */
export function applySecurityHeaders(headers: HeaderTarget, options: ApplyOptions): string {
  return defaultPolicy.apply(headers, options);
}
