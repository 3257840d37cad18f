/** Longest label {@link sanitizeLabel} returns, in code points. */
export const MAX_LABEL = 200;

// C0/C1 controls and DEL, zero-width and bidi controls (Trojan Source), BOM.
const INVISIBLE = /[\u0000-\u001F\u007F-\u009F\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LINE_BREAKS = /[\r\n\u0085\u2028\u2029\t\v\f]+/g;

/**
 * Makes untrusted text safe to show as a one-line label: tags and control/bidi characters are
 * removed, whitespace collapses to single spaces, and the result is NFC and at most `max` code
 * points (never splitting a surrogate pair). Non-strings yield `''`.
 *
 * @example sanitizeLabel('<b>Sign\n in</b>\u202E') // 'Sign in'
 */
export function sanitizeLabel(value: unknown, max: number = MAX_LABEL): string {
  if (typeof value !== 'string') return '';
  let text = value.length > max * 16 ? value.slice(0, max * 16) : value;
  text = text.replace(LONE_SURROGATE, '\uFFFD').normalize('NFC');
  text = text.replace(LINE_BREAKS, ' ');
  // Strip tags until none are left (handles `<scr<b>ipt>`), then any stray angle brackets.
  for (let prev = ''; prev !== text; ) {
    prev = text;
    text = text.replace(/<[^<>]*>/g, '');
  }
  text = text.replace(/[<>]/g, '').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  const points = Array.from(text);
  return points.length > max ? points.slice(0, max).join('').trimEnd() : text;
}
