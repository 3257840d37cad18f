import { getAttr, textContent, type ElementNode, type ParentNode } from './dom.js';
import { cleanText } from './text.js';
import { inputType } from './visibility.js';
import type { Candidate, PageModel } from './walk.js';

/**
 * Accessible name in the spirit of W3C accname 1.2 / HTML-AAM, from static markup:
 * aria-labelledby, aria-label, native labels (label[for], wrapping label, legend, alt, value),
 * content for buttons and links, title, placeholder, then nearby text as a last resort.
 */
export interface AccessibleName {
  label: string;
  /** Where it came from; `nearby` and `attribute` names are guesses. */
  source: 'labelledby' | 'aria-label' | 'label' | 'content' | 'value' | 'alt' | 'title' | 'placeholder' | 'nearby' | 'attribute' | 'none';
}

const CONTROL_TAGS = new Set(['input', 'select', 'textarea', 'button']);

/** Embedded controls don't contribute their markup to a label's text. */
function skipControls(el: ElementNode): boolean {
  return CONTROL_TAGS.has(el.tag) || el.tag === 'script' || el.tag === 'style';
}

function text(node: ParentNode): string {
  return cleanText(textContent(node, 600, skipControls));
}

function labelledBy(el: ElementNode, page: PageModel): string {
  const ids = getAttr(el, 'aria-labelledby');
  if (!ids) return '';
  const parts: string[] = [];
  for (const id of ids.trim().split(/\s+/)) {
    const target = page.firstById.get(id);
    if (!target) continue;
    const own = getAttr(target, 'aria-label');
    parts.push(own && own.trim() ? own : textContent(target, 400, skipControls));
  }
  return cleanText(parts.join(' '));
}

function nativeLabels(c: Candidate, page: PageModel): string {
  const el = c.el;
  const parts: string[] = [];
  const id = getAttr(el, 'id');
  if (id) {
    const labels = page.labelsFor.get(id);
    // A label[for] only labels the element getElementById finds.
    if (labels && page.firstById.get(id) === el) for (const l of labels) parts.push(textContent(l, 400, skipControls));
  }
  const wrap = c.wrappingLabel;
  if (wrap && (getAttr(wrap, 'for') === undefined || getAttr(wrap, 'for') === id)) {
    if (!parts.length || getAttr(wrap, 'for') === undefined) parts.push(textContent(wrap, 400, skipControls));
  }
  return cleanText(parts.join(' '));
}

/** Text written just before the control: "Email: <input>", or the previous table cell. */
function nearbyText(el: ElementNode): string {
  let node: ElementNode = el;
  for (let depth = 0; depth < 3; depth++) {
    const parent = node.parent;
    if (!parent) return '';
    const siblings = parent.children;
    let collected = '';
    for (let i = siblings.indexOf(node) - 1; i >= 0 && collected.length < 80; i--) {
      const s = siblings[i];
      if (s.kind === 3) collected = s.text + ' ' + collected;
      else {
        // A link's text names the link ("Forgot password?"), not the control after it, and
        // text before the link is further still: no nearby label.
        if (s.tag === 'a' && !collected.trim()) return '';
        if (CONTROL_TAGS.has(s.tag) || s.tag === 'form' || s.tag === 'br' && collected.trim()) break;
        collected = textContent(s, 120, skipControls) + ' ' + collected;
      }
      if (collected.trim()) break;
    }
    const cleaned = cleanText(collected, 80);
    if (cleaned) return cleaned;
    if (parent.kind !== 1) return '';
    // Table layouts: the label sits in the previous cell of the same row.
    if (parent.tag === 'td' || parent.tag === 'th') {
      const row = parent.parent;
      if (row) {
        const cells = row.children;
        for (let i = cells.indexOf(parent) - 1; i >= 0; i--) {
          const cell = cells[i];
          if (cell.kind !== 1) continue;
          const t = cleanText(textContent(cell, 120, skipControls), 80);
          if (t) return t;
        }
      }
      return '';
    }
    node = parent;
  }
  return '';
}

/** Nested widgets (a treeitem's subtree, a menu's submenu) name themselves, not their parent. */
const NESTED_CONTAINERS = new Set(['group', 'tree', 'treegrid', 'menu', 'menubar', 'listbox', 'grid', 'dialog']);

function skipNested(el: ElementNode): boolean {
  if (skipControls(el)) return true;
  const role = getAttr(el, 'role');
  return role !== undefined && NESTED_CONTAINERS.has(role.trim().toLowerCase().split(/\s+/)[0]);
}

