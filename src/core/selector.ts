import { elementIndex, getAttr, type DocumentNode, type ElementNode, type ParentNode } from './dom.js';

/**
 * Selector generation with proof of uniqueness.
 *
 * We emit a small, standard subset of CSS — type, `#id`, `[attr="value"]`, `:nth-child(n)`,
 * descendant and child combinators — and evaluate every candidate against the whole parsed tree
 * (template contents included, as css-select and `querySelectorAll` see them) before using it.
 * Tests check the same selectors with css-select on parse5's htmlparser2 tree.
 */

export interface Step {
  /** Lower-case HTML tag name, or undefined for `*`/none. */
  tag?: string;
  id?: string;
  attrs?: ReadonlyArray<readonly [string, string]>;
  nth?: number;
  /** How this step relates to the previous one. Ignored on the first step. */
  combinator: ' ' | '>';
}

/** Attributes we select on. All compare case-sensitively in css-select and browsers. */
export const INDEXED_ATTRS = ['name', 'href', 'data-testid', 'data-test', 'data-qa', 'data-cy', 'aria-label', 'action'] as const;
export type IndexedAttr = (typeof INDEXED_ATTRS)[number];

/** CSSOM `CSS.escape` for identifiers. */
const PLAIN_IDENT = /^[a-zA-Z_][a-zA-Z0-9_-]*$/;
const PLAIN_STRING = /^[^"\\\x00-\x1f\x7f]*$/;

export function cssEscape(value: string): string {
  if (PLAIN_IDENT.test(value)) return value;
  let out = '';
  const first = value.charCodeAt(0);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0) out += '\ufffd';
    else if ((c >= 0x1 && c <= 0x1f) || c === 0x7f || (i === 0 && c >= 0x30 && c <= 0x39) || (i === 1 && c >= 0x30 && c <= 0x39 && first === 0x2d)) {
      out += '\\' + c.toString(16) + ' ';
    } else if (i === 0 && c === 0x2d && value.length === 1) out += '\\-';
    else if (c >= 0x80 || c === 0x2d || c === 0x5f || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) out += value[i];
    else out += '\\' + value[i];
  }
  return out;
}

/** A CSS string literal in double quotes. */
export function cssString(value: string): string {
  if (PLAIN_STRING.test(value)) return `"${value}"`;
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0) out += '\ufffd';
    else if ((c >= 0x1 && c <= 0x1f) || c === 0x7f) out += '\\' + c.toString(16) + ' ';
    else if (c === 0x22 || c === 0x5c) out += '\\' + value[i];
    else out += value[i];
  }
  return out + '"';
}

const SAFE_TAG = /^[a-z][a-z0-9-]*$/;

/** The tag part of a step for `el`: only plain lower-case HTML names are emitted (css-select lower-cases type selectors). */
export function tagFor(el: ElementNode): string | undefined {
  return SAFE_TAG.test(el.tag) ? el.tag : undefined;
}

export function stringify(steps: readonly Step[]): string {
  let out = '';
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (i > 0) out += s.combinator === '>' ? ' > ' : ' ';
    let part = s.tag ?? '';
    if (s.id !== undefined) part += '#' + cssEscape(s.id);
    if (s.attrs) for (const [n, v] of s.attrs) part += `[${n}=${cssString(v)}]`;
    if (s.nth !== undefined) part += `:nth-child(${s.nth})`;
    out += part || '*';
  }
  return out;
}

/**
 * `[n="v"]` in the loose sense (some attribute with local name n, namespaced or not, has value v)
 * or the strict one (the plain attribute has value v and no namespaced one shares its name).
 * Browsers match only the plain attribute; css-select on parse5's htmlparser2 tree sees `xlink:href`
 * as `href`. Counting loosely and requiring the target to match strictly makes a selector unique
 * under both readings.
 */
function attrMatches(el: ElementNode, n: string, v: string, strict: boolean): boolean {
  let plain = false;
  const attrs = el.attrs;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i];
    if (a.name !== n) continue;
    if (a.prefix) {
      if (strict) return false;
      if (a.value === v) return true;
    } else if (a.value === v) {
      if (!strict) return true;
      plain = true;
    }
  }
  return plain;
}

function stepMatches(el: ElementNode, s: Step, strict: boolean): boolean {
  if (s.tag !== undefined && el.tag !== s.tag) return false;
  if (s.id !== undefined && getAttr(el, 'id') !== s.id) return false;
  if (s.attrs) for (const [n, v] of s.attrs) if (!attrMatches(el, n, v, strict)) return false;
  if (s.nth !== undefined && elementIndex(el) !== s.nth) return false;
  return true;
}

function parentElement(el: ElementNode): ElementNode | null {
  const p = el.parent;
  // A shadow root's children count the host as their parent, as Playwright's CSS engine walks.
  if (p && p.kind === 11) return p.host ?? null;
  return p && p.kind === 1 ? p : null;
}

/** Whether `el` matches the whole selector (right to left, with backtracking for descendant steps). */
export function matches(el: ElementNode, steps: readonly Step[], i = steps.length - 1, strict = false): boolean {
  if (!stepMatches(el, steps[i], strict)) return false;
  if (i === 0) return true;
  const comb = steps[i].combinator;
  if (comb === '>') {
    const p = parentElement(el);
    return p !== null && matches(p, steps, i - 1, strict);
  }
  for (let a = parentElement(el); a; a = parentElement(a)) if (matches(a, steps, i - 1, strict)) return true;
  return false;
}

