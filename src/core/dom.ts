import { installFastRuns } from './fast-runs.js';
import { WebMCPInputError } from '../errors.js';
import { toWellFormed } from './text.js';
import { Parser, defaultTreeAdapter, html as parse5html, type TreeAdapter, type TreeAdapterTypeMap, type Token } from 'parse5';

/**
 * A lean HTML5 tree built by parse5's spec-compliant parser through our own tree adapter.
 *
 * It is the same tree a browser (and css-select over parse5-htmlparser2-tree-adapter) sees, minus
 * what analysis never needs: comments are dropped and the text of script/style elements is not kept.
 * Element siblings, ancestry and attributes are exact, so positional selectors stay correct.
 */
export interface ElementNode {
  readonly kind: 1;
  /** Tag name as parse5 gives it: lower case for HTML, adjusted case for SVG (e.g. `foreignObject`). */
  readonly tag: string;
  readonly ns: string;
  attrs: Token.Attribute[];
  parent: ParentNode | null;
  children: ChildNode[];
  /** Template contents (`<template>` only); a separate tree whose root has no parent. */
  content: FragmentNode | null;
  /**
   * The parser's form element pointer when this element was created: the HTML form owner of
   * form-associated elements that the tree does not nest inside their form (e.g. forms in tables).
   */
  formPointer: ElementNode | null;
  /** The shadow root a declarative `<template shadowrootmode>` child attached (parsing with `shadowRoots`). */
  shadowRoot?: FragmentNode;
}

export interface TextNode {
  readonly kind: 3;
  text: string;
  parent: ParentNode | null;
}

export interface DocumentNode {
  readonly kind: 9;
  children: ChildNode[];
  parent: null;
  mode: string;
}

export interface FragmentNode {
  readonly kind: 11;
  children: ChildNode[];
  parent: null;
  /** Set when this fragment is a shadow root: its host. */
  host?: ElementNode;
}

export type ParentNode = ElementNode | DocumentNode | FragmentNode;
export type ChildNode = ElementNode | TextNode;

export const HTML_NS = parse5html.NS.HTML as string;
const SVG_NS = parse5html.NS.SVG as string;

/** Elements whose text content analysis never reads. */
const DROP_TEXT = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'noembed', 'noframes', 'xmp', 'plaintext']);
/** parse5 tag ids of form-associated elements (HTML "form-associated elements"). */
const FORM_ASSOCIATED = new Set(['input', 'select', 'textarea', 'button', 'fieldset', 'output', 'object', 'img', 'label']);

type LeanMap = TreeAdapterTypeMap<
  ElementNode | TextNode | DocumentNode | FragmentNode | CommentStub | DoctypeStub,
  ParentNode,
  ChildNode | CommentStub | DoctypeStub,
  DocumentNode,
  FragmentNode,
  ElementNode,
  CommentStub,
  TextNode,
  ElementNode,
  DoctypeStub
>;
interface CommentStub { readonly kind: 8; parent: null; data: string }
interface DoctypeStub { readonly kind: 10; parent: null; name: string; publicId: string; systemId: string }

/** Page self-descriptions are the one kind of script whose text we read. */
function isDeclarationScript(el: ElementNode): boolean {
  if (el.tag !== 'script') return false;
  const type = getAttr(el, 'type');
  return type !== undefined && type.trim().toLowerCase() === 'application/webmcp+json';
}

function isElement(n: unknown): n is ElementNode {
  return (n as ElementNode).kind === 1;
}

/**
 * Shared by every element until it gets a child: most elements (inputs, images, line breaks,
 * empty wrappers) never do, and one array less each is less for the collector to copy.
 * Never mutated: insertion replaces it first.
 */
const NO_CHILDREN: ChildNode[] = [];

/**
 * Every start and end tag makes parse5 walk the stack of open elements (scope checks), so parsing
 * costs about tags x depth: a deep page is a way to burn CPU. Browsers' parsers stop nesting at 512
 * (Chromium's kMaximumHTMLParserDOMTreeDepth), but real pages with runs of unclosed tags can go
 * deeper in the spec tree, and refusing a real page is worse than parsing it. So the limit is a
 * work budget: at least 512 levels, and more as the page is smaller (a tag is at least 4
 * characters on average in adversarial markup), capped so tree walks stay far from the stack limit.
 */
export const MIN_MAX_DEPTH = 512;
const MAX_MAX_DEPTH = 16_384;
const DEPTH_WORK_BUDGET = 100_000_000;

/** The deepest nesting parsed for a page of this many UTF-16 units; deeper pages are refused. */
export function maxDepthFor(htmlLength: number): number {
  const tags = Math.max(1, htmlLength / 4);
  return Math.min(MAX_MAX_DEPTH, Math.max(MIN_MAX_DEPTH, Math.floor(DEPTH_WORK_BUDGET / tags)));
}

