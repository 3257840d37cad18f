/**
 * Ground truth of a corpus page, exactly as ../shared/corpus/README.md defines it:
 * the HTML5 tree (parse5 + htmlparser2 tree adapter), the inline-hidden rule,
 * Formasaurus field targets and ARIA targets.
 */
import { parse } from 'parse5';
import { adapter } from 'parse5-htmlparser2-tree-adapter';
import type { AnyNode, Document, Element } from 'domhandler';
import type { CorpusPage, FormLabel } from '../../bench/corpus.js';

/** A labelled Formasaurus field and the page elements that may represent it. */
export interface FieldTarget {
  formIndex: number;
  formType: string;
  name: string;
  fieldType: string;
  /** Fields to annotate of the N-th form whose `name` attribute equals `name`, in document order. */
  candidates: Element[];
  /** All candidates are inline-hidden: the label is left out of the metrics. */
  inlineHidden: boolean;
  /** Lower-cased `type` of the first candidate (default `text`); null when it is not an input. */
  htmlType: string | null;
  /** Tag of the first candidate. */
  tag: string;
}

export interface PageTruth {
  document: Document;
  /** Every element in document order, `<template>` contents skipped. */
  elements: Element[];
  hidden: Set<Element>;
  forms: Element[];
  /** All labelled fields (counted and inline-hidden); empty for unlabelled pages. */
  fields: FieldTarget[];
  /** ARIA targets (aria/ pages only; empty elsewhere). */
  aria: Element[];
}

/** The roles whose elements are ARIA targets (first `role` token). */
export const ARIA_TARGET_ROLES: ReadonlySet<string> = new Set([
  'button', 'link', 'checkbox', 'radio', 'switch', 'tab', 'menuitem', 'menuitemcheckbox',
  'menuitemradio', 'option', 'combobox', 'slider', 'spinbutton', 'textbox', 'searchbox',
  'treeitem', 'scrollbar',
]);

const HIDING_TAGS: ReadonlySet<string> = new Set(['template', 'head', 'noscript']);
const HIDING_DECLARATIONS: ReadonlySet<string> = new Set([
  'display:none', 'display:none!important', 'visibility:hidden', 'visibility:hidden!important',
]);

/** Parses a page into the tree selectors are judged on. */
export function parseHtml5(html: string): Document {
  return parse(html, { treeAdapter: adapter });
}

/** domhandler element types: `tag`, plus `script` and `style`, which are elements too. */
export function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

function attr(el: Element, name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(el.attribs, name) ? el.attribs[name] : undefined;
}

/** True when the element itself (ignoring ancestors) hides its subtree under the README rule. */
export function hidesItself(el: Element): boolean {
  if (HIDING_TAGS.has(el.name)) return true;
  if (attr(el, 'hidden') !== undefined) return true;
  const ariaHidden = attr(el, 'aria-hidden');
  if (ariaHidden !== undefined && ariaHidden.trim().toLowerCase() === 'true') return true;
  const style = attr(el, 'style');
  if (style !== undefined) {
    const compact = style.replace(/\s+/g, '').toLowerCase();
    for (const declaration of compact.split(';')) if (HIDING_DECLARATIONS.has(declaration)) return true;
  }
  return false;
}

/**
 * Walks the elements under `root` in document order without entering `<template>` contents,
 * and marks the inline-hidden ones (an element is hidden when it or an ancestor hides itself).
 */
export function walkElements(root: Document | Element): { elements: Element[]; hidden: Set<Element> } {
  const elements: Element[] = [];
  const hidden = new Set<Element>();
  // Explicit stack: real pages nest deeply enough to make recursion a risk.
  const stack: Array<{ node: AnyNode; parentHidden: boolean }> = [];
  const pushChildren = (children: AnyNode[], parentHidden: boolean): void => {
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], parentHidden });
  };
  pushChildren(root.children, false);
  while (stack.length > 0) {
    const { node, parentHidden } = stack.pop()!;
    if (!isElement(node)) continue;
    const isHidden = parentHidden || hidesItself(node);
    elements.push(node);
    if (isHidden) hidden.add(node);
    if (node.name !== 'template') pushChildren(node.children, isHidden);
  }
  return { elements, hidden };
}

/** Lower-cased `type` of an input, default `text` (Formasaurus/lxml semantics: not trimmed). */
function inputType(el: Element): string {
  return (attr(el, 'type') ?? 'text').toLowerCase();
}

/** Formasaurus "fields to annotate" of a form: named textarea, select and non-hidden input descendants. */
export function fieldsToAnnotate(form: Element): Element[] {
  return walkElements(form).elements.filter((el) => {
    const name = attr(el, 'name');
    if (name === undefined || name === '') return false;
    if (el.name === 'textarea' || el.name === 'select') return true;
    return el.name === 'input' && inputType(el) !== 'hidden';
  });
}

/** True when `el` is an ARIA target under the README rule (visibility checked separately). */
export function isAriaTargetElement(el: Element): boolean {
  switch (el.name) {
    case 'a':
      if (attr(el, 'href') !== undefined) return true;
      break;
    case 'button':
    case 'select':
    case 'textarea':
    case 'summary':
      return true;
    case 'input':
      if ((attr(el, 'type') ?? 'text').trim().toLowerCase() !== 'hidden') return true;
      break;
  }
  const editable = attr(el, 'contenteditable');
  if (editable !== undefined && editable !== 'false') return true;
  const role = attr(el, 'role');
  if (role !== undefined) {
    const first = role.trim().toLowerCase().split(/\s+/)[0] ?? '';
    if (ARIA_TARGET_ROLES.has(first)) return true;
    if (first === 'gridcell' && attr(el, 'tabindex') !== undefined) return true;
  }
  return false;
}

function fieldTargets(forms: Element[], hidden: Set<Element>, labels: FormLabel[], file: string): FieldTarget[] {
  const targets: FieldTarget[] = [];
  for (const formLabel of labels) {
    const form = forms[formLabel.formIndex];
    if (!form) throw new Error(`${file}: label for form #${formLabel.formIndex}, page has ${forms.length} forms`);
    const fields = fieldsToAnnotate(form);
    for (const field of formLabel.fields) {
      const candidates = fields.filter((el) => el.attribs.name === field.name);
      if (candidates.length === 0) {
        throw new Error(`${file}: form #${formLabel.formIndex} has no field named ${JSON.stringify(field.name)}`);
      }
      const first = candidates[0];
      targets.push({
        formIndex: formLabel.formIndex,
        formType: formLabel.formType,
        name: field.name,
        fieldType: field.fieldType,
        candidates,
        inlineHidden: candidates.every((el) => hidden.has(el)),
        htmlType: first.name === 'input' ? inputType(first) : null,
        tag: first.name,
      });
    }
  }
  return targets;
}

/** Parses a corpus page once and derives its targets. */
export function pageTruth(page: Pick<CorpusPage, 'sub' | 'file' | 'html' | 'forms'>): PageTruth {
  const document = parseHtml5(page.html);
  const { elements, hidden } = walkElements(document);
  const forms = elements.filter((el) => el.name === 'form');
  const fields = page.forms ? fieldTargets(forms, hidden, page.forms, page.file) : [];
  const aria = page.sub === 'aria' ? elements.filter((el) => !hidden.has(el) && isAriaTargetElement(el)) : [];
  return { document, elements, hidden, forms, fields, aria };
}