/** Every element of a parsed page, indexed by what selectors key on. Template contents included. */
export class SelectorIndex {
  readonly byId = new Map<string, ElementNode[]>();
  readonly tagCount = new Map<string, number>();
  /** Every element, for the rare selector keyed only on its tag (built into a map on first use). */
  private readonly all: ElementNode[] = [];
  private byTag: Map<string, ElementNode[]> | null = null;
  readonly byAttr = new Map<string, Map<string, ElementNode[]>>();

  constructor() {
    for (const a of INDEXED_ATTRS) this.byAttr.set(a, new Map());
  }

  add(el: ElementNode): void {
    this.all.push(el);
    this.tagCount.set(el.tag, (this.tagCount.get(el.tag) ?? 0) + 1);
    for (const a of el.attrs) {
      if (a.name === 'id') {
        if (!a.prefix) push(this.byId, a.value, el);
      } else {
        // Namespaced ones too (`xlink:href` under `href`): candidates are counted loosely, see attrMatches.
        const m = this.byAttr.get(a.name);
        if (m) push(m, a.value, el);
      }
    }
  }

  /** Elements that can possibly match the last step, from the most selective index available. */
  private candidates(s: Step): readonly ElementNode[] {
    if (s.id !== undefined) return this.byId.get(s.id) ?? [];
    if (s.attrs && s.attrs.length > 0) {
      const [n, v] = s.attrs[0];
      const m = this.byAttr.get(n);
      if (m) return m.get(v) ?? [];
    }
    if (s.tag !== undefined) {
      if (!this.byTag) {
        this.byTag = new Map();
        for (const el of this.all) push(this.byTag, el.tag, el);
      }
      return this.byTag.get(s.tag) ?? [];
    }
    throw new TypeError('selector step without an indexed key');
  }

  /** Number of elements the selector matches, stopping at `stopAt`. */
  count(steps: readonly Step[], stopAt = 2): number {
    let n = 0;
    for (const el of this.candidates(steps[steps.length - 1])) {
      if (matches(el, steps) && ++n >= stopAt) break;
    }
    return n;
  }

  isUnique(steps: readonly Step[], el: ElementNode): boolean {
    return this.count(steps) === 1 && matches(el, steps, steps.length - 1, true);
  }

  idCount(id: string): number {
    return this.byId.get(id)?.length ?? 0;
  }

  /** Whether `el`'s tag alone names exactly one element of the page (e.g. the only `textarea`). */
  uniqueTag(el: ElementNode): boolean {
    return tagFor(el) !== undefined && this.tagCount.get(el.tag) === 1;
  }
}

function push<K>(map: Map<K, ElementNode[]>, key: K, el: ElementNode): void {
  const list = map.get(key);
  if (list) list.push(el);
  else map.set(key, [el]);
}

/** Paths longer than this are worth a search for a shorter unique suffix. */
const LONG_PATH = 24;

/**
 * The positional path from the nearest ancestor that is unique by id or by tag (often `body`,
 * `main` or a lone `form`): unique by construction, since each `>` step picks one child of one
 * parent. Very deep elements get the shortest unique `>` suffix of that path instead, when one exists.
 */
export function positionalPath(el: ElementNode, index: SelectorIndex): Step[] {
  const rev: Step[] = [];
  let cur: ElementNode | null = el;
  while (cur) {
    const id = getAttr(cur, 'id');
    if (cur !== el && id && index.idCount(id) === 1) {
      rev.push({ tag: tagFor(cur), id, combinator: ' ' });
      break;
    }
    const parent: ParentNode | null = cur.parent;
    if (cur !== el && cur.tag !== 'html' && index.uniqueTag(cur)) {
      rev.push({ tag: cur.tag, combinator: ' ' });
      break;
    }
    if (parent && parent.kind === 11 && parent.host) {
      // In a shadow root: positions count among the root's children; the next step is the host.
      rev.push({ tag: tagFor(cur), nth: elementIndex(cur), combinator: '>' });
      cur = parent.host;
      continue;
    }
    if (!parent || parent.kind !== 1) {
      // The document element: `html` only when it really is the root (a foreign `html` cannot sit here).
      rev.push({ tag: cur.tag === 'html' ? 'html' : tagFor(cur), nth: cur.tag === 'html' ? undefined : elementIndex(cur), combinator: ' ' });
      break;
    }
    rev.push({ tag: tagFor(cur), nth: elementIndex(cur), combinator: '>' });
    cur = parent;
  }
  const steps = finish(rev);
  return steps.length > LONG_PATH ? (shortSuffix(steps, el, index) ?? steps) : steps;
}

/** The shortest tail of a long child-combinator path that still matches only `el`. */
function shortSuffix(steps: Step[], el: ElementNode, index: SelectorIndex): Step[] | null {
  if (steps[steps.length - 1].tag === undefined) return null;
  for (let k = 1; k <= LONG_PATH; k++) {
    const tail = steps.slice(steps.length - k).map((s, i) => (i === 0 ? { ...s, combinator: ' ' as const } : s));
    if (tail[0].tag === undefined && tail[0].id === undefined && tail[0].nth === undefined) continue;
    if (index.isUnique(tail, el)) return tail;
  }
  return null;
}

function finish(rev: Step[]): Step[] {
  const steps = rev.reverse();
  for (let i = 1; i < steps.length; i++) steps[i] = { ...steps[i], combinator: '>' };
  // `body` and `head` are unique in an HTML document: no need to count them.
  for (const s of steps) if ((s.tag === 'body' || s.tag === 'head') && s.nth !== undefined) delete s.nth;
  return steps;
}

export function isDocument(node: ParentNode | null): node is DocumentNode {
  return node !== null && node.kind === 9;
}
