import { safeJsonParse } from '../../security/sanitize/json.js';
import { HttpError } from './problem.js';
import { readBodyBytes, requireContentType } from './body.js';

/** JSON nesting deeper than this is refused (spec section 7). */
export const MAX_JSON_DEPTH = 64;

/**
 * Reads a JSON request body: `application/json` (415 otherwise), at most `limit` bytes (413),
 * strict UTF-8, nesting at most 64, no `__proto__`/`constructor`/`prototype` keys (400).
 */
export async function readJson(request: Request, limit: number): Promise<unknown> {
  requireContentType(request, ['application/json']);
  return parseJsonBytes(await readBodyBytes(request, limit), limit);
}

/** Parses already-read bytes with the same rules as {@link readJson}. */
export function parseJsonBytes(bytes: Uint8Array, limit: number): unknown {
  return safeJsonParse(bytes, { maxDepth: MAX_JSON_DEPTH, maxBytes: limit });
}

/** Requires a plain JSON object (not an array, string, number or null). */
export function asObject(value: unknown, what = 'the body'): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'invalid-request', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}
