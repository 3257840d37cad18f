/**
 * A stand-in processor for testing the harness itself: it reports every visible interactive
 * element (the README's ARIA rule, applied to any page) with a positional selector, so its
 * recall is exactly 1 and every selector and name is unique. Options inject known faults.
 */
import type { Element } from 'domhandler';
import { elementPath } from './evaluate.js';
import { isAriaTargetElement, parseHtml5, walkElements } from './ground-truth.js';

export interface OracleOptions {
  /** Leave out the page's n-th interactive element when this says so. */
  drop?: (index: number, el: Element) => boolean;
  /** Role given to an element (default: a plausible webMCP role). */
  role?: (el: Element) => string;
  /** Replace some selectors / names (index = position in the output). */
  selector?: (index: number, el: Element) => string;
  name?: (index: number) => string;
  /** Throw on pages whose URL contains this marker. */
  throwOn?: string;
}

function defaultRole(el: Element): string {
  if (el.name === 'input') {
    const type = (el.attribs.type ?? 'text').trim().toLowerCase();
    return type === 'submit' || type === 'image' || type === 'button' ? 'action.submit' : `input.${type}`;
  }
  if (el.name === 'select') return 'input.select';
  if (el.name === 'textarea') return 'input.textarea';
  if (el.name === 'a') return 'action.navigate';
  return 'action.open';
}

export class OracleProcessor {
  constructor(private readonly options: OracleOptions = {}) {}

  async process(html: string, opts: { url: string }) {
    if (this.options.throwOn && opts.url.includes(this.options.throwOn)) throw new Error('oracle: injected failure');
    const { elements, hidden } = walkElements(parseHtml5(html));
    const out = elements
      .filter((el) => !hidden.has(el) && isAriaTargetElement(el))
      .map((el, i) => ({ el, i }))
      .filter(({ el, i }) => !this.options.drop?.(i, el))
      .map(({ el }, j) => ({
        name: this.options.name ? this.options.name(j) : `E${j}`,
        role: (this.options.role ?? defaultRole)(el),
        selector: this.options.selector ? this.options.selector(j, el) : elementPath(el),
      }));
    return { version: '0.2', elements: out, metadata: {} };
  }
}

/** A short model view: one line per element. */
export function oracleFormat(doc: { elements: Array<{ name: string; role: string }> }): string {
  return doc.elements.map((e) => `${e.name}:${e.role}`).join('\n');
}
