import { WebMCPInputError } from '../../errors.js';

export interface SafeJsonOptions {
  /** Deepest allowed nesting of arrays/objects. Default 64. */
  maxDepth?: number;
  /** Largest accepted input in bytes (UTF-8). Default 1 MiB. */
  maxBytes?: number;
}

/** Keys that could reach an object's prototype if the value were ever merged. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const encoder = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function refuse(reason: string, cause?: unknown): WebMCPInputError {
  return new WebMCPInputError('ERR_INPUT', reason, cause === undefined ? undefined : { cause });
}

/** Depth of the deepest array/object in JSON text, counted outside strings; stops once over `limit`. */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

function assertNoForbiddenKeys(root: unknown): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) throw refuse('forbidden key in JSON input');
      stack.push((value as Record<string, unknown>)[key]);
    }
  }
}

/**
 * Parses untrusted JSON: UTF-8 only (bytes are decoded strictly; a BOM is skipped), at most
 * `maxBytes`, nesting at most `maxDepth`, and no `__proto__`/`constructor`/`prototype` keys at
 * any depth. Throws `WebMCPInputError` (`ERR_INPUT`) with a generic message otherwise.
 *
 * @example safeJsonParse(await request.arrayBuffer().then((b) => new Uint8Array(b)))
 */
export function safeJsonParse(input: string | Uint8Array | ArrayBuffer, options: SafeJsonOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? 64;
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  let text: string;
  if (typeof input === 'string') {
    if (input.length > maxBytes || encoder.encode(input).length > maxBytes) throw refuse('JSON input too large');
    if (LONE_SURROGATE.test(input)) throw refuse('JSON input is not valid Unicode');
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  } else if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
    if (bytes.length > maxBytes) throw refuse('JSON input too large');
    try {
      text = decoder.decode(bytes);
    } catch (cause) {
      throw refuse('JSON input is not valid UTF-8', cause);
    }
  } else {
    throw refuse('JSON input must be text');
  }
  if (nestingDepth(text, maxDepth) > maxDepth) throw refuse('JSON input nested too deeply');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw refuse('malformed JSON', cause);
  }
  assertNoForbiddenKeys(value);
  return value;
}
