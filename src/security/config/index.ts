export { resolveSecurityConfig, isResolvedSecurityConfig } from './resolve.js';
export type { ResolvedSecurityConfig, ResolveOptions, JwtAlgorithm, AuditLogLevel } from './resolve.js';
export type { SecurityConfigInput } from './schema.js';
export { securityInputSchema } from './schema.js';
export { parseDuration } from './duration.js';
export { generateSecret } from './secret.js';
export { SCOPES, BUILTIN_ROLES, BUILTIN_SENSITIVE_FIELDS, DEFAULT_CSP_DIRECTIVES, DEFAULTS } from './defaults.js';
