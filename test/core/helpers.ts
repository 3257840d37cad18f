import { selectAll } from 'css-select';
import type { Element } from 'domhandler';
import { expect } from 'vitest';
import { parseHtml5 } from '../corpus/ground-truth.js';
import type { WebMCPDocument } from '../../src/core/types.js';

/**
 * Checks every element of `doc` the way acceptance does: its selector, evaluated by css-select on
 * parse5's htmlparser2 tree of `html`, matches exactly one element; names are unique UPPER_SNAKE.
 * Returns the matched page element of each document element.
 */
export function expectSoundDocument(html: string, doc: WebMCPDocument): Map<string, Element> {
  const tree = parseHtml5(html);
  const out = new Map<string, Element>();
  const names = new Set<string>();
  for (const e of doc.elements) {
    expect(e.name, `name of ${e.selector}`).toMatch(/^[A-Z][A-Z0-9_]*$/);
    expect(names.has(e.name), `duplicate name ${e.name}`).toBe(false);
    names.add(e.name);
    const hits = selectAll(e.selector, tree) as unknown as Element[];
    expect(hits.length, `${e.name}: ${e.selector}`).toBe(1);
    out.set(e.name, hits[0]);
  }
  return out;
}

/** A compact projection for exact assertions: name, role, label, form. */
export function summary(doc: WebMCPDocument): Array<[string, string, string | undefined, string | undefined]> {
  return doc.elements.map((e) => [e.name, e.role, e.label, e.form]);
}