/** Elements `attachShadow` accepts as hosts: these HTML elements and valid custom element names. */
const SHADOW_HOSTS = new Set(['article', 'aside', 'blockquote', 'body', 'div', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'main', 'nav', 'p', 'section', 'span']);
const CUSTOM_ELEMENT = /^[a-z][^A-Z\s/>]*-[^A-Z\s/>]*$/;

function isDeclarativeShadowRoot(template: ElementNode, host: ParentNode): host is ElementNode {
  if (template.tag !== 'template' || template.ns !== HTML_NS || host.kind !== 1 || host.shadowRoot || host.ns !== HTML_NS) return false;
  const mode = getAttr(template, 'shadowrootmode')?.toLowerCase();
  if (mode !== 'open' && mode !== 'closed') return false;
  return SHADOW_HOSTS.has(host.tag) || CUSTOM_ELEMENT.test(host.tag);
}

function createAdapter(getParser: () => Parser<LeanMap>, shadowRoots: boolean, maxDepth: number): TreeAdapter<LeanMap> {
  const base = defaultTreeAdapter as unknown as TreeAdapter<LeanMap>;
  const adapter: TreeAdapter<LeanMap> = {
    ...base,
    createDocument: () => ({ kind: 9, children: [], parent: null, mode: 'no-quirks' }),
    createDocumentFragment: () => ({ kind: 11, children: [], parent: null }),
    createElement(tag, ns, attrs) {
      const parser = getParser();
      if (parser.openElements.stackTop >= maxDepth) throw new WebMCPInputError('ERR_INPUT', `page nests elements deeper than ${maxDepth} levels`);
      let formPointer: ElementNode | null = null;
      if (FORM_ASSOCIATED.has(tag) && ns === HTML_NS) {
        if (parser.formElement && parser.openElements.tmplCount === 0) formPointer = parser.formElement;
      }
      return { kind: 1, tag, ns, attrs, parent: null, children: NO_CHILDREN, content: null, formPointer };
    },
    createCommentNode: (data) => ({ kind: 8, parent: null, data }),
    createTextNode: (text) => ({ kind: 3, text, parent: null }),
    appendChild(parent, child) {
      // Comments and doctypes never reach the tree: siblings counted by selectors are elements only.
      if (child.kind === 8 || child.kind === 10) return;
      // Declarative shadow DOM, as HTML document parsing does it: the template's content becomes the host's
      // shadow root and the template itself is not inserted (so light-DOM positions match the live page).
      if (shadowRoots && child.kind === 1 && child.content && isDeclarativeShadowRoot(child, parent)) {
        parent.shadowRoot = child.content;
        child.content.host = parent;
        child.parent = parent;
        return;
      }
      if (parent.children === NO_CHILDREN) parent.children = [child];
      else parent.children.push(child);
      child.parent = parent;
    },
    insertBefore(parent, child, ref) {
      if (child.kind === 8 || child.kind === 10) return;
      if (parent.children === NO_CHILDREN) parent.children = [];
      const i = parent.children.indexOf(ref as ChildNode);
      parent.children.splice(i < 0 ? parent.children.length : i, 0, child);
      child.parent = parent;
    },
    setTemplateContent(template, content) {
      template.content = content;
    },
    getTemplateContent: (template) => template.content as FragmentNode,
    setDocumentType() {
      // The doctype's only effect we need is the document mode, which parse5 sets separately.
    },
    setDocumentMode(doc, mode) {
      doc.mode = mode;
    },
    getDocumentMode: (doc) => doc.mode as never,
    detachNode(node) {
      const parent = node.parent as ParentNode | null;
      if (!parent) return;
      const i = parent.children.indexOf(node as ChildNode);
      if (i >= 0) parent.children.splice(i, 1);
      node.parent = null;
    },
    insertText(parent, text) {
      if (isElement(parent) && DROP_TEXT.has(parent.tag) && !isDeclarationScript(parent)) return;
      const last = parent.children[parent.children.length - 1];
      if (last && last.kind === 3) last.text += text;
      else adapter.appendChild(parent, { kind: 3, text, parent: null });
    },
    insertTextBefore(parent, text, ref) {
      const i = parent.children.indexOf(ref as ChildNode);
      const prev = i > 0 ? parent.children[i - 1] : undefined;
      if (prev && prev.kind === 3) prev.text += text;
      else adapter.insertBefore(parent, { kind: 3, text, parent: null }, ref);
    },
    adoptAttributes(recipient, attrs) {
      const have = new Set(recipient.attrs.map((a) => a.name));
      for (const a of attrs) if (!have.has(a.name)) recipient.attrs.push(a);
    },
    getFirstChild: (node) => node.children[0],
    getChildNodes: (node) => node.children,
    getParentNode: (node) => node.parent as ParentNode | null,
    getAttrList: (el) => el.attrs,
    getTagName: (el) => el.tag,
    getNamespaceURI: (el) => el.ns as never,
    getTextNodeContent: (t) => t.text,
    getCommentNodeContent: (c) => c.data,
    getDocumentTypeNodeName: (d) => d.name,
    getDocumentTypeNodePublicId: (d) => d.publicId,
    getDocumentTypeNodeSystemId: (d) => d.systemId,
    isTextNode: (n): n is TextNode => (n as TextNode).kind === 3,
    isCommentNode: (n): n is CommentStub => (n as CommentStub).kind === 8,
    isDocumentTypeNode: (n): n is DoctypeStub => (n as DoctypeStub).kind === 10,
    isElementNode: (n): n is ElementNode => (n as ElementNode).kind === 1,
    setNodeSourceCodeLocation() {},
    getNodeSourceCodeLocation: () => undefined,
    updateNodeSourceCodeLocation() {},
  };
  return adapter;
}

