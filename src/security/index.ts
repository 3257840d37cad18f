/**
 * `webmcp/security`: the security building blocks behind the gateway, usable on their own.
 * Re-exports only.
 */
export { createSecurity } from './create-security.js';
export type { Security, CreateSecurityOptions } from './create-security.js';
export { WebMCPSecurityError, WebMCPConfigError, WebMCPError, isWebMCPError } from '../errors.js';
export type { WebMCPErrorCode } from '../errors.js';
export type { SecurityLogger } from './logger.js';

export {
  resolveSecurityConfig,
  isResolvedSecurityConfig,
  generateSecret,
  parseDuration,
  SCOPES,
  BUILTIN_ROLES,
  BUILTIN_SENSITIVE_FIELDS,
  DEFAULT_CSP_DIRECTIVES,
} from './config/index.js';
export type { ResolvedSecurityConfig, SecurityConfigInput, JwtAlgorithm } from './config/index.js';

export { createAccessTokens, createSigningKeys, verifyJws, MAX_TOKEN_LENGTH, ACCESS_TOKEN_TYP } from './jwt/index.js';
export type { AccessTokens, AccessTokenClaims, IssueInput, VerifyOptions, SigningKeys } from './jwt/index.js';
export { createRefreshTokens, hashRefreshToken } from './refresh/index.js';
export type { RefreshTokens, IssuedRefreshToken, RefreshIssueInput } from './refresh/index.js';
export { Keyring, KEY_SPECS, createMasterKeyWrapper, createKmsWrapper, parseMasterKey } from './keyring/index.js';
export type { KmsHook, KeyWrapper, LoadedKey } from './keyring/index.js';
export { encryptFor, createClientJwe, decryptJwe, MAX_JWE_LENGTH } from './jwe/index.js';
export type { ClientJwe, ClientKeyManagement } from './jwe/index.js';
export { createFieldEncryption, requireEncrypted } from './fields/index.js';
export type { FieldEncryption, FieldBinding } from './fields/index.js';
export { createApiKeys } from './api-keys/index.js';
export type { ApiKeys, ApiKeyInfo, CreatedApiKey, VerifiedApiKey, ApiKeyCreateInput } from './api-keys/index.js';

export { createCsrf } from './csrf/index.js';
export type { Csrf } from './csrf/index.js';
export { createRateLimiter, rateLimitKey } from './rate-limit/index.js';
export type { RateLimiter, RateLimitResult } from './rate-limit/index.js';
export { createAudit } from './audit/index.js';
export type { Audit, AuditInput, AuditVerifyResult } from './audit/index.js';
export { createRbac } from './rbac/index.js';
export type { Rbac, Principal, Acl } from './rbac/index.js';
export { createSecurityHeaders } from './headers/index.js';
export type { SecurityHeaders } from './headers/index.js';
export { createSecurityMiddleware } from './middleware/index.js';
export type { SecurityMiddleware, SecurityContext } from './middleware/index.js';
export { createSessions } from './session/index.js';
export type { Sessions } from './session/index.js';
export { safeJsonParse, sanitizeLabel, sanitizeHtml, validateInput } from './sanitize/index.js';
