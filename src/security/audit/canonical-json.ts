/**
 * Canonical JSON used for audit hashes: object keys sorted by UTF-16 code units (JavaScript's
 * default sort), no whitespace, strings and numbers as `JSON.stringify` writes them, `undefined`
 * object members omitted. For the JSON values audit entries hold this matches RFC 8785 (JCS).
 * Throws `TypeError` for values JSON cannot represent (non-finite numbers, bigint, functions).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('non-finite number in canonical JSON');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const members: string[] = [];
      for (const key of Object.keys(obj).sort()) {
        if (obj[key] === undefined) continue;
        members.push(`${JSON.stringify(key)}:${canonicalJson(obj[key])}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`${typeof value} cannot be written as canonical JSON`);
  }
}
