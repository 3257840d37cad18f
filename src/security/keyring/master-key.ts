import { createHash, randomBytes } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';
import { WebMCPConfigError } from '../../errors.js';

/**
 * A key-management hook (KMS, HSM, vault): wraps and unwraps key material. webmcp stores the
 * string it returns and never sees the KMS key itself.
 */
export interface KmsHook {
  wrap(bytes: Uint8Array): Promise<string>;
  unwrap(wrapped: string): Promise<Uint8Array>;
}

/** Encrypts key material at rest. `label` (the record's kid) is bound to the ciphertext. */
export interface KeyWrapper {
  wrap(plaintext: Uint8Array, label: string): Promise<string>;
  /** Throws {@link WebMCPConfigError} (path `masterKey`) when the material cannot be unwrapped. */
  unwrap(wrapped: string, label: string): Promise<Uint8Array>;
}

const MASTER_KEY_BYTES = 32;

/**
 * Accepts the master key as 32 raw bytes or as base64url/base64 text (`WEBMCP_MASTER_KEY`).
 * Throws {@link WebMCPConfigError} for anything else; the message never contains the value.
 */
export function parseMasterKey(value: Uint8Array | string, path = 'masterKey'): Uint8Array {
  let bytes: Uint8Array;
  if (value instanceof Uint8Array) {
    bytes = value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (!/^[A-Za-z0-9+/_-]+=*$/.test(text)) throw new WebMCPConfigError(path, 'must be 32 bytes, base64url-encoded');
    bytes = Buffer.from(text, 'base64url');
  } else {
    throw new WebMCPConfigError(path, 'must be 32 bytes (Uint8Array) or base64url text');
  }
  if (bytes.length !== MASTER_KEY_BYTES) throw new WebMCPConfigError(path, 'must be exactly 32 bytes (256 bits)');
  return new Uint8Array(bytes);
}

/** A fresh random master key (used for the memory store, whose data dies with the process). */
export function randomMasterKey(): Uint8Array {
  return new Uint8Array(randomBytes(MASTER_KEY_BYTES));
}

/**
 * Wraps with compact JWE `dir` + `A256GCM` under the master key. The protected header (which is
 * the AEAD's associated data) carries the record's kid, so a wrapped blob copied onto another
 * record fails, and a fingerprint of the master key, so a wrong key is reported as such.
 */
export function createMasterKeyWrapper(masterKey: Uint8Array): KeyWrapper {
  const key = parseMasterKey(masterKey);
  const fingerprint = createHash('sha256').update('webmcp master key id\0').update(key).digest('base64url').slice(0, 16);
  return {
    async wrap(plaintext, label) {
      return new CompactEncrypt(plaintext)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: 'webmcp-key', mk: fingerprint, lbl: label })
        .encrypt(key);
    },
    async unwrap(wrapped, label) {
      let header: Record<string, unknown>;
      try {
        header = decodeProtectedHeader(wrapped) as Record<string, unknown>;
      } catch (err) {
        throw new WebMCPConfigError('masterKey', 'stored key material is corrupt', { cause: err });
      }
      if (header.mk !== fingerprint) {
        throw new WebMCPConfigError('masterKey', 'stored keys were wrapped with a different master key');
      }
      if (header.lbl !== label) throw new WebMCPConfigError('masterKey', 'stored key material belongs to another key');
      try {
        const { plaintext } = await compactDecrypt(wrapped, key, {
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
        });
        return plaintext;
      } catch (err) {
        throw new WebMCPConfigError('masterKey', 'stored key material failed authentication', { cause: err });
      }
    },
  };
}

/** Wraps through a KMS hook; the label is sealed inside the wrapped bytes and checked on unwrap. */
export function createKmsWrapper(kms: KmsHook): KeyWrapper {
  if (typeof kms?.wrap !== 'function' || typeof kms.unwrap !== 'function') {
    throw new TypeError('kms must provide wrap(bytes) and unwrap(string)');
  }
  const sep = 0x00;
  return {
    async wrap(plaintext, label) {
      const labelBytes = Buffer.from(label, 'utf8');
      return kms.wrap(Buffer.concat([labelBytes, Buffer.from([sep]), plaintext]));
    },
    async unwrap(wrapped, label) {
      let bytes: Uint8Array;
      try {
        bytes = await kms.unwrap(wrapped);
      } catch (err) {
        throw new WebMCPConfigError('kms', 'the KMS could not unwrap stored key material', { cause: err });
      }
      const i = bytes.indexOf(sep);
      if (i < 0 || Buffer.from(bytes.subarray(0, i)).toString('utf8') !== label) {
        throw new WebMCPConfigError('kms', 'stored key material belongs to another key');
      }
      return new Uint8Array(bytes.subarray(i + 1));
    },
  };
}
