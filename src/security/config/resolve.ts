import { createPrivateKey } from 'node:crypto';
import type { z } from 'zod';
import { WebMCPConfigError } from '../../errors.js';
import {
  BUILTIN_ROLES,
  BUILTIN_SENSITIVE_FIELDS,
  DEFAULT_CSP_DIRECTIVES,
  DEFAULTS,
  SCOPES,
} from './defaults.js';
import { parseDuration } from './duration.js';
import { securityInputSchema, type SecurityConfigInput } from './schema.js';
import { checkCspDirectives } from './csp.js';

export type JwtAlgorithm = 'HS256' | 'ES256' | 'EdDSA';
export type AuditLogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The validated, defaulted, deep-frozen `security` config. Durations are seconds unless the
 * name says otherwise (`windowMs`; `audit.retention` is days).
 *
 * `jwt.secret` and `jwt.privateKey` are non-enumerable, so logging or `JSON.stringify`-ing the
 * config never prints them; read them by name.
 */
export interface ResolvedSecurityConfig {
  readonly enableCSRF: boolean;
  readonly csrfTokenExpiry: number;
  readonly jwt: {
    readonly algorithm: JwtAlgorithm;
    /** Where the signing key comes from: the HS256 secret, the configured private key, or generated keyring keys. */
    readonly keySource: 'secret' | 'privateKey' | 'keyring';
    readonly secret: string | null;
    readonly privateKey: string | Readonly<Record<string, unknown>> | null;
    readonly expiresIn: number;
    readonly refreshExpiresIn: number;
    readonly scopes: readonly string[];
    readonly issuer: string;
    readonly audience: string;
    readonly clockTolerance: number;
  };
  readonly encryption: {
    readonly method: 'jwe';
    readonly algorithm: 'A256GCM';
    readonly keyRotationInterval: number;
    /** How long a rotated-out signing/encryption key still verifies/decrypts before it is deleted. */
    readonly gracePeriod: number;
  };
  readonly rateLimit: {
    readonly windowMs: number;
    readonly maxRequests: number;
    readonly skipSuccessfulRequests: boolean;
  };
  readonly httpsOnly: boolean;
  readonly hsts: { readonly maxAge: number; readonly includeSubDomains: boolean; readonly preload: boolean };
  readonly csp: {
    /** Directive name (kebab-case) -> sources; valueless directives have `[]`. */
    readonly directives: Readonly<Record<string, readonly string[]>>;
    readonly reportOnly: boolean;
  };
  /** Extra or overriding response headers (lower-case names); `false` removes a default header. */
  readonly headers: Readonly<Record<string, string | false>>;
  readonly audit: {
    readonly enabled: boolean;
    readonly logLevel: AuditLogLevel;
    /** Built-in names plus `audit.sensitiveFields`, lower-case. */
    readonly sensitiveFields: readonly string[];
    /** Days an audit entry is kept before it may be pruned. */
    readonly retention: number;
  };
  /** Role name -> scopes; the built-in reader/agent/admin plus custom roles. */
  readonly roles: Readonly<Record<string, readonly string[]>>;
}

export interface ResolveOptions {
  /** Prefix for error paths (default `security`). */
  path?: string;
}

const ALGORITHMS: readonly JwtAlgorithm[] = ['HS256', 'ES256', 'EdDSA'];
const MIN_SECRET_BYTES = 32;
const MIN_SECRET_DISTINCT_BYTES = 10;
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;
const ROLE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const HEADER_VALUE = /^[\t\x20-\x7E\x80-\xFF]{0,4096}$/;
/** Headers the transport or other modules own; setting them from config would break or weaken things. */
const RESERVED_HEADERS = new Set([
  'set-cookie',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'host',
  'keep-alive',
  'upgrade',
  'trailer',
  'content-security-policy',
  'content-security-policy-report-only',
  'strict-transport-security',
]);

