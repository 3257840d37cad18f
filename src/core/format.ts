import { goalTerms, relevance, type GoalTerms } from './goal.js';
import { quote, safeText, safeToken, utf8Length } from './safe-text.js';
import { countTokens } from './tokens.js';
import type { OptimizationLevel, WebMCPDocument, WebMCPElement, WebMCPForm } from './types.js';

/**
 * The compact text an LLM is given for a page: one short line per element, grouped by form,
 * goal-relevant parts first. Everything copied from the page is cleaned again here (one line, no
 * control characters, well-formed) and written as a JSON string, so page text can never start a
 * line or pose as structure — also for documents read back from JSON files.
 */
export interface FormatOptions {
  /**
   * Free text such as "log in" or "search for blue shoes". The view focuses on it: the best
   * matching form first and in full, then other relevant forms and controls; the rest is named
   * in the closing `OMITTED` line. A goal that matches nothing gives the whole view.
   */
  goal?: string;
  /** Detail level; defaults to the document's `metadata.optimization_level`. */
  level?: OptimizationLevel;
  /**
   * Hard budget in o200k_base tokens for the whole text (a number >= 50). Parts are kept in
   * priority order and the last line says what was left out and how to get it.
   */
  maxTokens?: number;
  /**
   * Only this part of the page: a form name, an element or radio-group name, a section name
   * (`CONTROLS`, `LINKS`, `TOOLS`), or a selector the document uses for a form or element (a
   * form's selector covers its elements). Several parts: an array. Arbitrary CSS that the
   * document does not contain cannot be resolved without the page, and matches nothing.
   */
  scope?: string | readonly string[];
}

/** The model text with what it shows and leaves out, for callers that act on the view. */
export interface ModelView {
  text: string;
  /** Names of the elements the text shows (a radio group's line shows all its members). */
  shown: string[];
  /** Scope names of the parts left out, wholly or partly (form names, CONTROLS, LINKS, TOOLS). */
  omitted: string[];
  /** False when `scope` was given and matched nothing (the text then lists what exists). */
  matched: boolean;
  /** o200k_base tokens of `text`; counted only when a budget was given. */
  tokens?: number;
}

/**
 * Priority tiers: lower survives a budget longer. Goal-relevant first, then required fields and
 * submit actions, then the rest of each form, then other controls, navigation last.
 */
const enum Tier {
  TopEssential = 1,
  TopRest = 2,
  Relevant = 3,
  Essential = 4,
  FormField = 5,
  Tool = 6,
  Control = 7,
  Navigation = 8,
}

interface Item {
  text: string;
  tier: Tier;
  /** Relevance to the goal (higher first within a tier). */
  score: number;
  /** Reading order within the whole view. */
  order: number;
  /** Element names this line shows. */
  names: string[];
  section: Section;
}

interface Section {
  /** What `scope` takes to show this part alone. */
  scopeName: string;
  kind: 'form' | 'controls' | 'links' | 'tools';
  /** Position in the page (forms in document order, then controls, links, tools): the OMITTED line's order. */
  place: number;
  form?: WebMCPForm;
  /** Lines in reading order (after level caps and focus). */
  items: Item[];
  /** Lines the section has in full (before level caps and focus). */
  total: number;
  /** Elements the section covers, for the CONTROLS/LINKS header counts. */
  elementCount: number;
}

interface LevelRules {
  /** Lines of free-standing controls shown before the rest are summarised. */
  controls: number;
  links: number;
  options: number;
  constraints: 'all' | 'key' | 'none';
  labels: boolean;
  /** Longest label written, in characters: past a short phrase a label adds tokens, not meaning. */
  labelChars: number;
}

const LEVELS: Record<OptimizationLevel, LevelRules> = {
  basic: { controls: Infinity, links: Infinity, options: 50, constraints: 'all', labels: true, labelChars: 200 },
  standard: { controls: 25, links: 12, options: 8, constraints: 'key', labels: true, labelChars: 64 },
  aggressive: { controls: 10, links: 5, options: 5, constraints: 'none', labels: false, labelChars: 48 },
};

/** A focused goal view keeps forms scoring at least this share of the best form's score. */
const RELATED_FORM_SHARE = 0.6;
/** Relevant free-standing controls/links a focused view shows at most (each kind). */
const RELEVANT_CAP = 8;
/** The page line may use at most this share of a budget (long titles and URLs are shortened). */
const HEADER_SHARE = 0.4;
/** Notes about the goal or scope may use this share of a budget before they are written briefly. */
const NOTES_SHARE = 0.25;
const MIN_BUDGET = 50;

