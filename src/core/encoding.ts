/** Decoding page bytes to text the way a careful reader would: see {@link sniffEncoding}. */

/**
 * The page's character encoding: BOM, then the HTTP header, then UTF-8 when the bytes are valid
 * UTF-8, then `<meta charset>` / `http-equiv` in the first 1024 bytes (the HTML prescan), else
 * windows-1252 (browsers' fallback). Valid UTF-8 goes before the meta because saved and crawled
 * pages are often re-encoded to UTF-8 with their old `<meta charset=windows-1251>` kept, while text
 * really in a legacy encoding is almost never valid UTF-8 once it has a non-ASCII byte.
 */
export function sniffEncoding(bytes: Uint8Array, headerCharset?: string): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (headerCharset && isSupported(headerCharset)) return headerCharset;
  if (isUtf8(bytes)) return 'utf-8';
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.-]+)/i.exec(head);
  if (m && isSupported(m[1])) {
    // HTML: a meta that says UTF-16 means UTF-8 (the bytes were ASCII-compatible to be read at all).
    return /^utf-16/i.test(m[1]) ? 'utf-8' : m[1];
  }
  return 'windows-1252';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch (err) {
    if (err instanceof TypeError) return false;
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

/** Page bytes as text, in the encoding {@link sniffEncoding} picks. */
export function decodeHtml(bytes: Uint8Array, headerCharset?: string): string {
  return new TextDecoder(sniffEncoding(bytes, headerCharset)).decode(bytes);
}
