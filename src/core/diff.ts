import { WebMCPInputError } from '../errors.js';
import { elementSummary, modelView, type FormatOptions } from './format.js';
import { quote, safeText, safeToken, utf8Length } from './safe-text.js';
import { countTokens } from './tokens.js';
import type { WebMCPDocument, WebMCPElement } from './types.js';

/**
 * What changed on a page between two analyses: elements added, removed and changed, matched by
 * their stable name and selector. Agents that saw the page before need only this.
 */
export interface DocumentDelta {
  /** Title, URL or purpose of the page that changed. */
  context: Array<{ field: 'title' | 'url' | 'purpose'; before?: string; after?: string }>;
  /** Elements of `after` with no counterpart in `before`, in document order. */
  added: WebMCPElement[];
  /** Elements of `before` with no counterpart in `after`, in document order. */
  removed: WebMCPElement[];
  /** Counterparts that differ in anything an agent relies on (a label change is a change). */
  changed: ElementChange[];
  /** Form names that appeared or disappeared. */
  forms: { added: string[]; removed: string[] };
  /** Elements present and identical in both. */
  unchanged: number;
}

export interface ElementChange {
  before: WebMCPElement;
  after: WebMCPElement;
  /** The properties that differ, e.g. `["label"]`, `["name", "selector"]`. */
  fields: Array<keyof WebMCPElement>;
}

/** Properties compared, in the order changes are reported. */
const COMPARED: ReadonlyArray<keyof WebMCPElement> = [
  'name', 'role', 'label', 'required', 'disabled', 'readonly', 'checked', 'value', 'validation', 'form', 'group',
  'field', 'method', 'url', 'security', 'description', 'context', 'selector',
];

