export { Keyring, KEYRING_CHANNEL } from './keyring.js';
export type { KeySpec, LoadedKey, KeyringOptions } from './keyring.js';
export { createMasterKeyWrapper, createKmsWrapper, parseMasterKey, randomMasterKey } from './master-key.js';
export type { KeyWrapper, KmsHook } from './master-key.js';
export { KEY_SPECS, signingKeySpec } from './specs.js';
