/**
 * Page text is untrusted: it may carry markup, control characters, lone surrogates, newlines meant
 * to forge structure in the model view, or megabytes of junk. Everything we copy from a page goes
 * through {@link cleanText} first.
 */

export const MAX_LABEL_LENGTH = 200;

// C0/C1 controls, DEL, zero-width and bidi controls, line/paragraph separators, BOM.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
const TAG_LIKE = /<\/?[a-zA-Z!?][^<>]*>?/g;
const WHITESPACE = /\s+/g;

/** Replaces lone surrogates with U+FFFD so the string is well-formed Unicode (and valid UTF-8 when encoded). */
export function toWellFormed(text: string): string {
  const s = text as string & { toWellFormed?: () => string; isWellFormed?: () => boolean };
  if (typeof s.isWellFormed === 'function') return s.isWellFormed() ? text : (s.toWellFormed as () => string)();
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Printable ASCII with single spaces and no markup: nothing to clean but the ends. */
const PLAIN = /^[\x21-\x3b\x3d-\x7e]+(?: [\x21-\x3b\x3d-\x7e]+)*$/;

/**
 * Makes page text safe to show: no markup, no control characters, one line, well-formed, capped.
 * Returns '' for text with nothing left.
 */
export function cleanText(raw: string | undefined | null, max = MAX_LABEL_LENGTH): string {
  if (!raw) return '';
  if (raw.length <= max && raw.length < 200) {
    const trimmed = raw.trim();
    if (PLAIN.test(trimmed)) return trimmed;
  }
  // Bound work on hostile input before any regex runs over it.
  let s = raw.length > max * 8 ? raw.slice(0, max * 8) : raw;
  s = toWellFormed(s);
  if (s.includes('<')) s = s.replace(TAG_LIKE, ' ');
  s = s.replace(CONTROL, ' ').replace(WHITESPACE, ' ').trim();
  if (s.length > max) {
    s = s.slice(0, max - 1);
    // Never cut a surrogate pair in half.
    if (/[\ud800-\udbff]$/.test(s)) s = s.slice(0, -1);
    s = s.trimEnd() + '…';
  }
  return s;
}

const SNAKE_MAX = 40;

/**
 * Letters NFKD does not fold, and the Cyrillic and Greek alphabets (romanised as ISO 9 / ELOT 743
 * simplify them), so "Пароль" names a field PAROL rather than the FIELD fallback. Scripts without
 * a letter-by-letter romanisation (CJK, Arabic, ...) still yield ''.
 */
const TRANSLIT: Record<string, string> = (() => {
  const map: Record<string, string> = { ß: 'ss', Ł: 'L', ł: 'l', Æ: 'Ae', æ: 'ae', Ø: 'O', ø: 'o', Œ: 'Oe', œ: 'oe', Đ: 'D', đ: 'd', Þ: 'Th', þ: 'th', ı: 'i', Ħ: 'H', ħ: 'h' };
  const cyrillic = 'а a б b в v г g д d е e ё e ж zh з z и i й y к k л l м m н n о o п p р r с s т t у u ф f х kh ц ts ч ch ш sh щ shch ъ _ ы y ь _ э e ю yu я ya і i ї yi є ye ґ g ў u';
  const greek = 'α a β v γ g δ d ε e ζ z η i θ th ι i κ k λ l μ m ν n ξ x ο o π p ρ r σ s ς s τ t υ y φ f χ ch ψ ps ω o';
  for (const table of [cyrillic, greek]) {
    const parts = table.split(' ');
    for (let i = 0; i < parts.length; i += 2) {
      const [letter, latin] = [parts[i]!, parts[i + 1]!];
      const out = latin === '_' ? '' : latin;
      map[letter] = out;
      map[letter.toUpperCase()] = out.charAt(0).toUpperCase() + out.slice(1);
    }
  }
  return map;
})();
const TRANSLIT_RE = new RegExp(`[${Object.keys(TRANSLIT).join('')}]`, 'g');

function transliterate(text: string): string {
  return text.replace(TRANSLIT_RE, (c, at: number) => {
    const out = TRANSLIT[c] ?? c;
    // "Ж" is "Zh" before lower case, "ZH" in an all-capitals word (no camelCase split inside a letter).
    const next = text.charAt(at + 1);
    return out.length > 1 && next !== next.toLowerCase() ? out.toUpperCase() : out;
  });
}

/**
 * UPPER_SNAKE identifier from free text: ASCII letters, digits and `_`, starting with a letter.
 * Accents are folded (é -> E), Cyrillic and Greek romanised; other scripts yield '' (callers fall
 * back to another source).
 */
export function toUpperSnake(raw: string, maxWords = 5): string {
  if (!raw) return '';
  let text = raw.length > 400 ? raw.slice(0, 400) : raw;
  // Accent folding only where there is something to fold (NFKD is costly and most labels are ASCII).
  if (/[^\x00-\x7f]/.test(text)) text = transliterate(text.normalize('NFKD').replace(/[\u0300-\u036f]/g, ''));
  // One pass: words are runs of ASCII letters and digits, also split at camelCase humps
  // (userName -> USER_NAME, HTMLParser -> HTML_PARSER, but not "3D").
  let out = '';
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length && words <= maxWords; i++) {
    const c = text.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    const lower = c >= 97 && c <= 122;
    const digit = c >= 48 && c <= 57;
    if (!upper && !lower && !digit) {
      inWord = false;
      continue;
    }
    let boundary = !inWord;
    if (inWord && upper) {
      const prev = text.charCodeAt(i - 1);
      const prevLower = prev >= 97 && prev <= 122;
      const prevUpper = prev >= 65 && prev <= 90;
      const next = text.charCodeAt(i + 1);
      const nextLower = next >= 97 && next <= 122;
      if (prevLower || (prevUpper && nextLower)) boundary = true;
    }
    if (boundary) {
      if (++words > maxWords) break;
      if (out) out += '_';
    }
    out += lower ? String.fromCharCode(c - 32) : text[i];
    inWord = true;
  }
  if (out.length > SNAKE_MAX) out = out.slice(0, SNAKE_MAX).replace(/_+[^_]*$/, '') || out.slice(0, SNAKE_MAX);
  // May start with a digit ("3D_MODELS"): NameRegistry prefixes it with the element's kind.
  return out.replace(/_+$/, '');
}

/** Whether an identifier from the page (a name or id attribute) reads like words rather than generated noise. */
export function isMeaningfulIdentifier(raw: string): boolean {
  if (raw.length < 2 || raw.length > 60) return false;
  const letters = raw.replace(/[^a-zA-Z]/g, '');
  if (letters.length < 2) return false;
  // Long hex/base64 runs and ids like "j_id0:j_id1:...", "ember123", "ctl00_x" carry no meaning.
  if (/[0-9a-f]{8,}/i.test(raw) && !/[g-z]{3,}/i.test(raw)) return false;
  if (/^(ctl\d+|j_id|ember\d|ext-gen|yui_|gwt-uid|react-|radix-|mui-|headlessui-|:r)/i.test(raw)) return false;
  const digits = raw.replace(/[^0-9]/g, '').length;
  return digits <= letters.length;
}

/** The meaningful tail of a structured field name: `user[email]` -> `email`, `ctl00$main$txtEmail` -> `txtEmail`. */
export function fieldNameTail(name: string): string {
  const parts = name.split(/[[\]$:.|/]+/).filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) if (/[a-zA-Z]{2,}/.test(parts[i])) return parts[i];
  return name;
}
