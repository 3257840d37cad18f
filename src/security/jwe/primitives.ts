import { compactDecrypt, importJWK, type JWK, type CompactJWEHeaderParameters } from 'jose';
import { WebMCPSecurityError } from '../../errors.js';
import { splitCompact } from '../jose/compact.js';
import { MAX_JWE_LENGTH } from './decrypt.js';

export interface DecryptJweOptions {
  /** Accepted `alg` values; required, so a message never chooses its own. */
  keyManagementAlgorithms: readonly string[];
  /** Accepted `enc` values. */
  contentEncryptionAlgorithms: readonly string[];
  maxLength?: number;
}

/**
 * Low-level compact JWE decryption with an explicit key and algorithm lists (the standards layer
 * under field and client encryption; checked against RFC 7520). Refuses `zip` (compression
 * oracles) and JSON serializations. Throws `ERR_DECRYPT` on any failure.
 */
export async function decryptJwe(
  compact: unknown,
  jwk: JWK,
  options: DecryptJweOptions,
): Promise<{ plaintext: Uint8Array; header: CompactJWEHeaderParameters }> {
  if (!options || options.keyManagementAlgorithms.length === 0 || options.contentEncryptionAlgorithms.length === 0) {
    throw new TypeError('algorithm lists are required');
  }
  const parts = splitCompact(compact, 5, options.maxLength ?? MAX_JWE_LENGTH);
  if (!parts) throw new WebMCPSecurityError('ERR_DECRYPT', 'decryption failed', { cause: new Error('not a compact JWE') });
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    if ('zip' in header) throw new Error('compressed content refused');
    const alg = String(header.alg);
    const key = await importJWK(jwk, alg === 'dir' ? String(header.enc) : alg);
    const { plaintext, protectedHeader } = await compactDecrypt(compact as string, key, {
      keyManagementAlgorithms: [...options.keyManagementAlgorithms] as never,
      contentEncryptionAlgorithms: [...options.contentEncryptionAlgorithms] as never,
    });
    return { plaintext, header: protectedHeader };
  } catch (err) {
    throw new WebMCPSecurityError('ERR_DECRYPT', 'decryption failed', { cause: err });
  }
}