const resolved = new WeakSet<object>();

/** Whether `value` came out of {@link resolveSecurityConfig} (so it need not be resolved again). */
export function isResolvedSecurityConfig(value: unknown): value is ResolvedSecurityConfig {
  return typeof value === 'object' && value !== null && resolved.has(value);
}

/**
 * Validates the webMCP `security` object and fills in secure defaults.
 * Throws {@link WebMCPConfigError} naming the offending path (e.g. `security.jwt.secret`).
 *
 * @example
 * const config = resolveSecurityConfig({ jwt: { secret: process.env.WEBMCP_JWT_SECRET } });
 * config.jwt.expiresIn; // 900
 */
export function resolveSecurityConfig(
  input: SecurityConfigInput | ResolvedSecurityConfig | undefined,
  options: ResolveOptions = {},
): ResolvedSecurityConfig {
  if (isResolvedSecurityConfig(input)) return input;
  const root = options.path ?? 'security';
  const at = (...parts: Array<string | number>) => [root, ...parts].join('.');
  const parsed = securityInputSchema.safeParse(input ?? {});
  if (!parsed.success) throw fromZod(parsed.error, root);
  const cfg = parsed.data;

  const seconds = (value: unknown, fallback: number, path: string, min: number, allowZero = false): number => {
    if (value === undefined) return fallback;
    const s = parseDuration(value);
    if (s === null) throw new WebMCPConfigError(path, 'not a duration (seconds, or a number with s/m/h/d/w/y)');
    if (s < 0 || (!allowZero && s === 0)) throw new WebMCPConfigError(path, `must be greater than 0`);
    if (s < min) throw new WebMCPConfigError(path, `must be at least ${min} s`);
    return s;
  };

  // --- jwt ---
  const jwtIn = cfg.jwt ?? {};
  const scopes = resolveScopes(jwtIn.scopes, at('jwt', 'scopes'));
  const { algorithm, keySource } = resolveSigningKey(jwtIn, at);
  const expiresIn = seconds(jwtIn.expiresIn, DEFAULTS.jwt.expiresIn, at('jwt', 'expiresIn'), 60);
  const refreshExpiresIn = seconds(
    jwtIn.refreshExpiresIn,
    DEFAULTS.jwt.refreshExpiresIn,
    at('jwt', 'refreshExpiresIn'),
    1,
  );
  if (refreshExpiresIn < expiresIn) {
    throw new WebMCPConfigError(at('jwt', 'refreshExpiresIn'), 'must not be shorter than jwt.expiresIn');
  }
  const clockTolerance = seconds(jwtIn.clockTolerance, DEFAULTS.jwt.clockTolerance, at('jwt', 'clockTolerance'), 0, true);
  if (clockTolerance > 300) throw new WebMCPConfigError(at('jwt', 'clockTolerance'), 'must be at most 300 s');
  const issuer = nonEmpty(jwtIn.issuer ?? DEFAULTS.jwt.issuer, at('jwt', 'issuer'));
  const audience = nonEmpty(jwtIn.audience ?? DEFAULTS.jwt.audience, at('jwt', 'audience'));

  const jwt = {
    algorithm,
    keySource,
    expiresIn,
    refreshExpiresIn,
    scopes,
    issuer,
    audience,
    clockTolerance,
  } as Record<string, unknown>;
  // Key material stays out of logs and JSON dumps of the config.
  Object.defineProperty(jwt, 'secret', { value: jwtIn.secret ?? null, enumerable: false });
  const privateKey = jwtIn.privateKey;
  Object.defineProperty(jwt, 'privateKey', {
    value: privateKey === undefined ? null : typeof privateKey === 'string' ? privateKey : structuredClone(privateKey),
    enumerable: false,
  });

  // --- encryption ---
  const encIn = cfg.encryption ?? {};
  if (encIn.method !== undefined && encIn.method !== 'jwe') {
    throw new WebMCPConfigError(at('encryption', 'method'), 'only "jwe" is supported');
  }
  if (encIn.algorithm !== undefined && encIn.algorithm !== 'A256GCM') {
    throw new WebMCPConfigError(at('encryption', 'algorithm'), 'only "A256GCM" is supported');
  }
  const keyRotationInterval = seconds(
    encIn.keyRotationInterval,
    DEFAULTS.encryption.keyRotationInterval,
    at('encryption', 'keyRotationInterval'),
    60,
  );
  const gracePeriod = seconds(encIn.gracePeriod, DEFAULTS.encryption.gracePeriod, at('encryption', 'gracePeriod'), 1);

  // --- rate limit ---
  const rlIn = cfg.rateLimit ?? {};
  const windowMs = positiveInt(rlIn.windowMs ?? DEFAULTS.rateLimit.windowMs, at('rateLimit', 'windowMs'), 86_400_000);
  const maxRequests = positiveInt(
    rlIn.maxRequests ?? DEFAULTS.rateLimit.maxRequests,
    at('rateLimit', 'maxRequests'),
    1_000_000_000,
  );

  // --- hsts ---
  const hstsIn = cfg.hsts ?? {};
  const hsts = {
    maxAge: Math.floor(seconds(hstsIn.maxAge, DEFAULTS.hsts.maxAge, at('hsts', 'maxAge'), 0, true)),
    includeSubDomains: hstsIn.includeSubDomains ?? DEFAULTS.hsts.includeSubDomains,
    preload: hstsIn.preload ?? DEFAULTS.hsts.preload,
  };
  if (hsts.preload && (hsts.maxAge < 31_536_000 || !hsts.includeSubDomains)) {
    throw new WebMCPConfigError(at('hsts', 'preload'), 'preload needs maxAge of at least 1 year and includeSubDomains');
  }

  // --- csp, headers ---
  const directives = checkCspDirectives(cfg.csp?.directives, DEFAULT_CSP_DIRECTIVES, at('csp', 'directives'));
  const headers = resolveHeaders(cfg.headers, at('headers'));

  // --- audit ---
  const auditIn = cfg.audit ?? {};
  const sensitive = new Set<string>(BUILTIN_SENSITIVE_FIELDS);
  for (const [i, name] of (auditIn.sensitiveFields ?? []).entries()) {
    if (name.trim() === '' || name.length > 128) {
      throw new WebMCPConfigError(at('audit', 'sensitiveFields', i), 'must be a field name of 1-128 characters');
    }
    sensitive.add(name.trim().toLowerCase());
  }
  const retention = resolveRetentionDays(auditIn.retention, at('audit', 'retention'));

  // --- roles ---
  const roles = resolveRoles(cfg.roles, scopes, at);

  const config = {
    enableCSRF: cfg.enableCSRF ?? DEFAULTS.enableCSRF,
    csrfTokenExpiry: seconds(cfg.csrfTokenExpiry, DEFAULTS.csrfTokenExpiry, at('csrfTokenExpiry'), 60),
    jwt,
    encryption: { method: 'jwe', algorithm: 'A256GCM', keyRotationInterval, gracePeriod },
    rateLimit: {
      windowMs,
      maxRequests,
      skipSuccessfulRequests: rlIn.skipSuccessfulRequests ?? DEFAULTS.rateLimit.skipSuccessfulRequests,
    },
    httpsOnly: cfg.httpsOnly ?? DEFAULTS.httpsOnly,
    hsts,
    csp: { directives, reportOnly: cfg.csp?.reportOnly ?? false },
    headers,
    audit: {
      enabled: auditIn.enabled ?? DEFAULTS.audit.enabled,
      logLevel: auditIn.logLevel ?? DEFAULTS.audit.logLevel,
      sensitiveFields: [...sensitive],
      retention,
    },
    roles,
  } as unknown as ResolvedSecurityConfig;
  deepFreeze(config);
  resolved.add(config);
  return config;
}

