import { HTML_NS, getAttr, linkHref, textContent, type DocumentNode, type ElementNode, type ParentNode } from './dom.js';
import { SelectorIndex } from './selector.js';
import { inputType, isSelfHidden } from './visibility.js';

/** ARIA roles a person can operate (first token of `role`). */
const INTERACTIVE_ROLES = new Set([
  'button', 'link', 'checkbox', 'radio', 'switch', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option',
  'combobox', 'slider', 'spinbutton', 'textbox', 'searchbox', 'treeitem', 'scrollbar',
]);

/** Landmarks whose links are site navigation rather than page content. */
const NAV_CONTAINERS = new Set(['nav', 'header', 'footer']);
const NAV_ROLES = new Set(['navigation', 'menubar', 'menu', 'banner', 'contentinfo', 'tablist', 'tree']);

export interface Candidate {
  el: ElementNode;
  /** Document order among candidates. */
  order: number;
  /** `role` attribute's first token, lower-cased, when present. */
  ariaRole: string | undefined;
  /** The form owner (form attribute, parser form pointer, or nearest ancestor form). */
  form: ElementNode | null;
  /** Nearest ancestor `<label>` (wrapping label). */
  wrappingLabel: ElementNode | null;
  /** Inside nav/header/footer or a navigation-like ARIA container. */
  inNavigation: boolean;
  /** Nearest ancestor fieldset's legend text owner. */
  fieldset: ElementNode | null;
  /** Inside a disabled fieldset (HTML disables its controls, except those in its first legend). */
  disabledByFieldset: boolean;
}

export interface PageModel {
  document: DocumentNode;
  index: SelectorIndex;
  candidates: Candidate[];
  /** Every `<form>` of the document (not template contents), in document order. */
  forms: ElementNode[];
  /** Hidden inputs per form owner (CSRF detection). */
  hiddenInputs: Map<ElementNode | null, ElementNode[]>;
  /** `getElementById` semantics: the first element with that id in the document. */
  firstById: Map<string, ElementNode>;
  /** `<label for=...>` elements by the id they point at. */
  labelsFor: Map<string, ElementNode[]>;
  /** `application/webmcp+json` script texts, in document order. */
  declarations: string[];
  title: string;
  language: string | undefined;
  description: string | undefined;
  /** `<meta name="csrf-token">` (and similar) name, when the page has one. */
  csrfMeta: string | undefined;
  /** The nearest preceding heading text for each form (what the form is about). */
  formHeadings: Map<ElementNode, string>;
  /** Headings in document order (h1-h3), text only. */
  headings: string[];
  /** `href` of the first HTML `<base>` that has one: what relative URLs resolve against. */
  baseHref: string | undefined;
}

interface Frame {
  hidden: boolean;
  inTemplate: boolean;
  form: ElementNode | null;
  label: ElementNode | null;
  nav: boolean;
  fieldset: ElementNode | null;
  disabledFieldset: boolean;
}

/**
 * Whether a person could use `el`: null when not, else its ARIA role's first token ('' for none).
 * `roleAttr` is the element's `role` attribute, read once by the caller.
 */
export function interactiveRole(el: ElementNode, roleAttr: string | undefined): string | null {
  const ariaRole = roleAttr ? roleAttr.trim().toLowerCase().split(/\s+/)[0] : '';
  switch (el.tag) {
    case 'a':
    case 'area':
      if (linkHref(el) !== undefined) return ariaRole;
      break;
    case 'button':
    case 'select':
    case 'textarea':
    case 'summary':
      return ariaRole;
    case 'input':
      if (inputType(el) !== 'hidden') return ariaRole;
      break;
  }
  if (el.attrs.length === 0) return null;
  const ce = getAttr(el, 'contenteditable');
  if (ce !== undefined && ce !== 'false') return ariaRole;
  if (ariaRole) {
    if (INTERACTIVE_ROLES.has(ariaRole)) return ariaRole;
    if ((ariaRole === 'gridcell' || ariaRole === 'row') && getAttr(el, 'tabindex') !== undefined) return ariaRole;
  }
  // Script-driven controls that announce themselves only through a click handler.
  if (getAttr(el, 'onclick') !== undefined && el.tag !== 'body' && el.tag !== 'html') return ariaRole;
  return null;
}

const HEADING = /^h[1-6]$/;
const TEMPLATE_CTX: Frame = { hidden: true, inTemplate: true, form: null, label: null, nav: false, fieldset: null, disabledFieldset: false };
const CSRF_META = /^(csrf[-_]?token|_csrf|xsrf[-_]?token|csrf-param|_token)$/i;

