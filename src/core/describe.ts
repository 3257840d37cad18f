import { accessibleDescription, accessibleName } from './accname.js';
import { getAttr, linkHref, type ElementNode } from './dom.js';
import { securityOf, validationOf, isSensitive } from './fields.js';
import { csrfField, detectPurpose, purposeName, type FormSignals } from './forms.js';
import { GENERIC_ACTION_LABEL, NameRegistry, nameFromField, nameFromLabel } from './naming.js';
import { roleOf } from './roles.js';
import { positionalPath, stringify, tagFor, type SelectorIndex, type Step } from './selector.js';
import { cleanText, isMeaningfulIdentifier, toUpperSnake } from './text.js';
import type { ElementOption, FormPurpose, WebMCPElement, WebMCPForm, WebMCPRole } from './types.js';
import type { Candidate, PageModel } from './walk.js';

/** One candidate on its way to becoming a document element. */
interface Draft {
  c: Candidate;
  role: WebMCPRole;
  label: string;
  labelSource: string;
  field?: string;
  value?: string;
  formDraft?: FormDraft;
  /** Radios/checkboxes sharing this one's form and field, itself included. */
  groupSize: number;
  element: WebMCPElement;
}

interface FormDraft {
  el: ElementNode | null;
  drafts: Draft[];
  purpose: FormPurpose;
  name: string;
  selector: Step[] | null;
  csrfField?: string;
}

export interface Described {
  elements: WebMCPElement[];
  forms: WebMCPForm[];
  /** Page element -> its document element / form, for declarations that point at page elements. */
  elementOf: Map<ElementNode, WebMCPElement>;
  formOf: Map<ElementNode, WebMCPForm>;
  purpose: FormPurpose | undefined;
  csrfField: string | undefined;
}

const TEXT_LIKE = new Set(['input.text', 'input.email', 'input.tel', 'input.url', 'input.search', 'input.number', 'input.textarea', 'input.password']);

/** Turns walked candidates into named, described, uniquely selectable document elements. */
export function describePage(page: PageModel, baseUrl: string | undefined): Described {
  const urls = new UrlResolver(baseUrl, page.baseHref);
  const drafts: Draft[] = [];
  for (const c of page.candidates) drafts.push(draftOf(c, page));

  // Group by form owner, in document order of the forms.
  const formDrafts = new Map<ElementNode, FormDraft>();
  for (const f of page.forms) formDrafts.set(f, { el: f, drafts: [], purpose: 'other', name: '', selector: null });
  for (const d of drafts) {
    const fd = d.c.form ? formDrafts.get(d.c.form) : undefined;
    if (fd) {
      fd.drafts.push(d);
      d.formDraft = fd;
    }
  }
  const formNames = new NameRegistry();
  const forms: WebMCPForm[] = [];
  const formOf = new Map<ElementNode, WebMCPForm>();
  let csrfAny: string | undefined;
  for (const fd of formDrafts.values()) {
    if (fd.drafts.length === 0 || !fd.el) continue;
    fd.purpose = detectPurpose(formSignals(fd, page));
    const base = fd.purpose !== 'other' ? purposeName(fd.purpose) : nameFromField(getAttr(fd.el, 'name') || getAttr(fd.el, 'id')) || 'FORM';
    fd.name = formNames.take(base, 'FORM');
    fd.csrfField = csrfField(page.hiddenInputs.get(fd.el));
    csrfAny ??= fd.csrfField;
    fd.selector = formSelector(fd.el, page.index);
  }

  // Names: fields first (they are what agents fill), then actions, then everything else.
  const names = new NameRegistry();
  const groups = groupMembers(drafts);
  const ordered = [...drafts].sort((a, b) => rank(a) - rank(b) || a.c.order - b.c.order);
  for (const d of ordered) d.element.name = names.take(baseName(d), fallbackName(d.role));

  const radioGroups = collectGroups(drafts);
  nameGroups(groups, names);
  for (const d of drafts) finishElement(d, page, urls, radioGroups);

  for (const fd of formDrafts.values()) {
    if (!fd.el || fd.drafts.length === 0) continue;
    const method = (getAttr(fd.el, 'method') ?? 'get').trim().toUpperCase();
    const form: WebMCPForm = {
      name: fd.name,
      purpose: fd.purpose,
      selector: fd.selector ? stringify(fd.selector) : stringify(positionalPath(fd.el, page.index)),
      method: method === 'POST' || method === 'DIALOG' ? method : 'GET',
      elements: fd.drafts.map((d) => d.element.name),
    };
    const label = cleanText(getAttr(fd.el, 'aria-label')) || cleanText(page.formHeadings.get(fd.el), 120);
    if (label) form.label = label;
    const url = urls.resolveAction(getAttr(fd.el, 'action'));
    if (url) form.url = url;
    const enctype = getAttr(fd.el, 'enctype');
    if (enctype && enctype.trim()) form.enctype = enctype.trim().toLowerCase();
    forms.push(form);
    formOf.set(fd.el, form);
  }

  const purposes = forms.map((f) => f.purpose).filter((p) => p !== 'other' && p !== 'search');
  return {
    elements: drafts.map((d) => d.element),
    forms,
    elementOf: new Map(drafts.map((d) => [d.c.el, d.element])),
    formOf,
    purpose: purposes[0] ?? (forms.some((f) => f.purpose === 'search') ? 'search' : undefined),
    csrfField: csrfAny,
  };
}