const SHORT_ROLE: Record<string, string> = {
  'action.submit': 'submit',
  'action.navigate': 'link',
  'navigation.link': 'link',
  'input.textarea': 'textarea',
  'input.select': 'select',
};

function shortRole(role: unknown): string {
  const r = typeof role === 'string' ? role : '';
  const short = SHORT_ROLE[r] ?? (r.startsWith('input.') ? r.slice(6) : r.replace(/^(action|navigation)\./, ''));
  return safeToken(short || 'element');
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Whether the label says more than the name already does. */
function labelAddsInformation(name: string, label: string): boolean {
  const a = name.replace(/_/g, '').toLowerCase();
  const b = label.replace(/[^\p{L}\p{N}]/gu, '').toLowerCase();
  // SEARCH_SUBMIT says all that "Submit" does, as EMAIL says "Email".
  return b.length > 0 && a !== b && !(b.length <= a.length && (a.startsWith(b) || a.endsWith(b)));
}

function scalar(v: unknown): string {
  return typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : safeToken(str(v));
}

/** One element as the standard view writes it (name, short role, flags, label, key constraints); for deltas. */
export function elementSummary(e: WebMCPElement): string {
  return elementLine(e, LEVELS.standard, false);
}

function elementLine(e: WebMCPElement, rules: LevelRules, groupLine: boolean, required = e.required === true): string {
  const rawName = groupLine ? str(e.group) : str(e.name);
  const name = safeToken(rawName);
  const role = str(e.role);
  let line = `${name || '""'} ${shortRole(role)}`;
  if (required) line += '*';
  if (e.security?.encryption === 'required') line += ' secret';
  if (e.disabled === true) line += ' disabled';
  if (e.checked === true && role !== 'input.radio') line += ' checked';
  const label = groupLine ? '' : safeText(e.label, rules.labelChars);
  if (label && (rules.labels || !/^[A-Z0-9_]+$/.test(rawName) || role.startsWith('action.')) && labelAddsInformation(rawName, label)) line += ' ' + quote(label);
  const v = e.validation;
  if (v && typeof v === 'object' && rules.constraints !== 'none') {
    const parts: string[] = [];
    if (Array.isArray(v.options) && v.options.length) {
      const shown = v.options.slice(0, rules.options).map((o) => quote(safeText(o && typeof o === 'object' ? String(o.value ?? '') : '')));
      const more = v.options.length - shown.length;
      parts.push(`[${shown.join('|')}${more > 0 ? `|…+${more}` : ''}]`);
    }
    if (v.format && role !== 'input.email' && role !== 'input.url' && role !== 'input.date') parts.push(scalar(v.format));
    if (typeof v.minLength === 'number') parts.push(`min ${scalar(v.minLength)}`);
    if (typeof v.maxLength === 'number' && (rules.constraints === 'all' || v.maxLength < 1000)) parts.push(`max ${scalar(v.maxLength)}`);
    if (v.min !== undefined) parts.push(`>=${scalar(v.min)}`);
    if (v.max !== undefined) parts.push(`<=${scalar(v.max)}`);
    if (rules.constraints === 'all') {
      if (v.pattern) parts.push(`pattern ${quote(safeText(v.pattern, 500))}`);
      if (v.step !== undefined) parts.push(`step ${scalar(v.step)}`);
      if (v.autocomplete) parts.push(`autocomplete ${scalar(v.autocomplete)}`);
      if (v.accept) parts.push(`accept ${quote(safeText(v.accept))}`);
    }
    const kept = parts.filter((p) => p !== '' && !/^(?:min |max |>=|<=|step )?$/.test(p));
    if (kept.length) line += ' ' + kept.join(' ');
  }
  if (rules.constraints === 'all' && e.url && role.startsWith('action.')) line += ' ' + safeToken(str(e.url));
  return line;
}

function formHeader(f: WebMCPForm, rules: LevelRules): string {
  const name = str(f.name);
  let line = `FORM ${safeToken(name) || '""'}`;
  const purpose = str(f.purpose);
  if (purpose && purpose !== 'other' && name.toLowerCase() !== purpose) line += ` (${safeToken(purpose).replace(/_/g, ' ')})`;
  if (f.method === 'POST') line += ' POST';
  const label = safeText(f.label, rules.labelChars);
  if (label && rules.labels && labelAddsInformation(name, label)) line += ' ' + quote(label);
  if (rules.constraints === 'all' && f.url) line += ' ' + safeToken(str(f.url));
  return line;
}

/** At most `max` characters, ending in `…` when cut, never splitting a surrogate pair. */
function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1).replace(/[\ud800-\udbff]$/, '') + '…' : text;
}