function fromZod(error: z.ZodError, root: string): WebMCPConfigError {
  const issue = error.issues[0]!;
  const path = [root, ...issue.path.map(String)];
  let reason = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path.push(String(issue.keys[0]));
    reason = 'unknown key';
  } else if (issue.code === 'invalid_type') {
    reason = `must be ${issue.expected === 'record' ? 'an object' : `a ${issue.expected}`}`;
  }
  return new WebMCPConfigError(path.join('.'), reason, { cause: error.issues });
}

function resolveScopes(input: string[] | undefined, path: string): readonly string[] {
  if (input === undefined) return [...SCOPES];
  if (input.length === 0) throw new WebMCPConfigError(path, 'must list at least one scope');
  const seen = new Set<string>();
  for (const [i, scope] of input.entries()) {
    if (!SCOPE_TOKEN.test(scope)) {
      throw new WebMCPConfigError(`${path}.${i}`, 'not a valid scope (RFC 6749 scope-token, no spaces)');
    }
    if (seen.has(scope)) throw new WebMCPConfigError(`${path}.${i}`, 'duplicate scope');
    seen.add(scope);
  }
  return [...seen];
}

function resolveSigningKey(
  jwt: NonNullable<SecurityConfigInput['jwt']>,
  at: (...parts: string[]) => string,
): { algorithm: JwtAlgorithm; keySource: 'secret' | 'privateKey' | 'keyring' } {
  let requested: JwtAlgorithm | undefined;
  if (jwt.algorithm !== undefined) {
    if (jwt.algorithm.toLowerCase() === 'none') {
      throw new WebMCPConfigError(at('jwt', 'algorithm'), '"none" (unsigned tokens) is never accepted');
    }
    if (!(ALGORITHMS as readonly string[]).includes(jwt.algorithm)) {
      throw new WebMCPConfigError(at('jwt', 'algorithm'), 'must be one of HS256, ES256, EdDSA');
    }
    requested = jwt.algorithm as JwtAlgorithm;
  }
  if (jwt.secret !== undefined && jwt.privateKey !== undefined) {
    throw new WebMCPConfigError(at('jwt'), 'give either secret (HS256) or privateKey (ES256/EdDSA), not both');
  }
  if (jwt.secret !== undefined) {
    checkSecret(jwt.secret, at('jwt', 'secret'));
    if (requested && requested !== 'HS256') {
      throw new WebMCPConfigError(at('jwt', 'algorithm'), `${requested} needs jwt.privateKey; jwt.secret is for HS256`);
    }
    return { algorithm: 'HS256', keySource: 'secret' };
  }
  if (jwt.privateKey !== undefined) {
    const keyAlg = privateKeyAlgorithm(jwt.privateKey, at('jwt', 'privateKey'));
    if (requested && requested !== keyAlg) {
      throw new WebMCPConfigError(at('jwt', 'algorithm'), `does not match the private key (a ${keyAlg} key)`);
    }
    return { algorithm: keyAlg, keySource: 'privateKey' };
  }
  // No key material: createSecurity generates (and persists) keyring keys; ES256 unless told otherwise.
  return { algorithm: requested ?? 'ES256', keySource: 'keyring' };
}

