/**
 * Serialises the LIVE DOM of a rendered page to HTML. Runs INSIDE the page (via `page.evaluate`), so it
 * is self-contained: no imports, no references to module scope.
 *
 * - Open shadow roots are emitted as declarative shadow DOM, `<template shadowrootmode="open">` as the
 *   host's first child, exactly like `getHTML({ serializableShadowRoots })`.
 * - Form state that lives in properties is written back as attributes: `value` of inputs, `checked`,
 *   `selected`, textarea text. Password values are never written (not even the default value).
 * - Interactive elements the browser does not show (display/visibility from stylesheets, zero size,
 *   off-screen to the top/left, inside closed `<details>`) get a `hidden` attribute, which the core
 *   honours. `hidden` changes no selector: selectors are built from ids, names and positions.
 *   A checkbox, radio or file input that is itself invisible but has a visible `<label>` stays: the
 *   person operates it through the label.
 * - Comments are dropped, and so is the text of scripts and stylesheets (except JSON data scripts such
 *   as `application/webmcp+json`): they change no element position and the analysis never reads them.
 */
export interface SerializeOptions {
  /** Refuse pages with more elements than this (light and shadow trees together). */
  maxElements: number;
  /** Refuse when the HTML would be longer than this many UTF-16 code units. */
  maxChars: number;
  /**
   * Per-render secret attribute name (`data-wr<hex>`). When set, interactive elements are tagged with
   * it while serialising, the tagged HTML and the elements are kept in the page under this name (for
   * {@link repairSelectors}), and the HTML returned has the tags removed.
   */
  refAttr?: string;
}

export type SerializeResult =
  | { ok: true; html: string; url: string; title: string; elements: number; hidden: number; shadowRoots: number }
  | { ok: false; reason: 'too-large'; elements: number };