/**
 * Parses a whole HTML document exactly as a browser would (HTML5 tree construction, scripting on).
 * parse5 7.3 throws on a low surrogate followed by another; such a page is parsed again with its
 * lone surrogates as U+FFFD, as a browser's decoder would have made them. (Checking every page
 * up front costs a full scan; pages decoded from bytes never have lone surrogates.)
 */
export function parseDocument(html: string, options: { shadowRoots?: boolean } = {}): DocumentNode {
  try {
    return parseWith(html, options);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const wellFormed = toWellFormed(html);
    if (wellFormed === html) throw err;
    return parseWith(wellFormed, options);
  }
}

function parseWith(html: string, options: { shadowRoots?: boolean }): DocumentNode {
  let parser: Parser<LeanMap> | null = null;
  const treeAdapter = createAdapter(() => parser as Parser<LeanMap>, options.shadowRoots === true, maxDepthFor(html.length));
  parser = new Parser<LeanMap>({ treeAdapter, scriptingEnabled: true, sourceCodeLocationInfo: false });
  installFastRuns(parser.tokenizer);
  parser.tokenizer.write(html, true);
  return parser.document;
}

export function getAttr(el: ElementNode, name: string): string | undefined {
  const attrs = el.attrs;
  for (let i = 0; i < attrs.length; i++) if (attrs[i].name === name && !attrs[i].prefix) return attrs[i].value;
  return undefined;
}

/**
 * A link's target: `href`, or on SVG `<a>` the legacy `xlink:href` that browsers still follow
 * (and that css-select on parse5's htmlparser2 tree reads as `href`).
 */
export function linkHref(el: ElementNode): string | undefined {
  const href = getAttr(el, 'href');
  if (href !== undefined || el.ns !== SVG_NS) return href;
  const attrs = el.attrs;
  for (let i = 0; i < attrs.length; i++) if (attrs[i].name === 'href' && attrs[i].prefix === 'xlink') return attrs[i].value;
  return undefined;
}

export function hasAttr(el: ElementNode, name: string): boolean {
  return getAttr(el, name) !== undefined;
}

/** Element children only (what `:nth-child` counts). */
export function elementChildren(node: ParentNode): ElementNode[] {
  const out: ElementNode[] = [];
  for (const c of node.children) if (c.kind === 1) out.push(c);
  return out;
}

/** 1-based position among element siblings, as `:nth-child()` counts it. */
export function elementIndex(el: ElementNode): number {
  const parent = el.parent;
  if (!parent) return 1;
  let n = 0;
  for (const c of parent.children) {
    if (c.kind === 1) {
      n++;
      if (c === el) return n;
    }
  }
  return n;
}

/**
 * Concatenated text of a subtree, skipping elements `skip` returns true for.
 * Stops early once `limit` characters are collected (labels are capped anyway).
 */
export function textContent(node: ParentNode, limit = 2000, skip?: (el: ElementNode) => boolean): string {
  let out = '';
  const stack: ChildNode[] = [];
  for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  while (stack.length > 0 && out.length < limit) {
    const n = stack.pop() as ChildNode;
    if (n.kind === 3) {
      out += n.text;
      continue;
    }
    if (skip && skip(n)) continue;
    if (n.tag === 'br' || n.tag === 'p' || n.tag === 'div' || n.tag === 'li' || n.tag === 'td' || n.tag === 'th') out += ' ';
    if (n.tag === 'img' || (n.tag === 'input' && getAttr(n, 'type')?.toLowerCase() === 'image')) {
      const alt = getAttr(n, 'alt');
      if (alt) out += ' ' + alt + ' ';
    }
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}
