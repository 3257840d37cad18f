import type { JwtAlgorithm } from '../config/resolve.js';
import type { KeySpec } from './keyring.js';

/** The key families webmcp generates. */
export const KEY_SPECS = {
  /** Clients encrypt sensitive fields to this published P-256 key (ECDH-ES+A256KW / ECDH-ES). */
  enc: { use: 'enc', alg: 'ECDH-ES+A256KW', material: 'P-256' },
  /** Wraps per-value data keys for field encryption (A256GCMKW). */
  field: { use: 'field', alg: 'A256GCMKW', material: 'oct256' },
  /** The API-key pepper: one fixed secret per store. */
  pepper: { use: 'field', alg: 'HMAC-SHA256-PEPPER', material: 'oct256' },
  /** Signs CSRF tokens: one fixed secret per store, shared by every instance. */
  csrf: { use: 'field', alg: 'HMAC-SHA256-CSRF', material: 'oct256' },
} as const satisfies Record<string, KeySpec>;

/** The generated signing key for the configured algorithm (when no secret/privateKey is set). */
export function signingKeySpec(algorithm: JwtAlgorithm): KeySpec {
  if (algorithm === 'HS256') return { use: 'sig', alg: 'HS256', material: 'oct256' };
  if (algorithm === 'EdDSA') return { use: 'sig', alg: 'EdDSA', material: 'Ed25519' };
  return { use: 'sig', alg: 'ES256', material: 'P-256' };
}
