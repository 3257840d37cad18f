/** Built-in scopes. Every token scope and role scope is one of the configured `jwt.scopes`. */
export const SCOPES = ['webmcp:read', 'webmcp:write', 'webmcp:admin'] as const;
export type BuiltinScope = (typeof SCOPES)[number];

/** Built-in roles (spec section 4): reader reads, agent reads and acts, admin does everything. */
export const BUILTIN_ROLES: Readonly<Record<string, readonly string[]>> = {
  reader: ['webmcp:read'],
  agent: ['webmcp:read', 'webmcp:write'],
  admin: ['webmcp:read', 'webmcp:write', 'webmcp:admin'],
};

/**
 * Field names whose values the audit log always redacts (compared case-insensitively, ignoring
 * `-` and `_`), in addition to `audit.sensitiveFields`.
 */
export const BUILTIN_SENSITIVE_FIELDS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'authorization',
  'cookie',
  'set-cookie',
  'api_key',
  'apikey',
  'x-api-key',
  'private_key',
  'csrf_token',
  'x-csrf-token',
  'session',
  'otp',
  'pin',
  'cvv',
  'cvc',
  'card_number',
  'credit_card',
  'ssn',
  'master_key',
] as const;

/**
 * Default Content-Security-Policy: same-origin everything, no plugins, no framing, no inline
 * script (the headers middleware adds a per-response nonce to script-src).
 */
export const DEFAULT_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** Every default, in the units of the resolved config (seconds unless the name says ms/days). */
export const DEFAULTS = {
  enableCSRF: true,
  csrfTokenExpiry: 3600,
  jwt: {
    expiresIn: 15 * 60,
    refreshExpiresIn: 30 * 86_400,
    issuer: 'webmcp',
    audience: 'webmcp',
    clockTolerance: 5,
  },
  encryption: {
    method: 'jwe',
    algorithm: 'A256GCM',
    keyRotationInterval: 30 * 86_400,
    gracePeriod: 7 * 86_400,
  },
  rateLimit: { windowMs: 60_000, maxRequests: 100, skipSuccessfulRequests: false },
  httpsOnly: true,
  hsts: { maxAge: 31_536_000, includeSubDomains: true, preload: false },
  audit: { enabled: true, logLevel: 'info', retention: 90 },
} as const;