/** One pass over the parsed page: candidates, forms, labels, ids, declarations and the selector index. */
export function walkPage(document: DocumentNode): PageModel {
  const index = new SelectorIndex();
  const candidates: Candidate[] = [];
  const forms: ElementNode[] = [];
  const hiddenInputs = new Map<ElementNode | null, ElementNode[]>();
  const firstById = new Map<string, ElementNode>();
  const labelsFor = new Map<string, ElementNode[]>();
  const declarations: string[] = [];
  const formHeadings = new Map<ElementNode, string>();
  const headings: string[] = [];
  let title = '';
  let language: string | undefined;
  let description: string | undefined;
  let csrfMeta: string | undefined;
  let baseHref: string | undefined;
  let lastHeading = '';
  const formAttrUsers: Candidate[] = [];

  // Contexts are shared between an element and its children unless something changes, and the
  // stack holds nodes and contexts in two arrays: no allocation per element.
  const rootCtx: Frame = { hidden: false, inTemplate: false, form: null, label: null, nav: false, fieldset: null, disabledFieldset: false };
  const nodes: ParentNode[] = [document];
  const ctxs: Frame[] = [rootCtx];
  while (nodes.length > 0) {
    const node = nodes.pop() as ParentNode;
    let ctx = ctxs.pop() as Frame;
    if (node.kind === 1) {
      const el = node;
      index.add(el);
      if (!ctx.inTemplate) {
        const id = getAttr(el, 'id');
        if (id !== undefined && id !== '' && !firstById.has(id)) firstById.set(id, el);
        const hidden = ctx.hidden || isSelfHidden(el);
        let { form, label, nav, fieldset, disabledFieldset } = ctx;
        const tag = el.tag;
        if (tag === 'form') {
          forms.push(el);
          form = el;
          if (lastHeading) formHeadings.set(el, lastHeading);
        } else if (tag === 'label') {
          label = el;
          const forId = getAttr(el, 'for');
          if (forId !== undefined) {
            const list = labelsFor.get(forId);
            if (list) list.push(el);
            else labelsFor.set(forId, [el]);
          }
        } else if (tag === 'fieldset') {
          fieldset = el;
          if (getAttr(el, 'disabled') !== undefined) disabledFieldset = true;
        } else if (tag === 'title' && !title && el.ns === HTML_NS) {
          title = textContent(el, 400);
        } else if (tag === 'html' && language === undefined) {
          language = getAttr(el, 'lang');
        } else if (tag === 'meta') {
          const metaName = (getAttr(el, 'name') ?? '').toLowerCase();
          if (metaName === 'description' && description === undefined) description = getAttr(el, 'content');
          else if (CSRF_META.test(metaName)) csrfMeta = metaName;
        } else if (tag === 'base' && baseHref === undefined && el.ns === HTML_NS) {
          baseHref = getAttr(el, 'href');
        } else if (tag === 'script') {
          if ((getAttr(el, 'type') ?? '').trim().toLowerCase() === 'application/webmcp+json') declarations.push(textContent(el, 1_000_000));
        } else if (tag.length === 2 && HEADING.test(tag) && !hidden) {
          const text = textContent(el, 200).trim();
          if (text) {
            lastHeading = text;
            if (tag <= 'h3') headings.push(text);
          }
        }
        const roleAttr = el.attrs.length ? getAttr(el, 'role') : undefined;
        if (NAV_CONTAINERS.has(tag)) nav = true;
        else if (!nav && roleAttr && NAV_ROLES.has(roleAttr.trim().toLowerCase())) nav = true;
        if (tag === 'input' && inputType(el) === 'hidden') {
          const owner = formOwner(el, form);
          const list = hiddenInputs.get(owner);
          if (list) list.push(el);
          else hiddenInputs.set(owner, [el]);
        } else if (!hidden) {
          const ariaRole = interactiveRole(el, roleAttr);
          if (ariaRole !== null) {
            const c: Candidate = {
              el,
              order: candidates.length,
              ariaRole: ariaRole || undefined,
              form: formOwner(el, form),
              wrappingLabel: label,
              inNavigation: nav,
              fieldset,
              disabledByFieldset: disabledFieldset,
            };
            candidates.push(c);
            if (getAttr(el, 'form') !== undefined) formAttrUsers.push(c);
          }
        }
        if (hidden !== ctx.hidden || form !== ctx.form || label !== ctx.label || nav !== ctx.nav || fieldset !== ctx.fieldset || disabledFieldset !== ctx.disabledFieldset) {
          ctx = { hidden, inTemplate: false, form, label, nav, fieldset, disabledFieldset };
        }
      }
      if (el.content) {
        // Template contents are not rendered, but selectors must stay unique against them too.
        nodes.push(el.content);
        ctxs.push(TEMPLATE_CTX);
      }
    }
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child.kind === 1) {
        nodes.push(child);
        ctxs.push(ctx);
      }
    }
    if (node.kind === 1 && node.shadowRoot) {
      // The shadow tree is what shows at the host, so it comes first; it is hidden when the host is,
      // and form, label and fieldset scopes do not cross into it.
      nodes.push(node.shadowRoot);
      ctxs.push({ ...ctx, form: null, label: null, fieldset: null, disabledFieldset: false });
    }
  }
  // `form="id"` owners resolve against the finished id map.
  for (const c of formAttrUsers) {
    const target = firstById.get(getAttr(c.el, 'form') as string);
    c.form = target && target.tag === 'form' ? target : null;
  }
  return {
    document, index, candidates, forms, hiddenInputs, firstById, labelsFor, declarations,
    title, language, description, csrfMeta, formHeadings, headings, baseHref,
  };
}

const FORM_LISTED = new Set(['input', 'select', 'textarea', 'button', 'fieldset', 'output', 'object']);

/** HTML form owner, as far as the static tree tells: parser form pointer, else the nearest ancestor form. */
function formOwner(el: ElementNode, ancestorForm: ElementNode | null): ElementNode | null {
  if (!FORM_LISTED.has(el.tag)) return ancestorForm;
  return el.formPointer ?? ancestorForm;
}