function checkSecret(secret: string, path: string): void {
  const bytes = Buffer.from(secret, 'utf8');
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new WebMCPConfigError(path, 'must be at least 256 bits (32 bytes); generate one with `webmcp secret`');
  }
  if (new Set(bytes).size < MIN_SECRET_DISTINCT_BYTES) {
    throw new WebMCPConfigError(path, 'is too repetitive to be a random secret; generate one with `webmcp secret`');
  }
  if (/^\$\{[^}]*\}$/.test(secret)) {
    throw new WebMCPConfigError(path, 'is an unresolved ${VARIABLE} placeholder');
  }
}

function privateKeyAlgorithm(key: string | Record<string, unknown>, path: string): JwtAlgorithm {
  let keyObject;
  try {
    if (typeof key === 'string') {
      if (!/-----BEGIN (EC |)PRIVATE KEY-----/.test(key)) {
        throw new WebMCPConfigError(path, 'must be an unencrypted PKCS#8 or SEC1 PEM private key, or a private JWK');
      }
      keyObject = createPrivateKey({ key, format: 'pem' });
    } else {
      keyObject = createPrivateKey({ key: key as never, format: 'jwk' });
    }
  } catch (err) {
    if (err instanceof WebMCPConfigError) throw err;
    // The node error names the parsing problem, never the key; keep it as the cause only.
    throw new WebMCPConfigError(path, 'is not a readable private key (PEM or JWK with "d")', { cause: err });
  }
  const type = keyObject.asymmetricKeyType;
  if (type === 'ec' && keyObject.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (type === 'ed25519') return 'EdDSA';
  throw new WebMCPConfigError(path, 'must be a P-256 (ES256) or Ed25519 (EdDSA) key');
}

function positiveInt(value: number, path: string, max: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new WebMCPConfigError(path, 'must be an integer greater than 0');
  if (value > max) throw new WebMCPConfigError(path, `must be at most ${max}`);
  return value;
}

function nonEmpty(value: string, path: string): string {
  if (value.trim() === '' || value.length > 512) throw new WebMCPConfigError(path, 'must be a non-empty string');
  return value;
}

function resolveRetentionDays(value: number | string | undefined, path: string): number {
  if (value === undefined) return DEFAULTS.audit.retention;
  // A bare number is days (the webMCP shape); a string with a unit is a duration.
  const days = typeof value === 'number' ? value : (parseDuration(value) ?? NaN) / 86_400;
  if (!Number.isFinite(days)) throw new WebMCPConfigError(path, 'must be a number of days or a duration like "90d"');
  if (days <= 0) throw new WebMCPConfigError(path, 'must be greater than 0');
  if (days > 36_500) throw new WebMCPConfigError(path, 'must be at most 100 years');
  return days;
}

function resolveHeaders(input: Record<string, string | false> | undefined, path: string): Record<string, string | false> {
  const out: Record<string, string | false> = {};
  for (const [name, value] of Object.entries(input ?? {})) {
    if (!HEADER_NAME.test(name)) throw new WebMCPConfigError(`${path}.${name}`, 'not a valid header name');
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) {
      throw new WebMCPConfigError(`${path}.${name}`, 'cannot be set here (use csp/hsts, or it is owned by the server)');
    }
    if (value !== false && !HEADER_VALUE.test(value)) {
      throw new WebMCPConfigError(`${path}.${name}`, 'header value has control characters or is too long');
    }
    out[lower] = value;
  }
  return out;
}

function resolveRoles(
  input: Record<string, string[]> | undefined,
  scopes: readonly string[],
  at: (...parts: string[]) => string,
): Record<string, readonly string[]> {
  const known = new Set(scopes);
  const roles: Record<string, readonly string[]> = {};
  for (const [name, roleScopes] of Object.entries(BUILTIN_ROLES)) {
    roles[name] = roleScopes.filter((s) => known.has(s));
  }
  for (const [name, roleScopes] of Object.entries(input ?? {})) {
    if (!ROLE_NAME.test(name)) throw new WebMCPConfigError(at('roles', name), 'role names are lower-case, 1-32 characters');
    if (name in BUILTIN_ROLES) throw new WebMCPConfigError(at('roles', name), 'built-in roles cannot be redefined');
    for (const scope of roleScopes) {
      if (!known.has(scope)) throw new WebMCPConfigError(at('roles', name), 'uses a scope not listed in jwt.scopes');
    }
    roles[name] = [...new Set(roleScopes)];
  }
  return roles;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  Object.freeze(value);
}
