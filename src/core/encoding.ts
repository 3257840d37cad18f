/** Decoding page bytes to text the way a careful reader would: see {@link sniffEncoding}. */

/**
 * The page's character encoding: BOM, then the HTTP header, then UTF-8 when the bytes are valid
 * UTF-8, then `<meta charset>` / `http-equiv` in the first 1024 bytes (the HTML prescan), else
 * windows-1252 (browsers' fallback). Valid UTF-8 goes before the meta because saved and crawled
 * pages are often re-encoded to UTF-8 with their old `<meta charset=windows-1251>` kept, while text
 * really in a legacy encoding is almost never valid UTF-8 once it has a non-ASCII byte.
 */
export function sniffEncoding(bytes: Uint8Array, headerCharset?: string): string {
  return sniff(bytes, headerCharset).encoding;
}

/** The encoding, and the text when finding the encoding already decoded it (valid UTF-8). */
function sniff(bytes: Uint8Array, headerCharset?: string): { encoding: string; text?: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le' };
  if (headerCharset && isSupported(headerCharset)) return { encoding: headerCharset };
  const text = strictUtf8(bytes);
  if (text !== null) return { encoding: 'utf-8', text };
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.-]+)/i.exec(head);
  if (m && isSupported(m[1])) {
    // HTML: a meta that says UTF-16 means UTF-8 (the bytes were ASCII-compatible to be read at all).
    return { encoding: /^utf-16/i.test(m[1]) ? 'utf-8' : m[1] };
  }
  return { encoding: 'windows-1252' };
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text when they are valid UTF-8, else null. */
function strictUtf8(bytes: Uint8Array): string | null {
  try {
    return fatalUtf8.decode(bytes);
  } catch (err) {
    if (err instanceof TypeError) return null;
    throw err;
  }
}

function isSupported(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch (err) {
    if (err instanceof RangeError) return false;
    throw err;
  }
}

/** The `charset` parameter of a Content-Type header, if any. */
export function charsetOf(contentType: string | null | undefined): string | undefined {
  return contentType ? /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] : undefined;
}

/** Page bytes as text, in the encoding {@link sniffEncoding} picks. */
export function decodeHtml(bytes: Uint8Array, headerCharset?: string): string {
  const { encoding, text } = sniff(bytes, headerCharset);
  return text ?? new TextDecoder(encoding).decode(bytes);
}
