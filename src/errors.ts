/**
 * Every error webmcp throws for bad *input* is a {@link WebMCPError} with a stable `code`.
 * Developer misuse (wrong argument types) throws plain `TypeError`s instead.
 *
 * Messages are generic on purpose: they never contain tokens, keys, secrets or field values.
 * Details meant for operators go to `cause` (and from there to logs and the audit trail).
 */
export type WebMCPErrorCode =
  // configuration
  | 'ERR_CONFIG'
  // page analysis / declarations / CLI input
  | 'ERR_INPUT'
  | 'ERR_DECLARATION'
  | 'ERR_FETCH'
  | 'ERR_RENDER'
  // security
  | 'ERR_JWT_INVALID'
  | 'ERR_JWT_EXPIRED'
  | 'ERR_JWT_REVOKED'
  | 'ERR_SCOPE'
  | 'ERR_FORBIDDEN'
  | 'ERR_UNAUTHENTICATED'
  | 'ERR_CSRF'
  | 'ERR_RATE_LIMITED'
  | 'ERR_DECRYPT'
  | 'ERR_ENCRYPTION_REQUIRED'
  | 'ERR_API_KEY'
  | 'ERR_REFRESH_INVALID'
  | 'ERR_REFRESH_REUSED'
  | 'ERR_AUDIT'
  // clients: the server's certificate does not match the pinned SPKI hash
  | 'ERR_TLS_PIN'
  // stores
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_STORE_CONFLICT'
  | 'ERR_NOT_FOUND';

export class WebMCPError extends Error {
  readonly code: WebMCPErrorCode;
  constructor(code: WebMCPErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration value was refused. `path` names the offending key, e.g. `security.jwt.secret`. */
export class WebMCPConfigError extends WebMCPError {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_CONFIG', path ? `${path}: ${reason}` : reason, options);
    this.path = path;
    this.reason = reason;
  }
}

/** A security check refused a request or a credential. */
export class WebMCPSecurityError extends WebMCPError {}

/** A page declaration (`application/webmcp+json`, W3C `toolname` forms) is invalid. `path` is a JSON path. */
export class WebMCPDeclarationError extends WebMCPError {
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_DECLARATION', `${path}: ${reason}`, options);
    this.path = path;
  }
}

/** Input that cannot be processed (wrong type, too large, unreachable URL, ...). */
export class WebMCPInputError extends WebMCPError {}

/** A backing store (SQLite, Redis, PostgreSQL) is unreachable or refused an operation. */
export class WebMCPStoreError extends WebMCPError {}

export type AnyWebMCPError =
  | WebMCPConfigError
  | WebMCPSecurityError
  | WebMCPDeclarationError
  | WebMCPInputError
  | WebMCPStoreError;

export function isWebMCPError(value: unknown): value is WebMCPError {
  return value instanceof WebMCPError;
}
