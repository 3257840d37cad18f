import { Token, type Tokenizer } from 'parse5';

/**
 * Bulk runs for parse5's tokenizer.
 *
 * parse5 (pinned at 7.3.0) consumes text, script and style bodies, attribute values and comments
 * one code point at a time, appending each to a string. On real pages those runs are most of the
 * bytes, and the per-character work and garbage dominate analysis time. Here, when a state's
 * ordinary branch would be taken, the whole run of characters that would take the same branch is
 * consumed at once and appended in one slice. The run stops before anything the state treats
 * specially (`<`, `&`, quotes, `-`, NUL), before CR (the preprocessor rewrites CR/CRLF), before
 * surrogates (it combines pairs), and, for text, where whitespace and other characters alternate
 * (they are different token types). Everything else stays parse5's own code, so tokens and the tree
 * are identical — a differential test over the corpus and random markup checks exactly that.
 */

interface Internals {
  preprocessor: { html: string; pos: number; isEol: boolean; skipNextNewLine: boolean };
  currentAttr: { name: string; value: string };
  currentToken: { data: string; tagName: string } | null;
  _appendCharToCurrentCharacterToken(type: number, ch: string): void;
}

type StateFn = (this: Internals, cp: number) => void;

const STOP = 1;
const WS = 2;

function table(stops: string): Uint8Array {
  const t = new Uint8Array(128);
  for (const ch of stops) t[ch.charCodeAt(0)] |= STOP;
  // NUL and CR always go through parse5.
  t[0] |= STOP;
  t[13] |= STOP;
  for (const ws of [9, 10, 12, 32]) t[ws] |= WS;
  return t;
}

/** End (exclusive) of the run starting at `start`; `ws` -1 to ignore whitespace class. */
function runEnd(html: string, start: number, t: Uint8Array, ws: number): number {
  const n = html.length;
  let end = start + 1;
  while (end < n) {
    const c = html.charCodeAt(end);
    if (c < 128) {
      const f = t[c];
      if (f & STOP) break;
      if (ws >= 0 && (f & WS ? 1 : 0) !== ws) break;
    } else if ((c >= 0xd800 && c <= 0xdfff) || ws === 1) break;
    end++;
  }
  return end;
}

/** Whether `cp` (just consumed) is an ordinary character sitting verbatim at the current position. */
function ordinary(pre: Internals['preprocessor'], cp: number, t: Uint8Array): boolean {
  if (cp < 0) return false;
  if (cp < 128) {
    if (t[cp] & STOP) return false;
  } else if (cp >= 0xd800) return false;
  return pre.html.charCodeAt(pre.pos) === cp;
}

/** Marks `len` characters from the current position as consumed (the first one already was). */
function consume(pre: Internals['preprocessor'], len: number): void {
  // Read `pos` again: emitting a token may drop the parsed part of the buffer and rebase positions.
  pre.pos += len - 1;
  // Line bookkeeping only feeds source locations and error positions, both off here.
  pre.isEol = false;
  pre.skipNextNewLine = false;
}

function textState(original: StateFn, stops: string): StateFn {
  const t = table(stops);
  return function (this: Internals, cp: number): void {
    const pre = this.preprocessor;
    if (!ordinary(pre, cp, t)) return original.call(this, cp);
    const ws = cp < 128 && t[cp] & WS ? 1 : 0;
    const start = pre.pos;
    const end = runEnd(pre.html, start, t, ws);
    this._appendCharToCurrentCharacterToken(ws ? Token.TokenType.WHITESPACE_CHARACTER : Token.TokenType.CHARACTER, pre.html.slice(start, end));
    consume(pre, end - start);
  };
}

function attrState(original: StateFn, stops: string): StateFn {
  const t = table(stops);
  return function (this: Internals, cp: number): void {
    const pre = this.preprocessor;
    if (!ordinary(pre, cp, t)) return original.call(this, cp);
    const start = pre.pos;
    const end = runEnd(pre.html, start, t, -1);
    this.currentAttr.value += pre.html.slice(start, end);
    consume(pre, end - start);
  };
}

function commentState(original: StateFn, stops: string): StateFn {
  const t = table(stops);
  return function (this: Internals, cp: number): void {
    const pre = this.preprocessor;
    if (!ordinary(pre, cp, t) || !this.currentToken) return original.call(this, cp);
    const start = pre.pos;
    const end = runEnd(pre.html, start, t, -1);
    this.currentToken.data += pre.html.slice(start, end);
    consume(pre, end - start);
  };
}

/** parse5 lower-cases ASCII letters only in tag and attribute names. */
function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

function nameState(original: StateFn, stops: string, target: 'tag' | 'attr'): StateFn {
  const t = table(stops);
  return function (this: Internals, cp: number): void {
    const pre = this.preprocessor;
    if (!ordinary(pre, cp, t) || (target === 'tag' && !this.currentToken)) return original.call(this, cp);
    const start = pre.pos;
    const end = runEnd(pre.html, start, t, -1);
    const name = asciiLower(pre.html.slice(start, end));
    if (target === 'tag') (this.currentToken as { tagName: string }).tagName += name;
    else this.currentAttr.name += name;
    consume(pre, end - start);
  };
}

const PATCHES: Array<[string, (original: StateFn) => StateFn]> = [
  ['_stateTagName', (o) => nameState(o, '\t\n\f />', 'tag')],
  ['_stateAttributeName', (o) => nameState(o, '\t\n\f />="\'<', 'attr')],
  ['_stateData', (o) => textState(o, '<&')],
  ['_stateRcdata', (o) => textState(o, '<&')],
  ['_stateRawtext', (o) => textState(o, '<')],
  ['_stateScriptData', (o) => textState(o, '<')],
  ['_stateScriptDataEscaped', (o) => textState(o, '-<')],
  ['_stateScriptDataDoubleEscaped', (o) => textState(o, '-<')],
  ['_statePlaintext', (o) => textState(o, '')],
  ['_stateAttributeValueDoubleQuoted', (o) => attrState(o, '"&')],
  ['_stateAttributeValueSingleQuoted', (o) => attrState(o, "'&")],
  ['_stateAttributeValueUnquoted', (o) => attrState(o, '\t\n\f &>"\'<=`')],
  ['_stateComment', (o) => commentState(o, '-<')],
];

/** Installs the bulk runs on one tokenizer instance. */
export function installFastRuns(tokenizer: Tokenizer): void {
  const tk = tokenizer as unknown as Record<string, StateFn>;
  for (const [name, wrap] of PATCHES) {
    const original = tk[name];
    if (typeof original !== 'function') throw new TypeError(`parse5 tokenizer has no ${name}: the pinned parse5 version changed`);
    tk[name] = wrap(original);
  }
}
