/**
 * Minimal, strict cookie helpers (RFC 6265). Only what webmcp sets and reads: opaque
 * base64url-ish values, no decoding tricks, no prototype-polluting parse results.
 */

export interface CookieOptions {
  /** Seconds until the cookie expires; 0 deletes it. Omitted: a session cookie. */
  maxAge?: number;
  path?: string;
  domain?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None';
}

// RFC 6265 cookie-name is an RFC 7230 token.
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 6265 cookie-octet: visible ASCII except DQUOTE, comma, semicolon and backslash.
const VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
const ATTR = /^[\x20-\x3A\x3C-\x7E]+$/;

/** Largest Cookie header {@link parseCookies} looks at; browsers send at most about 8 KiB. */
export const MAX_COOKIE_HEADER = 16 * 1024;

/**
 * Builds a `Set-Cookie` value. Throws `TypeError` for a name or value that would need encoding,
 * and for `__Host-` / `__Secure-` names whose attributes break the prefix rules.
 *
 * @example serializeCookie('webmcp-csrf', token, { httpOnly: true, sameSite: 'Strict', path: '/' })
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!NAME.test(name)) throw new TypeError('invalid cookie name');
  if (!VALUE.test(value)) throw new TypeError('invalid cookie value');
  const secure = options.secure === true;
  if (name.startsWith('__Host-') && (!secure || options.path !== '/' || options.domain !== undefined)) {
    throw new TypeError('__Host- cookies need Secure, Path=/ and no Domain');
  }
  if (name.startsWith('__Secure-') && !secure) throw new TypeError('__Secure- cookies need Secure');
  if (options.sameSite === 'None' && !secure) throw new TypeError('SameSite=None needs Secure');

  const parts = [`${name}=${value}`];
  if (options.maxAge !== undefined) {
    if (!Number.isInteger(options.maxAge) || options.maxAge < 0) throw new TypeError('maxAge must be a non-negative integer');
    parts.push(`Max-Age=${options.maxAge}`);
    if (options.maxAge === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  }
  if (options.domain !== undefined) {
    if (!ATTR.test(options.domain)) throw new TypeError('invalid cookie domain');
    parts.push(`Domain=${options.domain}`);
  }
  if (options.path !== undefined) {
    if (!ATTR.test(options.path)) throw new TypeError('invalid cookie path');
    parts.push(`Path=${options.path}`);
  }
  if (options.httpOnly) parts.push('HttpOnly');
  if (secure) parts.push('Secure');
  if (options.sameSite) parts.push(`SameSite=${options.sameSite}`);
  return parts.join('; ');
}

/**
 * Parses a `Cookie` request header into a null-prototype record. The first occurrence of a name
 * wins (browsers send the most specific cookie first); malformed pairs and values outside the
 * RFC 6265 cookie-octet set are skipped, never thrown on. Headers over
 * {@link MAX_COOKIE_HEADER} bytes yield no cookies.
 */
export function parseCookies(header: string | null | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_COOKIE_HEADER) return out;
  for (let start = 0; start < header.length; ) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq > start && eq < end) {
      const name = header.slice(start, eq).trim();
      let value = header.slice(eq + 1, end).trim();
      if (value.length >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22) value = value.slice(1, -1);
      if (NAME.test(name) && VALUE.test(value) && !(name in out)) out[name] = value;
    }
    start = end + 1;
  }
  return out;
}

/** Reads one cookie from a Web `Request`, or null. */
export function readCookie(request: Request, name: string): string | null {
  return parseCookies(request.headers.get('cookie'))[name] ?? null;
}