export function serializeLiveDom(options: SerializeOptions): SerializeResult {
  const VOID = new Set(['area', 'base', 'basefont', 'bgsound', 'br', 'col', 'embed', 'frame', 'hr', 'img', 'input', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
  const RAW_TEXT = new Set(['style', 'script', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext', 'noscript']);
  const CANDIDATE_TAGS = new Set(['a', 'button', 'input', 'select', 'textarea', 'summary']);
  const LABEL_OPERATED = new Set(['checkbox', 'radio', 'file']);

  // A page may remove its own root element: there is then nothing to analyse, which is not an error.
  if (!document.documentElement) return { ok: true, html: '', url: location.href, title: '', elements: 0, hidden: 0, shadowRoots: 0 };

  // ---- 1. every element, light and open-shadow trees, bounded ------------------------------------
  const all: Element[] = [];
  const walkStack: Node[] = [document.documentElement];
  let tooLarge = false;
  while (walkStack.length > 0) {
    const node = walkStack.pop() as Node;
    if (node.nodeType === 1) {
      all.push(node as Element);
      if (all.length > options.maxElements) {
        tooLarge = true;
        break;
      }
      const sr = (node as Element).shadowRoot;
      if (sr) for (let c = sr.lastElementChild; c; c = c.previousElementSibling) walkStack.push(c);
      if ((node as Element).localName === 'template') {
        const content = (node as HTMLTemplateElement).content;
        if (content) for (let c = content.lastElementChild; c; c = c.previousElementSibling) walkStack.push(c);
      }
    }
    for (let c = (node as Element).lastElementChild; c; c = c.previousElementSibling) walkStack.push(c);
  }
  if (tooLarge) return { ok: false, reason: 'too-large', elements: all.length };

  // ---- 2. what the rendered layout hides --------------------------------------------------------
  // The core's rule for what a person can operate (src/core/walk.ts interactiveRole). Containers that only
  // carry a landmark role or a tabindex are never marked: hiding one would hide everything inside it.
  const INTERACTIVE_ROLES = new Set([
    'button', 'link', 'checkbox', 'radio', 'switch', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option',
    'combobox', 'slider', 'spinbutton', 'textbox', 'searchbox', 'treeitem', 'scrollbar',
  ]);
  const isCandidate = (el: Element): boolean => {
    const tag = el.localName;
    if (tag === 'html' || tag === 'body' || tag === 'option' || tag === 'template') return false;
    if (tag === 'input') return (el as HTMLInputElement).type !== 'hidden';
    if (CANDIDATE_TAGS.has(tag)) return true;
    const ce = el.getAttribute('contenteditable');
    if (ce !== null && ce !== 'false') return true;
    if (el.hasAttribute('onclick')) return true;
    const role = (el.getAttribute('role') ?? '').trim().toLowerCase().split(/\s+/)[0];
    if (INTERACTIVE_ROLES.has(role)) return true;
    return (role === 'gridcell' || role === 'row') && el.hasAttribute('tabindex');
  };
  const inTemplate = (el: Element): boolean => {
    // Template contents live in an inert document: nothing there is rendered, and the core skips it.
    return el.ownerDocument !== document;
  };
  const hasBox = (el: Element, depth: number): boolean => {
    const rects = el.getClientRects();
    for (let i = 0; i < rects.length; i++) {
      const r = rects[i];
      if (r.width > 1 && r.height > 1 && r.right + window.scrollX > 0 && r.bottom + window.scrollY > 0) return true;
    }
    // `display: contents` and zero-height inline wrappers show what their children show.
    if (depth < 3) for (let c = el.firstElementChild; c; c = c.nextElementSibling) if (hasBox(c, depth + 1)) return true;
    return false;
  };
  const isShown = (el: Element): boolean => {
    const check = (el as Element & { checkVisibility?: (o: object) => boolean }).checkVisibility;
    if (check && !check.call(el, { visibilityProperty: true, checkVisibilityCSS: true })) return false;
    return hasBox(el, 0);
  };
  const hide = new Set<Element>();
  for (const el of all) {
    if (!isCandidate(el) || inTemplate(el) || el.hasAttribute('hidden')) continue;
    if (isShown(el)) continue;
    if (el.localName === 'input' && LABEL_OPERATED.has((el as HTMLInputElement).type)) {
      const labels = (el as HTMLInputElement).labels;
      let viaLabel = false;
      if (labels) for (let i = 0; i < labels.length && !viaLabel; i++) viaLabel = isShown(labels[i]);
      if (viaLabel) continue;
    }
    hide.add(el);
  }
  // A hidden control that contains a shown one (visibility:visible inside visibility:hidden, a clickable
  // wrapper with no box of its own) stays unmarked: the core would otherwise drop the shown one too.
  if (hide.size > 0) {
    const up = (n: Element): Element | null => {
      if (n.parentElement) return n.parentElement;
      const root = n.parentNode;
      return root instanceof ShadowRoot ? root.host : null;
    };
    for (const el of all) {
      if (hide.has(el) || !isCandidate(el) || inTemplate(el) || el.hasAttribute('hidden')) continue;
      for (let a = up(el); a; a = up(a)) hide.delete(a);
    }
  }

  // ---- 3. HTML ----------------------------------------------------------------------------------
  const out: string[] = [];
  let length = 0;
  const emit = (s: string): void => {
    out.push(s);
    length += s.length;
  };
  const escText = (s: string): string => s.replace(/&/g, '&amp;').replace(/\u00a0/g, '&nbsp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const escAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/\u00a0/g, '&nbsp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const isDataScript = (el: Element): boolean => {
    const type = (el.getAttribute('type') ?? '').trim().toLowerCase();
    return type.endsWith('json') || type === 'importmap' || type === 'speculationrules';
  };

  const refs: Element[] = [];
  const openTag = (el: Element): string => {
    const tag = el.localName;
    const attrs = new Map<string, string>();
    for (let i = 0; i < el.attributes.length; i++) attrs.set(el.attributes[i].name, el.attributes[i].value);
    if (tag === 'input') {
      const input = el as HTMLInputElement;
      const type = input.type;
      if (type === 'password') attrs.delete('value');
      else if (type === 'checkbox' || type === 'radio') {
        if (input.checked) attrs.set('checked', attrs.get('checked') ?? '');
        else attrs.delete('checked');
      } else if (type !== 'file' && input.value !== (attrs.get('value') ?? '')) attrs.set('value', input.value);
    } else if (tag === 'option') {
      if ((el as HTMLOptionElement).selected) attrs.set('selected', attrs.get('selected') ?? '');
      else attrs.delete('selected');
    }
    if (hide.has(el)) attrs.set('hidden', '');
    if (options.refAttr && isCandidate(el) && !inTemplate(el)) {
      attrs.set(options.refAttr, String(refs.length));
      refs.push(el);
    }
    let s = '<' + tag;
    for (const [name, value] of attrs) s += ' ' + name + '="' + escAttr(value) + '"';
    return s + '>';
  };

  let shadowRoots = 0;
  let elements = 0;
  // Work items: a node to open, or a literal closing string.
  const stack: Array<Node | string> = [document.documentElement];
  const compat = document.compatMode === 'CSS1Compat';
  if (compat) emit('<!DOCTYPE html>');
  while (stack.length > 0) {
    if (length > options.maxChars) return { ok: false, reason: 'too-large', elements };
    const item = stack.pop() as Node | string;
    if (typeof item === 'string') {
      emit(item);
      continue;
    }
    if (item.nodeType === 3) {
      const parent = item.parentNode as Element | null;
      const text = (item as Text).data;
      if (parent && parent.nodeType === 1 && RAW_TEXT.has(parent.localName)) {
        const keep = parent.localName !== 'script' && parent.localName !== 'style' ? true : parent.localName === 'script' && isDataScript(parent);
        if (keep) emit(text);
      } else emit(escText(text));
      continue;
    }
    if (item.nodeType !== 1) continue; // comments, processing instructions
    const el = item as Element;
    elements++;
    emit(openTag(el));
    const tag = el.localName;
    if (VOID.has(tag)) continue;
    stack.push('</' + tag + '>');
    if (tag === 'textarea') {
      stack.push(escText((el as HTMLTextAreaElement).value));
      continue;
    }
    const children = tag === 'template' ? (el as HTMLTemplateElement).content.childNodes : el.childNodes;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    const sr = el.shadowRoot;
    if (sr) {
      shadowRoots++;
      stack.push('</template>');
      for (let i = sr.childNodes.length - 1; i >= 0; i--) stack.push(sr.childNodes[i]);
      stack.push('<template shadowrootmode="open"' + (sr.delegatesFocus ? ' shadowrootdelegatesfocus=""' : '') + '>');
    }
  }
  let html = out.join('');
  if (options.refAttr) {
    Object.defineProperty(window, options.refAttr, { value: { html, refs }, configurable: true, enumerable: false });
    html = html.replace(new RegExp(' ' + options.refAttr + '="\\d+"', 'g'), '');
  }
  return { ok: true, html, url: location.href, title: document.title, elements, hidden: hide.size, shadowRoots };
}

/**
 * For selectors that do not resolve on the live page: finds the element each one means in the tree the
 * core analysed (the tagged HTML parsed again by the browser's HTML parser, which builds the same tree
 * as the core's parse5), follows its tag to the live element, and builds a selector that matches exactly
 * that live element: `#id` when unique, else a `>` path of `:nth-child` steps from the nearest ancestor
 * with a unique id. Light DOM only (`null` for anything else). Runs INSIDE the page.
 */
export function repairSelectors(args: { refAttr: string; selectors: string[] }): Array<string | null> {
  const state = (window as unknown as Record<string, { html: string; refs: Element[] } | undefined>)[args.refAttr];
  const parse = (Document as unknown as { parseHTMLUnsafe?: (html: string) => Document }).parseHTMLUnsafe;
  if (!state || !parse) return args.selectors.map(() => null);
  const analysed = parse(state.html);
  const uniqueId = (el: Element): string | null => {
    if (!el.id) return null;
    const sel = '#' + CSS.escape(el.id);
    return document.querySelectorAll(sel).length === 1 ? sel : null;
  };
  const pathTo = (el: Element): string | null => {
    const steps: string[] = [];
    for (let cur: Element | null = el; cur; cur = cur.parentElement) {
      const id = uniqueId(cur);
      if (id) {
        steps.unshift(CSS.escape(cur.localName) + id);
        break;
      }
      if (cur === document.documentElement) {
        steps.unshift('html');
        break;
      }
      if (cur === document.body) {
        steps.unshift('body');
        break;
      }
      const parent = cur.parentElement;
      // Not in the light DOM of this document (shadow tree, detached): no path we can promise.
      if (!parent) return null;
      steps.unshift(CSS.escape(cur.localName) + ':nth-child(' + (Array.prototype.indexOf.call(parent.children, cur) + 1) + ')');
    }
    const sel = steps.join(' > ');
    return document.querySelectorAll(sel).length === 1 && document.querySelector(sel) === el ? sel : null;
  };
  return args.selectors.map((sel) => {
    let found: NodeListOf<Element>;
    try {
      found = analysed.querySelectorAll(sel);
    } catch (err) {
      void err; // not CSS the browser accepts: nothing to follow
      return null;
    }
    if (found.length !== 1) return null;
    const ref = found[0].getAttribute(args.refAttr);
    const live = ref === null ? undefined : state.refs[Number(ref)];
    if (!live || !live.isConnected) return null;
    return pathTo(live);
  });
}
