/**
 * The API key a request presents: `X-API-Key: <id>.<secret>` or HTTP Basic `<id>:<secret>`
 * (RFC 6749 §2.3.1: both parts form-urlencoded before base64). Returns `id.secret`, null when
 * none is presented, or `'malformed'` for a header that cannot be read.
 */
export function presentedApiKey(request: Request): string | null | 'malformed' {
  const header = request.headers.get('x-api-key');
  if (header !== null) {
    const value = header.trim();
    return value.length > 0 && value.length <= 1024 && /^[\x21-\x7e]+$/.test(value) ? value : 'malformed';
  }
  const authorization = request.headers.get('authorization');
  if (authorization === null || !/^basic\s/i.test(authorization)) return null;
  const encoded = authorization.slice(6).trim();
  if (encoded.length === 0 || encoded.length > 2048 || !/^[A-Za-z0-9+/]+=*$/.test(encoded)) return 'malformed';
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return 'malformed';
  try {
    const id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    if (!id || !secret || id.includes('.')) return 'malformed';
    return `${id}.${secret}`;
  } catch {
    // A percent-escape that is not UTF-8: the header is unreadable, which is the answer.
    return 'malformed';
  }
}

/** The Bearer token of a request, null when none, `'malformed'` for another or broken scheme. */
export function presentedBearer(request: Request): string | null | 'malformed' {
  const authorization = request.headers.get('authorization');
  if (authorization === null) return null;
  const match = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization);
  return match ? match[1]! : /^bearer\s/i.test(authorization) ? 'malformed' : null;
}
