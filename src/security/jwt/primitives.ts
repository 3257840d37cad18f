import { compactVerify, importJWK, type JWK, type JWSHeaderParameters } from 'jose';
import { WebMCPSecurityError } from '../../errors.js';
import { splitCompact } from '../jose/compact.js';
import { MAX_TOKEN_LENGTH } from './access-tokens.js';

export interface VerifyJwsOptions {
  /** Accepted algorithms; required, so a token never chooses its own. */
  algorithms: readonly string[];
  maxLength?: number;
}

/**
 * Low-level compact JWS verification with an explicit key and algorithm list (the standards
 * layer under access tokens; used to check interoperability against RFC 7520). Only compact
 * serialization, no `crit` extensions. Throws `ERR_JWT_INVALID` on any failure.
 */
export async function verifyJws(
  compact: unknown,
  jwk: JWK,
  options: VerifyJwsOptions,
): Promise<{ payload: Uint8Array; header: JWSHeaderParameters }> {
  if (!options || options.algorithms.length === 0) throw new TypeError('algorithms are required');
  if (!splitCompact(compact, 3, options.maxLength ?? MAX_TOKEN_LENGTH)) {
    throw new WebMCPSecurityError('ERR_JWT_INVALID', 'invalid token', { cause: new Error('not a compact JWS') });
  }
  try {
    const alg = typeof jwk.alg === 'string' ? jwk.alg : options.algorithms[0]!;
    const key = await importJWK(jwk, alg);
    const { payload, protectedHeader } = await compactVerify(compact as string, key, {
      algorithms: [...options.algorithms],
    });
    return { payload, header: protectedHeader };
  } catch (err) {
    throw new WebMCPSecurityError('ERR_JWT_INVALID', 'invalid token', { cause: err });
  }
}
