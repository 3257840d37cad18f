import { cleanText } from './text.js';

/**
 * Output guards for the model view and deltas. Documents may come from anywhere (a JSON file
 * given to `--since`, an MCP session, a hand-built object), so every string is checked again on
 * the way out: one line, no control or bidi characters, well-formed Unicode.
 */

// Anything cleanText would change: controls, zero-width/bidi marks, separators, BOM, markup.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb<]|^\s|\s$|\s\s/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Page text made safe to show (see `cleanText`); '' for non-strings. Clean text is returned as is. */
export function safeText(value: unknown, max = 200): string {
  if (typeof value !== 'string' || value === '') return '';
  if (value.length <= max && !UNSAFE.test(value) && !LONE_SURROGATE.test(value)) return value;
  return cleanText(value, max);
}

// Printable ASCII without spaces, quotes or angle brackets: names, roles, purposes, URLs as we
// produce them (URL serialisation percent-encodes the rest).
const PLAIN_TOKEN = /^[\x21\x23-\x3b\x3d\x3f-\x7e]{1,2048}$/;

/** A bare token (name, role, URL) as is when it is plain ASCII, else as a quoted, cleaned string. */
export function safeToken(value: string): string {
  if (PLAIN_TOKEN.test(value)) return value;
  const clean = safeText(value, 300);
  return clean ? quote(clean) : '';
}

/** A JSON string literal: page text in the view can never end its quotes or start a line. */
export function quote(s: string): string {
  return JSON.stringify(s);
}

/** UTF-8 length of a string: an upper bound of its token count (every token covers at least one byte). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3; // BMP, or a lone surrogate (encoded as U+FFFD)
  }
  return n;
}