function draftOf(c: Candidate, page: PageModel): Draft {
  const { label, source } = accessibleName(c, page);
  const role = roleOf(c, label);
  const el = c.el;
  const field = getAttr(el, 'name');
  const element: WebMCPElement = { name: '', role, selector: '' };
  const d: Draft = { c, role, label, labelSource: source, groupSize: 1, element };
  if (field !== undefined && field !== '' && (el.tag === 'input' || el.tag === 'select' || el.tag === 'textarea' || el.tag === 'button')) d.field = field;
  if (role === 'input.radio' || role === 'input.checkbox' || role === 'action.submit') {
    const value = getAttr(el, 'value');
    if (value !== undefined) d.value = value;
    else if (el.tag === 'input' && (role === 'input.radio' || role === 'input.checkbox')) d.value = 'on';
  }
  return d;
}

function formSignals(fd: FormDraft, page: PageModel): FormSignals {
  const words: string[] = [];
  let passwordCount = 0;
  let hasEmail = false;
  let textLike = 0;
  for (const d of fd.drafts) {
    words.push(d.label, d.field ?? '', getAttr(d.c.el, 'id') ?? '', getAttr(d.c.el, 'placeholder') ?? '', getAttr(d.c.el, 'autocomplete') ?? '');
    if (d.role === 'input.password') passwordCount++;
    if (d.role === 'input.email' || /e-?mail/i.test(`${d.field ?? ''} ${d.label}`)) hasEmail = true;
    if (TEXT_LIKE.has(d.role)) textLike++;
  }
  const f = fd.el as ElementNode;
  const attrs = [getAttr(f, 'id'), getAttr(f, 'name'), getAttr(f, 'class'), getAttr(f, 'action'), getAttr(f, 'aria-label'), page.formHeadings.get(f)]
    .filter(Boolean)
    .join(' ');
  return {
    roles: fd.drafts.map((d) => d.role),
    text: splitWords(words.join(' ')),
    attrs: splitWords(attrs),
    passwordCount,
    hasEmail,
    textLikeCount: textLike,
  };
}

/** camelCase, snake_case and kebab-case become separate lower-case words, so `\b` patterns see them. */
function splitWords(s: string): string {
  return s
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_\-[\]/.?=&]+/g, ' ')
    .toLowerCase();
}

function rank(d: Draft): number {
  if (d.role.startsWith('input.')) return 0;
  if (d.role === 'action.submit') return 1;
  if (d.role.startsWith('action.')) return 2;
  return 3;
}

