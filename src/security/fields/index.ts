export { createFieldEncryption, requireEncrypted, MAX_FIELD_JWE_LENGTH } from './field-encryption.js';
export type { FieldEncryption, FieldBinding } from './field-encryption.js';
export { aesGcmEncrypt, aesGcmDecrypt } from './aes-gcm.js';
