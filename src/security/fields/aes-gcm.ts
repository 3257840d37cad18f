import { createCipheriv, createDecipheriv } from 'node:crypto';
import { WebMCPSecurityError } from '../../errors.js';

/** AES-256-GCM with the only parameters webmcp uses: 256-bit key, 96-bit IV, 128-bit tag. */
export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface Sealed {
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * Encrypts with AES-256-GCM (node:crypto / OpenSSL). The caller supplies a fresh random IV per
 * key and message; reusing one breaks GCM completely.
 */
export function aesGcmEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Sealed {
  if (key.length !== KEY_BYTES) throw new TypeError('AES-256-GCM needs a 32-byte key');
  if (iv.length !== IV_BYTES) throw new TypeError('AES-256-GCM needs a 12-byte IV');
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

/**
 * Decrypts and authenticates. Any failure — wrong sizes, wrong key, modified ciphertext, tag or
 * AAD — throws `ERR_DECRYPT`; no plaintext is released unless the whole tag verifies.
 */
export function aesGcmDecrypt(
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Buffer {
  if (key.length !== KEY_BYTES || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new WebMCPSecurityError('ERR_DECRYPT', 'decryption failed', { cause: new Error('bad key, IV or tag size') });
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (err) {
    throw new WebMCPSecurityError('ERR_DECRYPT', 'decryption failed', { cause: err });
  }
}