/** Link and button names from content, falling back to icons' own labels. */
function contentName(el: ElementNode): string {
  const t = cleanText(textContent(el, 600, skipNested));
  if (t) return t;
  const stack: ElementNode[] = [];
  for (const c of el.children) if (c.kind === 1) stack.push(c);
  while (stack.length) {
    const n = stack.shift() as ElementNode;
    const l = getAttr(n, 'aria-label') || getAttr(n, 'title') || (n.tag === 'img' ? getAttr(n, 'alt') : undefined);
    if (l && l.trim()) return cleanText(l);
    for (const c of n.children) if (c.kind === 1) stack.push(c);
  }
  return '';
}

const DEFAULT_BUTTON_LABEL: Record<string, string> = { submit: 'Submit', reset: 'Reset', image: 'Submit' };

export function accessibleName(c: Candidate, page: PageModel): AccessibleName {
  const el = c.el;
  let v = labelledBy(el, page);
  if (v) return { label: v, source: 'labelledby' };
  v = cleanText(getAttr(el, 'aria-label'));
  if (v) return { label: v, source: 'aria-label' };

  const tag = el.tag;
  const type = tag === 'input' ? inputType(el) : '';
  if (tag === 'input' && (type === 'submit' || type === 'reset' || type === 'button')) {
    v = cleanText(getAttr(el, 'value'));
    if (v) return { label: v, source: 'value' };
    v = nativeLabels(c, page);
    if (v) return { label: v, source: 'label' };
    v = cleanText(getAttr(el, 'title'));
    if (v) return { label: v, source: 'title' };
    return { label: DEFAULT_BUTTON_LABEL[type] ?? '', source: DEFAULT_BUTTON_LABEL[type] ? 'value' : 'none' };
  }
  if (tag === 'input' && type === 'image') {
    v = cleanText(getAttr(el, 'alt')) || cleanText(getAttr(el, 'value')) || cleanText(getAttr(el, 'title'));
    return v ? { label: v, source: 'alt' } : { label: 'Submit', source: 'value' };
  }
  if (tag === 'input' || tag === 'select' || tag === 'textarea') {
    v = nativeLabels(c, page);
    if (v) return { label: v, source: 'label' };
    v = cleanText(getAttr(el, 'title'));
    if (v) return { label: v, source: 'title' };
    v = cleanText(getAttr(el, 'placeholder')) || cleanText(getAttr(el, 'aria-placeholder'));
    if (v) return { label: v, source: 'placeholder' };
    v = nearbyText(el);
    if (v) return { label: v, source: 'nearby' };
    return attributeName(el);
  }
  if (tag === 'area') {
    v = cleanText(getAttr(el, 'alt')) || cleanText(getAttr(el, 'title'));
    return v ? { label: v, source: 'alt' } : attributeName(el);
  }
  // Buttons, links, summary and ARIA widgets are named from their content.
  if (tag === 'button' || tag === 'a' || tag === 'summary' || c.ariaRole) {
    v = nativeLabels(c, page);
    if (v && tag === 'button') return { label: v, source: 'label' };
    v = contentName(el);
    if (v) return { label: v, source: 'content' };
  }
  v = cleanText(getAttr(el, 'title'));
  if (v) return { label: v, source: 'title' };
  v = cleanText(getAttr(el, 'placeholder')) || cleanText(getAttr(el, 'aria-placeholder'));
  if (v) return { label: v, source: 'placeholder' };
  if (getAttr(el, 'contenteditable') !== undefined || c.ariaRole === 'textbox' || c.ariaRole === 'combobox' || c.ariaRole === 'searchbox') {
    v = nearbyText(el);
    if (v) return { label: v, source: 'nearby' };
  }
  return attributeName(el);
}

/** Last resort: a readable version of the name or id attribute. */
function attributeName(el: ElementNode): AccessibleName {
  const raw = getAttr(el, 'name') || getAttr(el, 'id') || '';
  const v = cleanText(raw.replace(/[_\-[\].$:]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2'), 80);
  return v ? { label: v, source: 'attribute' } : { label: '', source: 'none' };
}

/** aria-describedby text, if any. */
export function accessibleDescription(el: ElementNode, page: PageModel): string {
  const ids = getAttr(el, 'aria-describedby');
  if (!ids) return '';
  const parts: string[] = [];
  for (const id of ids.trim().split(/\s+/)) {
    const target = page.firstById.get(id);
    if (target) parts.push(textContent(target, 300, skipControls));
  }
  return cleanText(parts.join(' '));
}
