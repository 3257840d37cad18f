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

// Printable ASCII without spaces or quotes: names, roles, purposes, URLs as we produce them.
const PLAIN_TOKEN = /^[\x21\x23-\x7e]{1,2048}$/;

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
