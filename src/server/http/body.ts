import { HttpError } from './problem.js';

/** Default request body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface MediaType {
  /** Lower-cased `type/subtype`. */
  essence: string;
  params: Record<string, string>;
}

/** Parses a Content-Type header value; null when absent or malformed. */
export function parseMediaType(value: string | null): MediaType | null {
  if (!value) return null;
  const [head, ...rest] = value.split(';');
  const essence = head!.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(essence)) return null;
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let val = part.slice(eq + 1).trim();
    if (val.startsWith('"') && val.endsWith('"') && val.length >= 2) val = val.slice(1, -1);
    if (name) params[name] = val;
  }
  return { essence, params };
}

/**
 * Checks the request's Content-Type against the accepted ones (415 otherwise) and that any
 * declared charset is UTF-8. Returns the matching essence.
 */
export function requireContentType(request: Request, accepted: readonly string[]): string {
  const media = parseMediaType(request.headers.get('content-type'));
  if (!media || !accepted.includes(media.essence)) {
    throw new HttpError(415, 'unsupported-media-type', `expected ${accepted.join(' or ')}`);
  }
  const charset = media.params['charset'];
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') {
    throw new HttpError(415, 'unsupported-media-type', 'only UTF-8 bodies are accepted');
  }
  return media.essence;
}

/**
 * A transport's own way to read a request's whole body (the Node adapter reads the socket stream
 * directly: turning it into a Web `ReadableStream` first costs more than the rest of a small
 * request). Returns null when the body is no longer available that way (someone already
 * started reading the Web stream); rejects with the error `tooLarge()` makes past `limit` bytes.
 */
export type BodySource = (limit: number, tooLarge: () => Error) => Promise<Uint8Array> | null;

const bodySources = new WeakMap<Request, BodySource>();

/** Lets {@link readBodyBytes} read `request`'s body through `source` (transports call this). */
export function attachBodySource(request: Request, source: BodySource): void {
  bodySources.set(request, source);
}

/**
 * Reads the whole body, refusing with 413 as soon as it passes `limit` bytes (a declared
 * Content-Length over the limit is refused before reading anything).
 */
export async function readBodyBytes(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) {
    throw tooLarge(limit);
  }
  const source = bodySources.get(request);
  if (source) {
    bodySources.delete(request);
    const direct = source(limit, () => tooLarge(limit));
    if (direct) return direct;
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined); // the connection may already be gone; nothing to do
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Strict UTF-8 decoding: invalid byte sequences are a 400, never replaced. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw new HttpError(400, 'invalid-encoding', 'the body is not valid UTF-8', { cause: error });
  }
}

/** Reads and strictly decodes a text body under the limit. */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  return decodeUtf8(await readBodyBytes(request, limit));
}

/**
 * Parses an `application/x-www-form-urlencoded` body. Repeated names and names that could
 * pollute prototypes are refused, so callers can treat the result as a plain record.
 */
export function parseForm(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeFormComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeFormComponent(pair.slice(eq + 1));
    if (FORBIDDEN_KEYS.has(name)) throw new HttpError(400, 'invalid-request', 'the form body has a forbidden key');
    if (name in out) throw new HttpError(400, 'invalid-request', 'a form parameter is repeated');
    out[name] = value;
  }
  return out;
}

/** `decodeURIComponent` refuses percent-escapes that are not UTF-8, unlike URLSearchParams. */
function decodeFormComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch (error) {
    throw new HttpError(400, 'invalid-encoding', 'the form body is not valid UTF-8', { cause: error });
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'content-too-large', `the body exceeds ${limit} bytes`);
}