/** Candidate page lines, longest first: tiny budgets get a shorter one. */
function pageHeaders(doc: WebMCPDocument): string[] {
  const ctx = doc.context && typeof doc.context === 'object' ? doc.context : {};
  const title = safeText(ctx.title);
  const url = str(ctx.url) ? safeToken(str(ctx.url)) : '';
  const purpose = str(ctx.purpose) ? ` purpose ${safeToken(str(ctx.purpose)).replace(/_/g, ' ')}` : '';
  const line = (t: string, u: string): string => `PAGE${t ? ' ' + quote(t) : ''}${u ? ' ' + u : ''}${purpose}`;
  const shortTitle = clip(title, 60);
  const variants = [line(title, url), line(shortTitle, url.length > 80 ? '' : url), line(shortTitle, ''), `PAGE${purpose}`, 'PAGE'];
  return [...new Set(variants)];
}

/**
 * Renders `doc` for a model. Deterministic: the same document and options give the same text.
 * Throws `TypeError` for a `maxTokens` below 50 or options of the wrong type.
 *
 * @example
 * formatForModel(doc);                                   // the whole page, compact
 * formatForModel(doc, { goal: 'log in', maxTokens: 300 }); // the login form first, <= 300 tokens
 * formatForModel(doc, { scope: 'SEARCH' });              // only the SEARCH form
 */
export function formatForModel(doc: WebMCPDocument, options: FormatOptions = {}): string {
  return modelView(doc, options).text;
}

/** {@link formatForModel} with what the text shows and leaves out. */
export function modelView(doc: WebMCPDocument, options: FormatOptions = {}): ModelView {
  if (doc === null || typeof doc !== 'object' || !Array.isArray(doc.elements)) throw new TypeError('doc must be a WebMCP document');
  const o = checkOptions(options);
  const level = o.level ?? doc.metadata?.optimization_level ?? 'standard';
  const rules = LEVELS[level] ?? LEVELS.standard;
  // A goal given to process() travels with the document; an explicit one here wins.
  const goalText = o.goal ?? (typeof doc.metadata?.goal === 'string' ? doc.metadata.goal : undefined);
  const goal = goalText !== undefined ? goalTerms(goalText) : null;
  const plan = buildPlan(doc, rules, goal, o.scope);
  const headers = pageHeaders(doc);
  if (o.maxTokens === undefined) {
    const kept = new Set(plan.items);
    return { ...renderPlan(plan, headers[0], kept, false), matched: plan.matched };
  }
  const fitted = fitBudget(plan, headers, o.maxTokens);
  if (fitted.coreDropped === 0 || rules === TERSE) return stripFit(fitted);
  // The most important part does not fit in full detail: show it terser rather than cut it.
  const terse = fitBudget(buildPlan(doc, { ...TERSE, controls: rules.controls, links: rules.links }, goal, o.scope), headers, o.maxTokens);
  return stripFit(terse.coreDropped < fitted.coreDropped ? terse : fitted);
}

/** Lines with only names, roles and flags: what a tight budget affords for the part that matters. */
const TERSE: LevelRules = { controls: 10, links: 5, options: 3, constraints: 'none', labels: false, labelChars: 48 };

function stripFit(f: Fitted): ModelView {
  const { coreDropped: _dropped, ...view } = f;
  return view;
}

interface CheckedOptions {
  goal?: string;
  level?: OptimizationLevel;
  maxTokens?: number;
  scope?: string[];
}

