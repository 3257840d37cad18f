import { LRUCache } from 'lru-cache';
import type { AccessTokenClaims, AccessTokens } from '../security/jwt/index.js';
import type { RevocationStore } from '../store/types.js';

export interface TokenCacheOptions {
  /** How long a verified signature is trusted without re-checking it (default 10 s). */
  ttlMs?: number;
  /** Most tokens remembered (default 10 000). */
  max?: number;
  now?: () => number;
}

/**
 * `jwt.verify` with the signature check remembered for a few seconds per token string.
 * Agents send the same token on every call, and the HMAC/ECDSA check through WebCrypto is the
 * costliest step of a request. What can change between two uses of the same bytes is still
 * checked on every use: expiry and revocation (a hit that is expired or revoked goes through the
 * full `verify`, which throws the proper error). A signing key is only retired after every token
 * it signed has expired, so a remembered signature never outlives its key in practice; the short
 * TTL bounds it regardless.
 */
export function createCachedVerify(
  jwt: Pick<AccessTokens, 'verify'>,
  revocations: Pick<RevocationStore, 'isRevoked'>,
  options: TokenCacheOptions = {},
): (token: string) => Promise<AccessTokenClaims> {
  const now = options.now ?? Date.now;
  const cache = new LRUCache<string, AccessTokenClaims>({ max: options.max ?? 10_000, ttl: options.ttlMs ?? 10_000, ttlAutopurge: false, ttlResolution: 0, perf: { now } });
  return async function verify(token) {
    const hit = cache.get(token);
    if (hit && hit.exp * 1000 > now() && !(await revocations.isRevoked(hit.jti))) return hit;
    if (hit) cache.delete(token);
    const claims = await jwt.verify(token);
    cache.set(token, claims);
    return claims;
  };
}
