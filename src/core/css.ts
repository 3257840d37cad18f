import { selectAll, type Options } from 'css-select';
import { getAttr, type ChildNode, type ElementNode, type ParentNode } from './dom.js';

/**
 * css-select over our lean tree, for arbitrary selectors (page declarations). Generated
 * selectors use the faster index in selector.ts; tests check both agree with css-select over
 * parse5's htmlparser2 tree.
 */
type AnyNode = ChildNode | ParentNode;

function isTag(n: AnyNode): n is ElementNode {
  return n.kind === 1;
}

function children(n: AnyNode): AnyNode[] {
  if (n.kind === 3) return [];
  // Template contents are searched like querySelectorAll over a document does not, but css-select does.
  if (n.kind === 1 && n.content) return [...n.children, n.content];
  return n.children;
}

function text(n: AnyNode): string {
  if (n.kind === 3) return n.text;
  return children(n).map(text).join('');
}

const adapter = {
  isTag,
  existsOne(test: (e: ElementNode) => boolean, elems: AnyNode[]): boolean {
    return elems.some((e) => isTag(e) && (test(e) || adapter.existsOne(test, children(e))));
  },
  getAttributeValue: (e: ElementNode, name: string) => getAttr(e, name),
  getChildren: children,
  getName: (e: ElementNode) => e.tag,
  getParent: (n: AnyNode) => (n.kind === 3 || n.kind === 1 ? n.parent : null) as AnyNode | null,
  getSiblings(n: AnyNode): AnyNode[] {
    const p = n.kind === 1 || n.kind === 3 ? n.parent : null;
    return p ? p.children : [n];
  },
  prevElementSibling(n: AnyNode): ElementNode | null {
    const p = n.kind === 1 || n.kind === 3 ? n.parent : null;
    if (!p) return null;
    let prev: ElementNode | null = null;
    for (const c of p.children) {
      if (c === n) return prev;
      if (c.kind === 1) prev = c;
    }
    return null;
  },
  getText: text,
  hasAttrib: (e: ElementNode, name: string) => getAttr(e, name) !== undefined,
  removeSubsets(nodes: AnyNode[]): AnyNode[] {
    const set = new Set(nodes);
    return nodes.filter((n) => {
      for (let p = (n as ElementNode).parent as AnyNode | null; p; p = adapter.getParent(p)) if (set.has(p)) return false;
      return true;
    });
  },
  findAll(test: (e: ElementNode) => boolean, nodes: AnyNode[]): ElementNode[] {
    const out: ElementNode[] = [];
    const stack = [...nodes].reverse();
    while (stack.length) {
      const n = stack.pop() as AnyNode;
      if (isTag(n) && test(n)) out.push(n);
      const kids = children(n);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
    }
    return out;
  },
  findOne(test: (e: ElementNode) => boolean, elems: AnyNode[]): ElementNode | null {
    return adapter.findAll(test, elems)[0] ?? null;
  },
};

/** Elements matching `selector`, or null when css-select refuses the selector. */
export function querySelectorAll(selector: string, root: ParentNode): ElementNode[] | null {
  try {
    return selectAll(selector, root as never, { adapter } as unknown as Options<never, never>) as unknown as ElementNode[];
  } catch (err) {
    // css-select throws (Syntax)Errors for selectors it cannot parse or does not support.
    if (err instanceof Error) return null;
    throw err;
  }
}