function checkOptions(options: FormatOptions): CheckedOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const out: CheckedOptions = {};
  if (options.goal !== undefined) {
    if (typeof options.goal !== 'string') throw new TypeError('options.goal must be a string');
    if (options.goal.trim() !== '') out.goal = options.goal;
  }
  if (options.level !== undefined) {
    if (!(options.level in LEVELS)) throw new TypeError('options.level must be basic, standard or aggressive');
    out.level = options.level;
  }
  if (options.maxTokens !== undefined) {
    const m = options.maxTokens;
    if (typeof m !== 'number' || !Number.isFinite(m) || m < MIN_BUDGET) throw new TypeError(`options.maxTokens must be a number >= ${MIN_BUDGET}`);
    out.maxTokens = Math.floor(m);
  }
  if (options.scope !== undefined) {
    const list = typeof options.scope === 'string' ? [options.scope] : options.scope;
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) throw new TypeError('options.scope must be a string or an array of strings');
    const scopes = list.map((s) => s.trim()).filter(Boolean);
    if (scopes.length) out.scope = scopes;
  }
  return out;
}

interface Plan {
  /** Sections in reading order. */
  sections: Section[];
  /** Every line that may be shown, in reading order. */
  items: Item[];
  /** Lines between the page line and the sections (notes about the goal or scope), full and brief. */
  notes: Array<{ full: string; brief: string }>;
  matched: boolean;
  /** A focused or scoped view leaves parts out even without a budget. */
  omittedByView: Set<Section>;
  /** Sections not in the view at all (named in the OMITTED line). */
  hidden: Section[];
  rules: LevelRules;
}