const POSITIONAL = /:nth-(?:child|of-type)\(/;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** JSON with sorted keys, so two equal values compare equal however their keys were ordered. */
function canonical(value: unknown): string {
  if (value === undefined) return '';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? '';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
    .join(',')}}`;
}

function elementsOf(doc: unknown, which: string): WebMCPElement[] {
  if (doc === null || typeof doc !== 'object' || !Array.isArray((doc as WebMCPDocument).elements)) {
    throw new WebMCPInputError('ERR_INPUT', `${which} is not a WebMCP document`);
  }
  return (doc as WebMCPDocument).elements.filter((e): e is WebMCPElement => e !== null && typeof e === 'object' && !Array.isArray(e));
}

/**
 * Compares two documents of the same page. Elements are paired by name and selector together,
 * then by a selector that does not depend on position, then by name, then by a positional
 * selector with the same role — so a renamed element or a moved one is a change, not a removal
 * and an addition. Throws `WebMCPInputError` (`ERR_INPUT`) when either is not a document.
 *
 * @example
 * const delta = diffDocuments(yesterday, today);
 * if (!isEmptyDelta(delta)) console.log(formatDelta(delta));
 */
export function diffDocuments(before: WebMCPDocument, after: WebMCPDocument): DocumentDelta {
  const a = elementsOf(before, 'before');
  const b = elementsOf(after, 'after');
  const pairOf = new Map<WebMCPElement, WebMCPElement>();
  const taken = new Set<WebMCPElement>();

  const pass = (keyOf: (e: WebMCPElement) => string | null): void => {
    const index = new Map<string, WebMCPElement[]>();
    for (const e of a) {
      if (pairOf.has(e)) continue;
      const k = keyOf(e);
      if (k === null) continue;
      const list = index.get(k);
      if (list) list.push(e);
      else index.set(k, [e]);
    }
    for (const e of b) {
      if (taken.has(e)) continue;
      const k = keyOf(e);
      if (k === null) continue;
      const list = index.get(k);
      const match = list?.shift();
      if (!match) continue;
      pairOf.set(match, e);
      taken.add(e);
    }
  };
  pass((e) => (str(e.name) && str(e.selector) ? `${str(e.name)}\u0000${str(e.selector)}` : null));
  pass((e) => (str(e.selector) && !POSITIONAL.test(str(e.selector)) ? str(e.selector) : null));
  pass((e) => str(e.name) || null);
  pass((e) => (str(e.selector) ? `${str(e.role)}\u0000${str(e.selector)}` : null));

  const changed: ElementChange[] = [];
  let unchanged = 0;
  const changeOf = new Map<WebMCPElement, ElementChange>();
  for (const [x, y] of pairOf) {
    const fields = COMPARED.filter((f) => canonical(x[f]) !== canonical(y[f]));
    if (fields.length === 0) unchanged++;
    else changeOf.set(y, { before: x, after: y, fields: [...fields] });
  }
  for (const e of b) {
    const c = changeOf.get(e);
    if (c) changed.push(c);
  }

  const ctxA = before.context && typeof before.context === 'object' ? before.context : {};
  const ctxB = after.context && typeof after.context === 'object' ? after.context : {};
  const context: DocumentDelta['context'] = [];
  for (const field of ['title', 'url', 'purpose'] as const) {
    const x = str(ctxA[field]);
    const y = str(ctxB[field]);
    if (x !== y) context.push({ field, ...(x ? { before: x } : {}), ...(y ? { after: y } : {}) });
  }
  const formNames = (d: WebMCPDocument): Set<string> => new Set((Array.isArray(d.forms) ? d.forms : []).map((f) => str(f?.name)).filter(Boolean));
  const fa = formNames(before);
  const fb = formNames(after);

  return {
    context,
    added: b.filter((e) => !taken.has(e)),
    removed: a.filter((e) => !pairOf.has(e)),
    changed,
    forms: { added: [...fb].filter((n) => !fa.has(n)), removed: [...fa].filter((n) => !fb.has(n)) },
    unchanged,
  };
}

/** True when nothing an agent relies on changed. */
export function isEmptyDelta(delta: DocumentDelta): boolean {
  return delta.added.length === 0 && delta.removed.length === 0 && delta.changed.length === 0 && delta.context.length === 0 && delta.forms.added.length === 0 && delta.forms.removed.length === 0;
}

export interface DeltaFormatOptions {
  /** Hard budget in o200k_base tokens (>= 50): later lines give way to a closing count of what was left out. */
  maxTokens?: number;
}

function show(v: unknown): string {
  if (v === undefined || v === null || v === '') return '-';
  if (typeof v === 'string') return quote(safeText(v, 120));
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return 'changed';
}

function changeLine(c: ElementChange): string {
  const parts: string[] = [];
  for (const f of c.fields) {
    if (f === 'name') parts.push(`renamed from ${safeToken(str(c.before.name)) || '-'}`);
    else if (f === 'selector' || f === 'validation' || f === 'security') parts.push(`${f} changed`);
    else parts.push(`${f} ${show(c.before[f])} -> ${show(c.after[f])}`);
  }
  return `~ ${safeToken(str(c.after.name)) || '-'} ${parts.join('; ')}`;
}

function deltaLines(delta: DocumentDelta): string[] {
  const lines: string[] = [];
  for (const c of delta.context) lines.push(`~ PAGE ${c.field} ${show(c.before)} -> ${show(c.after)}`);
  for (const n of delta.forms.added) lines.push(`+ FORM ${safeToken(n)}`);
  for (const n of delta.forms.removed) lines.push(`- FORM ${safeToken(n)}`);
  for (const e of delta.added) lines.push(`+ ${elementSummary(e)}${e.form ? ` in ${safeToken(str(e.form))}` : ''}`);
  for (const c of delta.changed) lines.push(changeLine(c));
  for (const e of delta.removed) lines.push(`- ${safeToken(str(e.name)) || '-'}`);
  return lines;
}

function summaryLine(delta: DocumentDelta): string {
  if (isEmptyDelta(delta)) return `DELTA no changes (${delta.unchanged} elements as before)`;
  return `DELTA ${delta.added.length} added, ${delta.removed.length} removed, ${delta.changed.length} changed, ${delta.unchanged} unchanged`;
}

/**
 * The delta as model text: a summary line, then `+` added elements (written as in the view),
 * `~` changes (`label "Email" -> "E-mail"`), `-` removed names. Page text is cleaned and quoted.
 * With `maxTokens`, the text never exceeds it; later lines give way to an `OMITTED` count.
 */
export function formatDelta(delta: DocumentDelta, options: DeltaFormatOptions = {}): string {
  if (delta === null || typeof delta !== 'object' || !Array.isArray(delta.added) || !Array.isArray(delta.removed) || !Array.isArray(delta.changed)) {
    throw new TypeError('delta must come from diffDocuments');
  }
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const max = options.maxTokens;
  if (max !== undefined && (typeof max !== 'number' || !Number.isFinite(max) || max < 50)) throw new TypeError('options.maxTokens must be a number >= 50');
  const head = summaryLine(delta);
  const lines = deltaLines(delta);
  const full = [head, ...lines].join('\n');
  if (max === undefined || utf8Length(full) <= max || countTokens(full) <= max) return full;
  const render = (k: number): string => {
    const left = lines.length - k;
    return [head, ...lines.slice(0, k), ...(left > 0 ? [`OMITTED ${left} more change line${left > 1 ? 's' : ''} (ask for the full view)`] : [])].join('\n');
  };
  // Largest prefix that fits; each line costs at least one token, so bisect.
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (countTokens(render(mid)) <= max) lo = mid;
    else hi = mid - 1;
  }
  const text = render(lo);
  return countTokens(text) <= max ? text : `DELTA ${lines.length} change lines (ask for the full view)`;
}

/** What to send an agent that saw `before`: the delta when it is complete and smaller, else the view. */
export interface ViewSince {
  kind: 'delta' | 'full';
  text: string;
  /** o200k_base tokens of `text`. */
  tokens: number;
  delta: DocumentDelta;
}

/**
 * Picks the smaller of "what changed since `before`" and the full view of `after` (with the same
 * options: goal, scope, level, maxTokens). The delta wins only when it is complete — a delta cut
 * by the budget would hide changes — and has fewer tokens than the view.
 *
 * @example
 * const { kind, text } = viewSince(lastDoc, doc, { maxTokens: 2000 });
 */
export function viewSince(before: WebMCPDocument, after: WebMCPDocument, options: FormatOptions = {}): ViewSince {
  const delta = diffDocuments(before, after);
  const view = modelView(after, options);
  const viewTokens = view.tokens ?? countTokens(view.text);
  const deltaText = formatDelta(delta);
  const deltaTokens = countTokens(deltaText);
  const fits = options.maxTokens === undefined || deltaTokens <= options.maxTokens;
  if (fits && deltaTokens < viewTokens) return { kind: 'delta', text: deltaText, tokens: deltaTokens, delta };
  return { kind: 'full', text: view.text, tokens: viewTokens, delta };
}
