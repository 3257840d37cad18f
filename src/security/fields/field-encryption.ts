import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WebMCPSecurityError } from '../../errors.js';
import { decodeHeader, splitCompact, unexpectedParameter } from '../jose/compact.js';
import type { Keyring, LoadedKey } from '../keyring/keyring.js';
import { KEY_SPECS } from '../keyring/specs.js';
import { IV_BYTES, KEY_BYTES, aesGcmDecrypt, aesGcmEncrypt } from './aes-gcm.js';

/** Where a value lives. A ciphertext only decrypts with the binding it was encrypted for. */
export interface FieldBinding {
  tenant: string;
  record: string;
  field: string;
}

export interface FieldEncryption {
  /**
   * Encrypts one field value as a compact JWE (`A256GCMKW` + `A256GCM`): a fresh data key per
   * value, wrapped with the current keyring field key, and the binding sealed into the protected
   * header (the AEAD's associated data).
   */
  encrypt(value: string, binding: FieldBinding): Promise<string>;
  /** Decrypts; a tampered ciphertext, or one moved to another tenant/record/field, throws `ERR_DECRYPT`. */
  decrypt(jwe: unknown, binding: FieldBinding): Promise<string>;
}

/** Largest field ciphertext accepted. */
export const MAX_FIELD_JWE_LENGTH = 1024 * 1024;
const HEADER_PARAMS = new Set(['alg', 'enc', 'kid', 'iv', 'tag', 'typ', 'wfb']);
const FIELD_TYP = 'webmcp-field+jwe';

export function createFieldEncryption(keyring: Keyring): FieldEncryption {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  return {
    async encrypt(value, binding) {
      if (typeof value !== 'string') throw new TypeError('field values are strings');
      const bindingText = bindingString(binding);
      const fieldKey = await keyring.current(KEY_SPECS.field);
      const kek = keyBytes(fieldKey);
      const cek = randomBytes(KEY_BYTES);
      const wrapIv = randomBytes(IV_BYTES);
      const wrapped = aesGcmEncrypt(kek, wrapIv, cek, new Uint8Array(0));
      const header = {
        alg: 'A256GCMKW',
        enc: 'A256GCM',
        kid: fieldKey.kid,
        iv: wrapIv.toString('base64url'),
        tag: wrapped.tag.toString('base64url'),
        typ: FIELD_TYP,
        wfb: bindingTag(kek, bindingText),
      };
      const protectedHeader = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
      const iv = randomBytes(IV_BYTES);
      const sealed = aesGcmEncrypt(cek, iv, Buffer.from(value, 'utf8'), Buffer.from(protectedHeader, 'ascii'));
      return [
        protectedHeader,
        wrapped.ciphertext.toString('base64url'),
        iv.toString('base64url'),
        sealed.ciphertext.toString('base64url'),
        sealed.tag.toString('base64url'),
      ].join('.');
    },

    async decrypt(jwe, binding) {
      const bindingText = bindingString(binding);
      const parts = splitCompact(jwe, 5, MAX_FIELD_JWE_LENGTH);
      if (!parts) throw refuse('not a compact JWE within the size limit');
      const [protectedHeader, encryptedKey, ivText, ciphertext, tagText] = parts as [string, string, string, string, string];
      const header = decodeHeader(protectedHeader);
      if (!header) throw refuse('unreadable header');
      if (unexpectedParameter(header, HEADER_PARAMS) !== null) throw refuse('unexpected header parameter');
      if (header.alg !== 'A256GCMKW' || header.enc !== 'A256GCM' || header.typ !== FIELD_TYP) {
        throw refuse('algorithm not allowed');
      }
      const { kid, iv: wrapIv, tag: wrapTag, wfb } = header;
      if (typeof kid !== 'string' || typeof wrapIv !== 'string' || typeof wrapTag !== 'string' || typeof wfb !== 'string') {
        throw refuse('incomplete header');
      }
      const fieldKey = await keyring.find(kid, KEY_SPECS.field);
      if (!fieldKey) throw refuse('unknown kid');
      const kek = keyBytes(fieldKey);
      const expected = Buffer.from(bindingTag(kek, bindingText), 'base64url');
      const presented = Buffer.from(wfb, 'base64url');
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
        throw refuse('ciphertext belongs to another tenant, record or field');
      }
      const cek = aesGcmDecrypt(kek, b64(wrapIv), b64(encryptedKey), b64(wrapTag), new Uint8Array(0));
      if (cek.length !== KEY_BYTES) throw refuse('bad content key');
      const plaintext = aesGcmDecrypt(cek, b64(ivText), b64(ciphertext), b64(tagText), Buffer.from(protectedHeader, 'ascii'));
      try {
        return utf8.decode(plaintext);
      } catch (err) {
        throw refuse(err instanceof Error ? err : String(err));
      }
    },
  };
}

/**
 * Refuses plaintext where an element says `encryption: "required"`: the value must already be a
 * compact JWE (5 segments, readable header with `alg` and `enc`). Decryption happens later.
 */
export function requireEncrypted(security: { encryption?: string } | null | undefined, value: unknown): void {
  if (security?.encryption !== 'required') return;
  const parts = splitCompact(value, 5, MAX_FIELD_JWE_LENGTH);
  const header = parts ? decodeHeader(parts[0]!) : null;
  if (!header || typeof header.alg !== 'string' || typeof header.enc !== 'string') {
    throw new WebMCPSecurityError('ERR_ENCRYPTION_REQUIRED', 'this field must be sent encrypted (compact JWE)');
  }
}

function bindingString(binding: FieldBinding): string {
  if (typeof binding !== 'object' || binding === null) throw new TypeError('binding { tenant, record, field } is required');
  const { tenant, record, field } = binding;
  for (const [name, part] of Object.entries({ tenant, record, field })) {
    if (typeof part !== 'string') throw new TypeError(`binding.${name} must be a string`);
  }
  // JSON keeps the parts unambiguous ("a|b","c" and "a","b|c" differ), unlike a plain join.
  return JSON.stringify([tenant, record, field]);
}

/** A keyed tag of the binding: it names the place without revealing it to anyone holding only the ciphertext. */
function bindingTag(kek: Uint8Array, bindingText: string): string {
  return createHmac('sha256', kek).update('webmcp field binding\0').update(bindingText).digest('base64url');
}

function keyBytes(key: LoadedKey): Buffer {
  const bytes = Buffer.from(String(key.jwk.k), 'base64url');
  if (bytes.length !== KEY_BYTES) throw refuse('field key has the wrong size');
  return bytes;
}

function b64(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}

function refuse(reason: string | Error): WebMCPSecurityError {
  return new WebMCPSecurityError('ERR_DECRYPT', 'decryption failed', {
    cause: typeof reason === 'string' ? new Error(reason) : reason,
  });
}