function buildPlan(doc: WebMCPDocument, rules: LevelRules, goal: GoalTerms | null, scope: string[] | undefined): Plan {
  const elements = doc.elements.filter((e): e is WebMCPElement => e !== null && typeof e === 'object');
  const byName = new Map(elements.map((e) => [str(e.name), e]));
  const forms = (Array.isArray(doc.forms) ? doc.forms : []).filter((f): f is WebMCPForm => f !== null && typeof f === 'object');
  const scoped = scope ? resolveScope(scope, doc, forms, elements) : null;
  const matched = !scoped || scoped.any;

  // Goal relevance of forms (ranked, ties in document order) and of free-standing elements.
  const formScore = new Map<WebMCPForm, number>();
  let order = forms.map((f, i) => ({ f, i }));
  if (goal) {
    for (const f of forms) {
      const members = (Array.isArray(f.elements) ? f.elements : []).map((n) => byName.get(n)).filter((e): e is WebMCPElement => !!e);
      formScore.set(f, relevance(goal, f, members));
    }
    order = [...order].sort((a, b) => (formScore.get(b.f) ?? 0) - (formScore.get(a.f) ?? 0) || a.i - b.i);
  }
  const topScore = order.length ? (formScore.get(order[0].f) ?? 0) : 0;
  const top = goal && topScore > 0 ? order[0].f : undefined;

  // A radio group is one line; it is required when any of its radios is.
  const groupMembers = new Map<string, string[]>();
  const groupRequired = new Set<string>();
  for (const e of elements) {
    if (e.role === 'input.radio' && typeof e.group === 'string' && e.group) {
      const list = groupMembers.get(e.group);
      if (list) list.push(str(e.name));
      else groupMembers.set(e.group, [str(e.name)]);
      if (e.required === true) groupRequired.add(e.group);
    }
  }

  const sections: Section[] = [];
  const items: Item[] = [];
  let seq = 0;
  const groupsShown = new Set<string>();
  const lineOf = (e: WebMCPElement): { text: string; names: string[]; required: boolean } | null => {
    const group = e.role === 'input.radio' && typeof e.group === 'string' && e.group !== '' ? e.group : undefined;
    if (group === undefined) return { text: elementLine(e, rules, false), names: [str(e.name)], required: e.required === true };
    if (groupsShown.has(group)) return null;
    groupsShown.add(group);
    const required = groupRequired.has(group);
    return { text: elementLine(e, rules, true, required), names: groupMembers.get(group) ?? [str(e.name)], required };
  };

  const inForm = new Set<string>();
  for (const f of forms) for (const n of Array.isArray(f.elements) ? f.elements : []) inForm.add(n);
  let relevantSeen = false;
  for (const { f, i } of order) {
    const score = formScore.get(f) ?? 0;
    const section: Section = { scopeName: str(f.name), kind: 'form', place: i, form: f, items: [], total: 0, elementCount: 0 };
    const isTop = f === top;
    const relevant = goal !== null && top !== undefined && score > 0 && score >= topScore * RELATED_FORM_SHARE;
    relevantSeen ||= relevant;
    for (const n of Array.isArray(f.elements) ? f.elements : []) {
      const e = byName.get(n);
      if (!e) continue;
      section.elementCount++;
      const line = lineOf(e);
      if (!line) continue;
      section.total++;
      if (scoped && !scoped.keep(line.names, f)) continue;
      const essential = line.required || e.role === 'action.submit';
      const tier = isTop ? (essential ? Tier.TopEssential : Tier.TopRest) : relevant ? Tier.Relevant : essential ? Tier.Essential : Tier.FormField;
      section.items.push({ text: '  ' + line.text, tier, score, order: 0, names: line.names, section });
    }
    sections.push(section);
  }

  // Free-standing controls, then links: ranked by goal relevance, capped per level.
  const controls: WebMCPElement[] = [];
  const links: WebMCPElement[] = [];
  for (const e of elements) {
    if (inForm.has(str(e.name))) continue;
    if (e.role === 'action.navigate' || e.role === 'navigation.link') links.push(e);
    else controls.push(e);
  }
  const loose = (scopeName: string, kind: 'controls' | 'links', list: WebMCPElement[], cap: number, tier: Tier): void => {
    // Lines the section has in full: a radio group is one line.
    const groups = new Set<string>();
    let total = 0;
    for (const e of list) {
      if (e.role === 'input.radio' && typeof e.group === 'string' && e.group) {
        if (groups.has(e.group)) continue;
        groups.add(e.group);
      }
      total++;
    }
    const section: Section = { scopeName, kind, place: forms.length + (kind === 'controls' ? 0 : 1), items: [], total, elementCount: list.length };
    const wholeSection = scoped?.sections.has(scopeName) ?? false;
    // Without goal or scope (the common, default view) only the first `cap` elements are looked at.
    const candidates = goal || scoped ? list : list.slice(0, cap);
    const scored = candidates.map((e, i) => ({ e, i, s: goal ? relevance(goal, null, [e]) : 0 }));
    let picked = scored;
    if (scoped) picked = scored.filter(({ e }) => wholeSection || scoped.keep(e.group && e.role === 'input.radio' ? (groupMembers.get(e.group) ?? [str(e.name)]) : [str(e.name)], null));
    else if (goal) picked = [...scored].sort((a, b) => b.s - a.s || a.i - b.i).slice(0, cap).sort((a, b) => a.i - b.i);
    for (const { e, s } of picked) {
      const line = lineOf(e);
      if (line) section.items.push({ text: '  ' + line.text, tier: s > 0 ? Tier.Relevant : tier, score: s, order: 0, names: line.names, section });
    }
    if (total > 0) sections.push(section);
  };
  loose('CONTROLS', 'controls', controls, rules.controls, Tier.Control);
  loose('LINKS', 'links', links, rules.links, Tier.Navigation);

  if (Array.isArray(doc.tools) && doc.tools.length) {
    const section: Section = { scopeName: 'TOOLS', kind: 'tools', place: forms.length + 2, items: [], total: doc.tools.length, elementCount: doc.tools.length };
    for (const t of doc.tools) {
      if (!t || typeof t !== 'object') continue;
      const d = safeText(t.description, 160);
      if (scoped && !scoped.sections.has('TOOLS') && !scoped.names.has(str(t.name))) continue;
      const s = goal ? relevance(goal, null, [{ name: str(t.name), label: d, role: 'action.submit', selector: '' }]) : 0;
      section.items.push({ text: `  ${safeToken(str(t.name)) || 'tool'} tool${d ? ' ' + quote(d) : ''}`, tier: s > 0 ? Tier.Relevant : Tier.Tool, score: s, order: 0, names: [], section });
    }
    sections.push(section);
  }

  // Focus: with a goal that matched, only the relevant parts are in view; the rest is named.
  const omittedByView = new Set<Section>();
  const notes: Plan['notes'] = [];
  const focused = goal !== null && !scoped && (relevantSeen || sections.some((s) => s.items.some((i) => i.tier === Tier.Relevant)));
  if (focused) {
    for (const s of sections) {
      const before = s.items.length;
      s.items = s.items.filter((i) => i.tier <= Tier.Relevant);
      if (s.kind !== 'form') s.items = s.items.slice(0, RELEVANT_CAP);
      if (s.items.length < before) omittedByView.add(s);
    }
  } else if (goal !== null && !scoped) {
    const echo = clip(goal.text, 80);
    notes.push({ full: `GOAL ${quote(echo)} matches nothing here; showing everything`, brief: 'GOAL matches nothing here; showing everything' });
  }
  if (scoped && !scoped.any) notes.push({ full: noMatchNote(scope ?? [], sections), brief: 'SCOPE matches nothing here' });

  const hidden: Section[] = [];
  const visibleSections: Section[] = [];
  for (const s of sections) {
    if (s.items.length === 0 && (s.total > 0 || s.kind === 'form')) {
      // Out of scope entirely: named in OMITTED only when the view was not asked to be scoped.
      if (!scoped) hidden.push(s);
      continue;
    }
    visibleSections.push(s);
  }
  for (const s of visibleSections) for (const item of s.items) {
    item.order = seq++;
    items.push(item);
  }
  return { sections: visibleSections, items, notes, matched, omittedByView, hidden, rules };
}

