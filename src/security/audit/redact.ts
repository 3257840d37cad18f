/** What replaces a sensitive value. */
export const REDACTED = '[REDACTED]';
const TRUNCATED = '[TRUNCATED]';
const MAX_DEPTH = 32;
const MAX_STRING = 4096;
const MAX_ITEMS = 1000;

/**
 * Key names (normalised: lower case, letters and digits only) whose values are always redacted.
 * Matching is exact, so `key` does not catch `keyId` and `pin` does not catch `spinner`.
 */
const SENSITIVE_KEYS = [
  'password', 'passwd', 'pwd', 'pass', 'passphrase', 'secret', 'clientsecret', 'token', 'accesstoken',
  'refreshtoken', 'idtoken', 'authorization', 'proxyauthorization', 'auth', 'cookie', 'setcookie',
  'apikey', 'xapikey', 'key', 'privatekey', 'secretkey', 'masterkey', 'pepper', 'salt', 'card',
  'cardnumber', 'creditcard', 'creditcardnumber', 'ccnumber', 'cc', 'ccn', 'pan', 'cvv', 'cvv2', 'cvc',
  'cvc2', 'csc', 'securitycode', 'ssn', 'socialsecuritynumber', 'pin', 'otp', 'totp', 'mfacode',
  'verificationcode', 'session', 'sessionid', 'csrf', 'csrftoken', 'xcsrftoken', 'jwt', 'jwe',
  'bearer', 'signature', 'iban', 'accountnumber', 'plaintext',
];
/** Substrings that make any key sensitive (`newPassword`, `x_refresh_token`, `stripeApiKey`, ...). */
const SENSITIVE_PARTS = [
  'password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'privatekey', 'authorization',
  'cookie', 'creditcard', 'cardnumber', 'cvv', 'cvc',
];

interface ValuePattern {
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Values that are secrets wherever they appear, whatever the key. */
const VALUE_PATTERNS: readonly ValuePattern[] = [
  // PEM private keys.
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, replace: () => REDACTED },
  // Compact JWS (3 parts) and JWE (5 parts): the header is base64url JSON, so it starts with eyJ.
  { pattern: /eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){2,4}/g, replace: () => REDACTED },
  // HTTP credentials.
  { pattern: /\b(Bearer|Basic|Digest)\s+[A-Za-z0-9._~+/=-]{6,}/gi, replace: (_m, scheme) => `${scheme} ${REDACTED}` },
  // webmcp API keys (`wmk_<id>.<secret>`, or `id:secret` as in Basic credentials): keep the id.
  { pattern: /\b(wmk_[A-Za-z0-9_-]{8,})[.:][A-Za-z0-9_-]{16,}/g, replace: (_m, id) => `${id}.${REDACTED}` },
  // Long random-looking tokens (API key secrets, refresh tokens, session ids): 32+ base64url
  // characters mixing at least two of upper case, lower case and digits. Hex digests and UUIDs
  // (hex and dashes only) stay readable.
  {
    pattern: /[A-Za-z0-9_-]{32,}/g,
    replace: (m) => {
      if (/^[0-9a-fA-F-]+$/.test(m)) return m;
      const classes = Number(/[a-z]/.test(m)) + Number(/[A-Z]/.test(m)) + Number(/[0-9]/.test(m));
      return classes >= 2 ? REDACTED : m;
    },
  },
  // Payment card numbers (13-19 digits, optional space/dash groups, valid Luhn check digit), standing
  // alone: not the all-digit head of a UUID ("98604185-8060-4498-ae56-...", a request id) or of
  // another dashed or word token.
  {
    pattern: /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g,
    replace: (m) => (luhn(m.replace(/[ -]/g, '')) ? REDACTED : m),
  },
];

/** Lower case, letters and digits only: `X-API-Key`, `x_api_key` and `xApiKey` all become `xapikey`. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export interface RedactorOptions {
  /** Extra key names to redact (`security.audit.sensitiveFields`); case and separators ignored. */
  sensitiveFields?: readonly string[];
}

export interface Redactor {
  isSensitiveKey(key: string): boolean;
  /** Replaces secret-looking substrings of `text`. */
  redactString(text: string): string;
  /**
   * A JSON-safe deep copy of `value` with sensitive keys' values (at any depth, in arrays too)
   * and secret-looking strings replaced. Cycles, excess depth and oversized strings are cut.
   */
  redact(value: unknown): unknown;
}

/** Builds the redactor audit entries pass through before they are hashed and stored. */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const exact = new Set([...SENSITIVE_KEYS, ...(options.sensitiveFields ?? []).map(normalizeKey)].filter((k) => k.length > 0));

  function isSensitiveKey(key: string): boolean {
    const k = normalizeKey(key);
    return exact.has(k) || SENSITIVE_PARTS.some((p) => k.includes(p));
  }

  function redactString(text: string): string {
    let out = text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}${TRUNCATED}` : text;
    for (const { pattern, replace } of VALUE_PATTERNS) out = out.replace(pattern, replace as (m: string) => string);
    return out;
  }

  function walk(value: unknown, depth: number, seen: Set<object>): unknown {
    if (value === null || typeof value === 'boolean') return value;
    if (typeof value === 'string') return redactString(value);
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    if (typeof value === 'bigint') return value.toString();
    if (typeof value !== 'object') return undefined; // functions, symbols, undefined: not JSON
    if (depth >= MAX_DEPTH) return TRUNCATED;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    try {
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (value instanceof Error) {
        const code = (value as { code?: unknown }).code;
        return { name: value.name, message: redactString(value.message), ...(typeof code === 'string' ? { code } : {}) };
      }
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return REDACTED; // raw bytes: key material more often than not
      if (Array.isArray(value) || value instanceof Set) {
        const items = [...(value as Iterable<unknown>)];
        const out = items.slice(0, MAX_ITEMS).map((v) => walk(v, depth + 1, seen) ?? null);
        if (items.length > MAX_ITEMS) out.push(TRUNCATED);
        return out;
      }
      const entries = value instanceof Map ? [...value.entries()].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
      const out: Record<string, unknown> = {};
      for (const [key, v] of entries.slice(0, MAX_ITEMS)) {
        if (key === '__proto__') continue;
        const safeKey = redactString(key);
        if (isSensitiveKey(key)) {
          if (v !== undefined && v !== null) out[safeKey] = REDACTED;
          else if (v === null) out[safeKey] = null;
          continue;
        }
        const r = walk(v, depth + 1, seen);
        if (r !== undefined) out[safeKey] = r;
      }
      return out;
    } finally {
      seen.delete(value);
    }
  }

  return { isSensitiveKey, redactString, redact: (value) => walk(value, 0, new Set()) ?? null };
}
