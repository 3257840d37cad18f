export { encryptFor } from './encrypt-for.js';
export type { ClientKeyManagement } from './encrypt-for.js';
export { createClientJwe, MAX_JWE_LENGTH } from './decrypt.js';
export type { ClientJwe } from './decrypt.js';
export { decryptJwe } from './primitives.js';
export type { DecryptJweOptions } from './primitives.js';
