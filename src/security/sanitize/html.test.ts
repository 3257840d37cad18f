import { readFileSync } from 'node:fs';
import { parseFragment } from 'parse5';
import { describe, expect, it } from 'vitest';
import { sanitizeHtml } from './html.js';

interface Fixture {
  sources: Record<string, string>;
  payloads: Array<{ source: string; payload: string }>;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/xss-payloads.json', import.meta.url), 'utf8')) as Fixture;

const ALLOWED = new Set([
  'a', 'b', 'blockquote', 'br', 'code', 'del', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'ins',
  'kbd', 'li', 'mark', 'ol', 'p', 'pre', 's', 'small', 'strong', 'sub', 'sup', 'u', 'ul',
]);
const FORBIDDEN_TAGS = /<\s*\/?\s*(script|iframe|object|embed|svg|math|style|base|meta|form|link|frame|frameset|img|input|button|template|xml|xss)\b/i;

type Node = { nodeName: string; tagName?: string; attrs?: Array<{ name: string; value: string }>; childNodes?: Node[] };

/** Every element the browser would build from `html`, with its attributes (entities decoded). */
function elements(html: string): Node[] {
  const out: Node[] = [];
  const walk = (n: Node) => {
    if (n.tagName) out.push(n);
    for (const c of n.childNodes ?? []) walk(c);
    const content = (n as { content?: Node }).content;
    if (content) walk(content);
  };
  walk(parseFragment(html) as unknown as Node);
  return out;
}

function dangerousUrl(value: string): boolean {
  // What a browser strips before reading the scheme: leading C0/space, embedded tab/newline.
  const v = value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
  return /^(javascript|data|vbscript|livescript):/.test(v);
}

describe('sanitizeHtml against public XSS payload lists', () => {
  it('has a representative corpus with its sources noted', () => {
    expect(fixture.payloads.length).toBeGreaterThanOrEqual(100);
    for (const p of fixture.payloads) expect(fixture.sources[p.source]).toBeTruthy();
  });

  it.each(fixture.payloads.map((p, i) => [i, p.source, p.payload] as const))('#%i (%s) leaves no script vector', (_i, _source, payload) => {
    const out = sanitizeHtml(payload);
    expect(out).not.toMatch(/<script/i);
    expect(out).not.toMatch(FORBIDDEN_TAGS);
    expect(out).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    for (const el of elements(out)) {
      expect(ALLOWED.has(el.tagName!)).toBe(true);
      for (const attr of el.attrs ?? []) {
        expect(attr.name).not.toMatch(/^on/i);
        expect(['href', 'title', 'rel']).toContain(attr.name);
        expect(dangerousUrl(attr.value)).toBe(false);
      }
    }
  });

  it('keeps the rich text it is meant to keep', () => {
    expect(sanitizeHtml('<p>Hello <strong>world</strong> <a href="https://example.com/x?a=1">link</a></p>')).toBe(
      '<p>Hello <strong>world</strong> <a href="https://example.com/x?a=1" rel="noopener noreferrer nofollow">link</a></p>',
    );
    expect(sanitizeHtml('<ul><li>one</li></ul><pre><code>a &lt; b</code></pre>')).toBe('<ul><li>one</li></ul><pre><code>a &lt; b</code></pre>');
    expect(sanitizeHtml('<a href="//evil.example/x">proto-relative</a>')).toBe('<a rel="noopener noreferrer nofollow">proto-relative</a>');
    expect(sanitizeHtml('x <script>alert(1)</script> y')).toBe('x  y');
    expect(sanitizeHtml(42)).toBe('');
  });
});
