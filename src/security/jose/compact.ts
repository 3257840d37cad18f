/**
 * Strict pre-parsing of compact JOSE objects, done before jose sees them: shape, size and the
 * protected header are checked here so that nothing from the token (algorithm, key URLs,
 * embedded keys) can steer what happens next.
 */
const SEGMENT = /^[A-Za-z0-9_-]*$/;

/**
 * Splits a compact serialization into exactly `count` base64url segments. Returns null for
 * anything else: JSON serializations, wrong segment counts, stray characters, or input longer
 * than `maxLength` (checked first, before any other work).
 */
export function splitCompact(input: unknown, count: 3 | 5, maxLength: number): string[] | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > maxLength) return null;
  const parts = input.split('.');
  if (parts.length !== count) return null;
  for (const part of parts) if (!SEGMENT.test(part)) return null;
  if (parts[0]!.length === 0) return null;
  return parts;
}

/** Decodes a protected header: a base64url JSON object, or null. */
export function decodeHeader(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    return value as Record<string, unknown>;
  } catch {
    // Not JSON: the caller refuses the token; there is nothing else to learn from the error.
    return null;
  }
}

/** Returns the first header parameter not in `allowed`, or null when all are allowed. */
export function unexpectedParameter(header: Record<string, unknown>, allowed: ReadonlySet<string>): string | null {
  for (const name of Object.keys(header)) if (!allowed.has(name)) return name;
  return null;
}