function baseName(d: Draft): string {
  const role = d.role;
  if (role.startsWith('input.')) {
    let base = '';
    if (role === 'input.checkbox' && d.groupSize < 2) {
      // A lone checkbox is one yes/no field: its value ("1", "on") says nothing.
      base = nameFromField(d.field) || nameFromLabel(d.label, 3);
    } else if (role === 'input.radio' || role === 'input.checkbox') {
      const group = nameFromField(d.field) || nameFromLabel(d.label, 3);
      const val = d.value && d.value !== 'on' ? toUpperSnake(d.value, 3) : '';
      const lab = d.field ? nameFromLabel(d.label, 3) : '';
      base = group && (val || lab) && (val || lab) !== group ? `${group}_${val || lab}` : group;
    } else {
      // Trust what people read over what the markup says, when the label is a real label.
      const strongLabel = d.labelSource === 'label' || d.labelSource === 'aria-label' || d.labelSource === 'labelledby';
      const fromField = nameFromField(d.field);
      const fromLabel = nameFromLabel(d.label, 3);
      base = fromField && (!strongLabel || fromField.length <= fromLabel.length + 4) ? fromField : fromLabel || fromField;
    }
    return base;
  }
  if (role === 'action.submit') {
    const fromLabel = nameFromLabel(d.label, 4);
    if (fromLabel && !GENERIC_ACTION_LABEL.test(d.label.trim())) return fromLabel;
    const formName = d.formDraft?.name;
    if (formName) return `${formName}_${fromLabel && fromLabel !== formName ? fromLabel : 'SUBMIT'}`;
    return fromLabel || nameFromField(d.field);
  }
  const fromLabel = nameFromLabel(d.label, 4);
  if (fromLabel) return fromLabel;
  const id = getAttr(d.c.el, 'id');
  return id && isMeaningfulIdentifier(id) ? toUpperSnake(id, 4) : '';
}

function fallbackName(role: WebMCPRole): string {
  if (role === 'action.navigate' || role === 'navigation.link') return 'LINK';
  if (role.startsWith('action.')) return 'BUTTON';
  if (role.startsWith('navigation.')) return role.slice(11).toUpperCase().replace(/[^A-Z0-9]+/g, '_') || 'ITEM';
  if (role.startsWith('display.')) return 'ITEM';
  return 'FIELD';
}

/** Radio groups (same form, same name) and their options, so each radio carries the group's choices. */
function collectGroups(drafts: Draft[]): Map<string, ElementOption[]> {
  const groups = new Map<string, ElementOption[]>();
  for (const d of drafts) {
    if (d.role !== 'input.radio' || !d.field || d.c.el.tag !== 'input') continue;
    const key = groupKey(d);
    const list = groups.get(key) ?? [];
    if (list.length < 200) {
      const opt: ElementOption = { value: d.value ?? 'on' };
      if (d.label && d.label !== opt.value) opt.label = d.label;
      list.push(opt);
    }
    groups.set(key, list);
  }
  return groups;
}

function isGroupable(d: Draft): boolean {
  return (d.role === 'input.radio' || d.role === 'input.checkbox') && !!d.field && d.c.el.tag === 'input';
}

/** Radios (and checkboxes) of one form sharing one field, keyed by role + form + field. */
function groupMembers(drafts: Draft[]): Map<string, Draft[]> {
  const members = new Map<string, Draft[]>();
  for (const d of drafts) {
    if (!isGroupable(d)) continue;
    const key = `${d.role}\u0000${groupKey(d)}`;
    const list = members.get(key);
    if (list) list.push(d);
    else members.set(key, [d]);
  }
  for (const list of members.values()) for (const d of list) d.groupSize = list.length;
  return members;
}