interface ScopeMatch {
  any: boolean;
  /** Whole sections asked for by name (CONTROLS, LINKS, TOOLS). */
  sections: Set<string>;
  /** Element and tool names asked for. */
  names: Set<string>;
  /** Whether a line showing these elements (of this form) is in scope. */
  keep(names: readonly string[], form: WebMCPForm | null): boolean;
}

/** `a > b`, `a>b` and `a  b` are the same selector to us. */
function normSelector(s: string): string {
  return s.replace(/\s*>\s*/g, ' > ').replace(/\s+/g, ' ').trim();
}

/** Whether `scope` names the element or form whose selector is `selector`, or an ancestor of it written as our selector prefix. */
function selectorMatches(scope: string, selector: string): boolean {
  if (!selector) return false;
  const sel = normSelector(selector);
  if (sel === scope) return true;
  if (sel.startsWith(scope + ' ')) return true;
  // `#login` or `[name="q"]` for `form#login` / `input[name="q"]`.
  if (/^[#[]/.test(scope)) {
    const m = /^[a-z][a-z0-9-]*/.exec(sel);
    if (m) {
      const rest = sel.slice(m[0].length);
      if (rest === scope || rest.startsWith(scope + ' ')) return true;
    }
  }
  return false;
}

function resolveScope(scopes: string[], doc: WebMCPDocument, forms: WebMCPForm[], elements: WebMCPElement[]): ScopeMatch {
  const formNames = new Set<WebMCPForm>();
  const names = new Set<string>();
  const sections = new Set<string>();
  const selectors: string[] = [];
  const upperForms = new Map(forms.map((f) => [str(f.name).toUpperCase(), f]));
  const upperElements = new Map<string, string[]>();
  for (const e of elements) {
    for (const key of [str(e.name), str(e.group)]) {
      if (!key) continue;
      const k = key.toUpperCase();
      const list = upperElements.get(k);
      if (list) list.push(str(e.name));
      else upperElements.set(k, [str(e.name)]);
    }
  }
  const toolNames = new Set((Array.isArray(doc.tools) ? doc.tools : []).map((t) => str(t?.name)));
  let any = false;
  for (const raw of scopes) {
    const upper = raw.toUpperCase();
    const form = upperForms.get(upper);
    if (form) {
      formNames.add(form);
      any = true;
      continue;
    }
    if (upper === 'CONTROLS' || upper === 'LINKS' || upper === 'TOOLS') {
      sections.add(upper);
      any = true;
      continue;
    }
    const members = upperElements.get(upper);
    if (members) {
      for (const n of members) names.add(n);
      any = true;
      continue;
    }
    if (toolNames.has(raw)) {
      names.add(raw);
      any = true;
      continue;
    }
    const sel = normSelector(raw);
    const formHit = forms.filter((f) => selectorMatches(sel, str(f.selector)));
    const elementHit = elements.filter((e) => selectorMatches(sel, str(e.selector)));
    if (formHit.length || elementHit.length) {
      for (const f of formHit) formNames.add(f);
      for (const e of elementHit) names.add(str(e.name));
      selectors.push(sel);
      any = true;
    }
  }
  return {
    any,
    sections,
    names,
    keep: (list, form) => (form !== null && formNames.has(form)) || list.some((n) => names.has(n)),
  };
}

function noMatchNote(scopes: string[], sections: Section[]): string {
  const asked = scopes.map((s) => quote(safeText(s, 100))).join(', ');
  const available = sections.map((s) => s.scopeName).filter(Boolean);
  const list = available.slice(0, 12).map(safeToken).join(', ') + (available.length > 12 ? `, …+${available.length - 12}` : '');
  return `SCOPE ${asked} matches nothing; scopes: ${list || 'none'} (or an element name)`;
}

interface Rendered {
  text: string;
  shown: string[];
  omitted: string[];
  tokens?: number;
}

function sectionHeader(s: Section, shown: number, rules: LevelRules): string {
  if (s.kind === 'form' && s.form) return formHeader(s.form, rules) + (shown < s.total ? ` (${shown} of ${s.total} shown)` : '');
  const title = s.scopeName;
  return shown < s.total ? `${title} ${shown} of ${s.total}` : `${title} ${s.total}`;
}

/** What the OMITTED line names: every section with lines not shown, with counts. */
function omittedParts(plan: Plan, kept: Set<Item>): Array<{ name: string; part: string }> {
  const parts: Array<{ name: string; part: string; place: number }> = [];
  const add = (s: Section, shown: number): void => {
    if (shown >= s.total) return;
    const name = safeToken(s.scopeName);
    const what = s.kind === 'form' ? `form ${name}` : name;
    parts.push({ name, part: shown > 0 ? `${what} ${s.total - shown} of ${s.total}` : `${what} ${s.total}`, place: s.place });
  };
  for (const s of plan.sections) add(s, s.items.filter((i) => kept.has(i)).length);
  for (const s of plan.hidden) add(s, 0);
  return parts.sort((a, b) => a.place - b.place);
}

const OMITTED_HINT = 'expand with scope=<name>';

function omittedLine(parts: Array<{ name: string; part: string }>, variant: number, budgeted: boolean): string {
  if (parts.length === 0) return '';
  const hint = budgeted ? `${OMITTED_HINT} or a larger budget` : OMITTED_HINT;
  if (variant === 0) {
    const shown = parts.slice(0, 10).map((p) => p.part);
    const more = parts.length - shown.length;
    return `OMITTED ${shown.join(', ')}${more > 0 ? `, …+${more} more` : ''} (${hint})`;
  }
  if (variant === 1) {
    const names = parts.slice(0, 4).map((p) => p.name);
    return `OMITTED ${parts.length} part${parts.length > 1 ? 's' : ''}: ${names.join(', ')}${parts.length > 4 ? ', …' : ''} (${OMITTED_HINT})`;
  }
  return `OMITTED ${parts.length} part${parts.length > 1 ? 's' : ''} (scope=<name>)`;
}

function renderPlan(plan: Plan, header: string, kept: Set<Item>, budgeted: boolean, omitVariant = 0, briefNotes = false): Rendered {
  const out: string[] = [header, ...plan.notes.map((n) => (briefNotes ? n.brief : n.full))];
  const shown: string[] = [];
  for (const s of plan.sections) {
    const lines = s.items.filter((i) => kept.has(i));
    if (lines.length === 0) continue;
    out.push(sectionHeader(s, lines.length, plan.rules));
    for (const l of lines) {
      out.push(l.text);
      for (const n of l.names) shown.push(n);
    }
  }
  const parts = omittedParts(plan, kept);
  const tail = omittedLine(parts, omitVariant, budgeted);
  if (tail) out.push(tail);
  return { text: out.join('\n'), shown, omitted: parts.map((p) => p.name) };
}

/**
 * Keeps a prefix of the lines in priority order (tier, then relevance, then reading order) that
 * fits the budget with the page line and the OMITTED line, and renders it in reading order.
 * A strict prefix: no line is kept while one of higher priority is dropped. The final text is
 * counted as a whole, never estimated.
 */
interface Fitted extends ModelView {
  /** Lines of the part that matters most (the top form, else required fields and submits) left out. */
  coreDropped: number;
}

function fitBudget(plan: Plan, headers: string[], maxTokens: number): Fitted {
  const all = new Set(plan.items);
  const full = renderPlan(plan, headers[0], all, true);
  // Every token covers at least one UTF-8 byte, so a short enough text fits without counting.
  if (utf8Length(full.text) <= maxTokens) return { ...full, tokens: countTokens(full.text), matched: plan.matched, coreDropped: 0 };

  const header = headers.find((h) => countTokens(h) <= maxTokens * HEADER_SHARE) ?? 'PAGE';
  const briefNotes = plan.notes.reduce((n, l) => n + countTokens(l.full) + 1, 0) > maxTokens * NOTES_SHARE;
  const ranked = [...plan.items].sort((a, b) => a.tier - b.tier || b.score - a.score || a.order - b.order);
  const attempt = (k: number, variant: number): Rendered & { tokens: number; k: number } => {
    const r = renderPlan(plan, header, new Set(ranked.slice(0, k)), true, variant, briefNotes);
    return { ...r, tokens: countTokens(r.text), k };
  };
  const coreTier = plan.items.some((i) => i.tier <= Tier.TopRest) ? Tier.TopRest : Tier.Essential;
  const core = ranked.filter((i) => i.tier <= coreTier).length;

  // A cost model: page line, notes, each line once (a section header is paid with its first
  // line) and the OMITTED line for that prefix. Counting the whole text is the costly step, so
  // the model picks the prefix and real counts of the rendered text only confirm or correct it.
  const base = countTokens(header) + plan.notes.reduce((n, l) => n + countTokens(briefNotes ? l.brief : l.full) + 1, 0);
  const prefix: number[] = [0];
  const headed = new Set<Section>();
  for (const item of ranked) {
    let cost = countTokens(item.text) + 1;
    if (!headed.has(item.section)) {
      headed.add(item.section);
      cost += countTokens(sectionHeader(item.section, 1, plan.rules)) + 4;
    }
    const next = prefix[prefix.length - 1] + cost;
    if (base + next > maxTokens) break;
    prefix.push(next);
  }
  // Counting the whole text pays only when the model says it might fit.
  if (prefix.length > ranked.length) {
    const fullTokens = countTokens(full.text);
    if (fullTokens <= maxTokens) return { ...full, tokens: fullTokens, matched: plan.matched, coreDropped: 0 };
  }
  const modelled = (k: number, variant: number): number => {
    const tail = omittedLine(omittedParts(plan, new Set(ranked.slice(0, k))), variant, true);
    return base + prefix[k] + (tail ? countTokens(tail) + 1 : 0);
  };

  // Largest prefix the model allows for each OMITTED variant (the model grows with k). The longer
  // lines say more but leave less room: take the variant that shows the most lines.
  const plans = [0, 1, 2].map((variant) => {
    if (modelled(0, variant) > maxTokens) return { variant, k: -1 };
    let lo = 0;
    let hi = prefix.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (modelled(mid, variant) <= maxTokens) lo = mid;
      else hi = mid - 1;
    }
    return { variant, k: lo };
  });
  let chosen: (Rendered & { tokens: number; k: number }) | undefined;
  for (const { variant, k } of plans.filter((p) => p.k >= 0).sort((a, b) => b.k - a.k || a.variant - b.variant)) {
    // Confirm against the rendered text; the model is close, so corrections are rare and short.
    let fit = attempt(k, variant);
    while (fit.tokens > maxTokens && fit.k > 0) fit = attempt(Math.max(0, fit.k - Math.max(1, Math.ceil((fit.tokens - maxTokens) / 4))), variant);
    if (fit.tokens > maxTokens) continue;
    if (fit.k < ranked.length && fit.k + 1 < prefix.length + 1 && maxTokens - fit.tokens >= (prefix[fit.k + 1] ?? Infinity) - prefix[fit.k]) {
      const more = attempt(fit.k + 1, variant);
      if (more.tokens <= maxTokens) fit = more;
    }
    chosen = fit;
    break;
  }
  if (chosen) {
    const { k, ...best } = chosen;
    return { ...best, matched: plan.matched, coreDropped: Math.max(0, core - k) };
  }
  // Not even the page line and a minimal OMITTED line fit (only with absurdly long notes): cut.
  const r = attempt(0, 2);
  const text = truncateToBudget(r.text, maxTokens);
  return { text, shown: [], omitted: r.omitted, matched: plan.matched, tokens: countTokens(text), coreDropped: core };
}

/** Last resort: the longest prefix of `text` within the budget, whole lines when possible, never splitting a surrogate pair. */
function truncateToBudget(text: string, maxTokens: number): string {
  const lines = text.split('\n');
  let keep = 0;
  while (keep < lines.length && countTokens(lines.slice(0, keep + 1).join('\n')) <= maxTokens) keep++;
  if (keep > 0) return lines.slice(0, keep).join('\n');
  let lo = 0;
  let hi = lines[0].length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (countTokens(lines[0].slice(0, mid)) <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  return lines[0].slice(0, lo).replace(/[\ud800-\udbff]$/, '');
}
