import { randomBytes } from 'node:crypto';

/**
 * A fresh 256-bit random secret, base64url-encoded (43 characters) — long enough for
 * `jwt.secret` (HS256) and `WEBMCP_MASTER_KEY`.
 */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
