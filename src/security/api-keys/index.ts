export { createApiKeys, API_KEYS_CHANNEL } from './api-keys.js';
export type { ApiKeys, ApiKeyDeps, ApiKeyCreateInput, CreatedApiKey, ApiKeyInfo, VerifiedApiKey } from './api-keys.js';