/** Radios sharing a field, and checkboxes sharing one, get one group name for the whole set. */
function nameGroups(groups: Map<string, Draft[]>, names: NameRegistry): void {
  for (const list of groups.values()) {
    if (list[0].role === 'input.checkbox' && list.length < 2) continue;
    const group = names.take(nameFromField(list[0].field) || nameFromLabel(list[0].label, 3), list[0].role === 'input.radio' ? 'CHOICE' : 'OPTIONS');
    for (const d of list) d.element.group = group;
  }
}

function groupKey(d: Draft): string {
  return `${d.formDraft?.name ?? ''}\u0000${d.field}`;
}

function finishElement(d: Draft, page: PageModel, urls: UrlResolver, groups: Map<string, ElementOption[]>): void {
  const el = d.c.el;
  const e = d.element;
  e.selector = stringify(selectorFor(d, page.index));
  if (d.label) e.label = d.label;
  const description = accessibleDescription(el, page);
  if (description) e.description = description;
  if (d.formDraft) e.form = d.formDraft.name;
  if (d.field) e.field = d.field;

  const security = securityOf(el, d.label, d.role);
  if (d.value !== undefined && !isSensitive(security)) e.value = d.value.slice(0, 200);
  if ((d.role === 'input.radio' || d.role === 'input.checkbox') && (getAttr(el, 'checked') !== undefined || getAttr(el, 'aria-checked') === 'true')) e.checked = true;

  if (getAttr(el, 'required') !== undefined || getAttr(el, 'aria-required') === 'true') e.required = true;
  if (getAttr(el, 'disabled') !== undefined || getAttr(el, 'aria-disabled') === 'true' || d.c.disabledByFieldset) e.disabled = true;
  if (getAttr(el, 'readonly') !== undefined || getAttr(el, 'aria-readonly') === 'true') e.readonly = true;

  if (d.role.startsWith('input.')) {
    const validation = el.tag === 'input' || el.tag === 'select' || el.tag === 'textarea' ? validationOf(el) : undefined;
    const v = validation ?? {};
    if (d.role === 'input.radio' && d.field) {
      const options = groups.get(groupKey(d));
      if (options && options.length > 1) v.options = options;
    }
    if (Object.keys(v).length) e.validation = v;
  }

  if (d.role === 'action.submit' && d.formDraft?.el) {
    const form = d.formDraft.el;
    const formMethod = getAttr(el, 'formmethod') ?? getAttr(form, 'method') ?? 'get';
    const m = formMethod.trim().toUpperCase();
    e.method = m === 'POST' ? 'POST' : m === 'DIALOG' ? 'DIALOG' : 'GET';
    const url = urls.resolveAction(getAttr(el, 'formaction') ?? getAttr(form, 'action'));
    if (url) e.url = url;
    const sec: WebMCPElement['security'] = { jwt_scope: ['webmcp:write'] };
    if (d.formDraft.csrfField || page.csrfMeta) sec.csrf_token = true;
    e.security = sec;
  } else if (security) e.security = security;

  if ((d.role === 'action.navigate' || d.role === 'navigation.link') && (el.tag === 'a' || el.tag === 'area')) {
    const url = urls.resolve(linkHref(el));
    if (url) e.url = url;
  }
  e.source = 'detected';
}

const TEST_ID_ATTRS = ['data-testid', 'data-test', 'data-qa', 'data-cy'] as const;

