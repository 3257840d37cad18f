/**
 * The logger webmcp/security writes operational events to (pino-compatible: object first,
 * message second). Entries never contain tokens, secrets or key material.
 */
export interface SecurityLogger {
  debug?(details: Record<string, unknown>, message?: string): void;
  info?(details: Record<string, unknown>, message?: string): void;
  warn(details: Record<string, unknown>, message?: string): void;
  error(details: Record<string, unknown>, message?: string): void;
}

/** Drops everything; the default, so a library never writes to the console on its own. */
export const silentLogger: SecurityLogger = {
  warn() {},
  error() {},
};
