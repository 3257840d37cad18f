import { createPublicKey } from 'node:crypto';
import { compactDecrypt, importJWK, type CryptoKey, type JWK } from 'jose';
import { WebMCPSecurityError } from '../../errors.js';
import { decodeHeader, splitCompact, unexpectedParameter } from '../jose/compact.js';
import type { Keyring, LoadedKey } from '../keyring/keyring.js';
import { KEY_SPECS } from '../keyring/specs.js';

/** Largest JWE accepted (a field value, not a file). */
export const MAX_JWE_LENGTH = 256 * 1024;
const KEY_MANAGEMENT = new Set(['ECDH-ES+A256KW', 'ECDH-ES']);
/** `zip`, `jku`, `jwk`, `x5u`, `crit`, `p2s`... are all refused. */
const ALLOWED_HEADER = new Set(['alg', 'enc', 'kid', 'epk', 'apu', 'apv', 'typ', 'cty']);
const COORDINATE = /^[A-Za-z0-9_-]{43}$/;

export interface ClientJwe {
  /**
   * Decrypts a compact JWE a client encrypted to one of our current `use: enc` keys and returns
   * the UTF-8 plaintext. Throws `ERR_DECRYPT` (generic message) for anything else.
   */
  decrypt(jwe: unknown): Promise<string>;
  /** Public `use: enc` keys to publish (creates the first one on demand). */
  publicJwks(): Promise<JWK[]>;
}

export function createClientJwe(keyring: Keyring): ClientJwe {
  const imported = new WeakMap<LoadedKey, CryptoKey>();
  const utf8 = new TextDecoder('utf-8', { fatal: true });

  return {
    async decrypt(jwe) {
      const parts = splitCompact(jwe, 5, MAX_JWE_LENGTH);
      if (!parts) throw refuse('not a compact JWE within the size limit');
      const header = decodeHeader(parts[0]!);
      if (!header) throw refuse('unreadable header');
      const extra = unexpectedParameter(header, ALLOWED_HEADER);
      if (extra !== null) throw refuse(`forbidden header parameter ${JSON.stringify(extra).slice(0, 40)}`);
      const { alg, enc, kid, epk } = header;
      if (typeof alg !== 'string' || !KEY_MANAGEMENT.has(alg)) throw refuse('key management algorithm not allowed');
      if (enc !== 'A256GCM') throw refuse('content encryption not allowed');
      if (typeof kid !== 'string' || kid.length === 0 || kid.length > 128) throw refuse('missing kid');
      // Shapes fixed by the algorithms: empty encrypted key for ECDH-ES, 40 bytes for +A256KW; 96-bit IV; 128-bit tag.
      if ((alg === 'ECDH-ES') !== (parts[1]!.length === 0) || (alg !== 'ECDH-ES' && parts[1]!.length !== 54)) {
        throw refuse('encrypted key has the wrong size');
      }
      if (parts[2]!.length !== 16 || parts[4]!.length !== 22) throw refuse('iv or tag has the wrong size');
      checkEphemeralKey(epk);
      const key = await keyring.find(kid, KEY_SPECS.enc);
      if (!key) throw refuse('unknown or retired kid');
      let privateKey = imported.get(key);
      if (!privateKey) {
        privateKey = (await importJWK(key.jwk as JWK, 'ECDH-ES')) as CryptoKey;
        imported.set(key, privateKey);
      }
      try {
        const { plaintext } = await compactDecrypt(jwe as string, privateKey, {
          keyManagementAlgorithms: [...KEY_MANAGEMENT] as never,
          contentEncryptionAlgorithms: ['A256GCM'],
        });
        return utf8.decode(plaintext);
      } catch (err) {
        throw refuse(err instanceof Error ? err : String(err));
      }
    },

    async publicJwks() {
      await keyring.current(KEY_SPECS.enc);
      return (await keyring.list(KEY_SPECS.enc)).map((k) => ({ ...(k.publicJwk as JWK), use: 'enc', alg: KEY_SPECS.enc.alg }));
    },
  };
}

/** The sender's ephemeral key must be a bare P-256 public point that is on the curve. */
function checkEphemeralKey(epk: unknown): void {
  if (typeof epk !== 'object' || epk === null || Array.isArray(epk)) throw refuse('missing epk');
  const { kty, crv, x, y, ...rest } = epk as Record<string, unknown>;
  if (kty !== 'EC' || crv !== 'P-256' || Object.keys(rest).length > 0) throw refuse('epk must be a bare P-256 key');
  if (typeof x !== 'string' || typeof y !== 'string' || !COORDINATE.test(x) || !COORDINATE.test(y)) {
    throw refuse('epk coordinates malformed');
  }
  try {
    // OpenSSL refuses points that are not on the curve (invalid-curve attacks leak the private key).
    createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' });
  } catch (err) {
    throw refuse(err instanceof Error ? err : String(err));
  }
}

function refuse(reason: string | Error): WebMCPSecurityError {
  return new WebMCPSecurityError('ERR_DECRYPT', 'decryption failed', {
    cause: typeof reason === 'string' ? new Error(reason) : reason,
  });
}