/** Stable selectors first (id, name, form + name, href, test ids, label), positional path last. */
function selectorFor(d: Draft, index: SelectorIndex): Step[] {
  const el = d.c.el;
  const tag = tagFor(el);
  const id = getAttr(el, 'id');
  if (id && index.idCount(id) === 1) return [{ tag: undefined, id, combinator: ' ' }];
  // Candidates are built one at a time: most elements take the first that is unique.
  const unique = (steps: Step[]): Step[] | null => (index.isUnique(steps, el) ? steps : null);
  const attrStep = (pairs: Array<readonly [string, string]>): Step => ({ tag, attrs: pairs, combinator: ' ' });
  let found: Step[] | null = null;
  if (d.field) {
    const byValue = d.value !== undefined && getAttr(el, 'value') !== undefined;
    const formSel = d.formDraft?.selector;
    found =
      unique([attrStep([['name', d.field]])]) ??
      (byValue ? unique([attrStep([['name', d.field], ['value', d.value as string]])]) : null) ??
      (formSel ? unique([...formSel, attrStep([['name', d.field]])]) : null) ??
      (formSel && byValue ? unique([...formSel, attrStep([['name', d.field], ['value', d.value as string]])]) : null);
    if (found) return found;
  }
  for (const attr of TEST_ID_ATTRS) {
    const v = getAttr(el, attr);
    if (v && (found = unique([attrStep([[attr, v]])]))) return found;
  }
  const href = el.tag === 'a' ? getAttr(el, 'href') : undefined;
  if (href !== undefined && href.length <= 200 && (found = unique([attrStep([['href', href]])]))) return found;
  const ariaLabel = getAttr(el, 'aria-label');
  if (ariaLabel && ariaLabel.length <= 100 && (found = unique([attrStep([['aria-label', ariaLabel]])]))) return found;
  if (index.uniqueTag(el)) return [{ tag, combinator: ' ' }];
  return positionalPath(el, index);
}

function formSelector(form: ElementNode, index: SelectorIndex): Step[] | null {
  const id = getAttr(form, 'id');
  if (id && index.idCount(id) === 1) return [{ tag: 'form', id, combinator: ' ' }];
  const name = getAttr(form, 'name');
  if (name) {
    const s: Step[] = [{ tag: 'form', attrs: [['name', name]], combinator: ' ' }];
    if (index.isUnique(s, form)) return s;
  }
  const action = getAttr(form, 'action');
  if (action && action.length <= 200) {
    const s: Step[] = [{ tag: 'form', attrs: [['action', action]], combinator: ' ' }];
    if (index.isUnique(s, form)) return s;
  }
  return positionalPath(form, index);
}

/**
 * Absolute http(s) URLs of links and form targets, for one page: the base is parsed once and
 * repeated hrefs (menus, "read more") resolved once. Other schemes (javascript:, data:) are not reported.
 * Relative URLs resolve against the page's first `<base href>` (itself resolved against the page
 * URL; a `data:` or `javascript:` base is ignored, as browsers do), else the page URL.
 */
export class UrlResolver {
  private readonly base: URL | undefined;
  private readonly seen = new Map<string, string | undefined>();

  constructor(
    private readonly documentUrl: string | undefined,
    baseHref?: string,
  ) {
    const fallback = documentUrl ? new URL(documentUrl) : undefined;
    this.base = fallback;
    if (baseHref !== undefined) {
      const declared = URL.canParse(baseHref.trim(), fallback) ? new URL(baseHref.trim(), fallback) : undefined;
      if (declared && declared.protocol !== 'data:' && declared.protocol !== 'javascript:') this.base = declared;
    }
  }

  resolve(raw: string | undefined): string | undefined {
    if (raw === undefined) return undefined;
    let out = this.seen.get(raw);
    if (out === undefined && !this.seen.has(raw)) {
      out = resolveUrl(raw, this.base);
      this.seen.set(raw, out);
    }
    return out;
  }

  /** A form's target: a missing or empty `action` (or `formaction`) submits to the page itself, whatever the base. */
  resolveAction(raw: string | undefined): string | undefined {
    if (raw === undefined || raw === '') return this.documentUrl && /^https?:/i.test(this.documentUrl) ? this.documentUrl : undefined;
    return this.resolve(raw);
  }
}

function resolveUrl(raw: string, base: URL | undefined): string | undefined {
  const trimmed = raw.trim();
  try {
    const u = base ? new URL(trimmed, base) : new URL(trimmed);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    const s = u.href;
    return s.length > 2000 ? undefined : s;
  } catch (err) {
    // Relative URL without a base, or an unparseable one: the page gives us nothing usable.
    if (err instanceof TypeError) return undefined;
    throw err;
  }
}

