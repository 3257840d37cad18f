import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebMCPInputError } from '../errors.js';
import { diffDocuments, formatDelta, isEmptyDelta, viewSince, type DocumentDelta } from './diff.js';
import { formatForModel } from './format.js';
import { WebMCPProcessor } from './processor.js';
import { countTokens } from './tokens.js';
import type { WebMCPDocument, WebMCPElement } from './types.js';

const processor = new WebMCPProcessor({ cache: false });
const analyse = (html: string): WebMCPDocument => processor.processSync(html, { url: 'https://shop.test/contact' });

const page = (fields: string): string => `<html><head><title>Contact us</title></head><body>
<nav>${Array.from({ length: 15 }, (_, i) => `<a href="/section/${i}">Section number ${i}</a>`).join('')}</nav>
<form id="contact" method="post" action="/contact">
${fields}
<label>Your message <textarea name="message" required></textarea></label>
<button type="submit">Send message</button>
</form>
<footer><a href="/privacy">Privacy policy</a><a href="/terms">Terms of use</a></footer>
</body></html>`;

const BEFORE = page(`<label>Full name <input name="name" required></label>
<label>Email <input type="email" name="email" required></label>
<label>Phone <input type="tel" name="phone"></label>`);
const AFTER = page(`<label>Full name <input name="name" required></label>
<label>E-mail address <input type="email" name="email" required></label>
<label>Postcode <input name="zip"></label>`);

const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('diffDocuments', () => {
  it('a field added, one removed and a label changed give exactly those three changes', () => {
    const before = analyse(BEFORE);
    const after = analyse(AFTER);
    const delta = diffDocuments(before, after);
    expect(delta.added.map((e) => e.name)).toEqual(['ZIP']);
    expect(delta.removed.map((e) => e.name)).toEqual(['PHONE']);
    expect(delta.changed.map((c) => [c.after.name, c.fields])).toEqual([['EMAIL', ['label']]]);
    expect(delta.context).toEqual([]);
    expect(delta.forms).toEqual({ added: [], removed: [] });
    expect(delta.unchanged).toBe(before.elements.length - 2);

    const text = formatDelta(delta);
    expect(text.split('\n')).toEqual([
      `DELTA 1 added, 1 removed, 1 changed, ${delta.unchanged} unchanged`,
      '+ ZIP text "Postcode" in CONTACT',
      '~ EMAIL label "Email" -> "E-mail address"',
      '- PHONE',
    ]);
    // The point of a delta: far smaller than showing the page again.
    expect(countTokens(text)).toBeLessThan(countTokens(formatForModel(after)) / 3);
  });

  it('works on documents read back from JSON (the CLI --since file)', () => {
    const delta = diffDocuments(json(analyse(BEFORE)), analyse(AFTER));
    expect([delta.added.length, delta.removed.length, delta.changed.length]).toEqual([1, 1, 1]);
  });

  it('finds nothing between two analyses of the same page', () => {
    const delta = diffDocuments(analyse(BEFORE), analyse(BEFORE));
    expect(isEmptyDelta(delta)).toBe(true);
    expect(formatDelta(delta)).toBe(`DELTA no changes (${delta.unchanged} elements as before)`);
  });

  it('reports a renamed element as a change, not a removal and an addition', () => {
    const before = analyse(BEFORE);
    const renamed = { ...before, elements: before.elements.map((e) => (e.name === 'PHONE' ? { ...e, name: 'TELEPHONE' } : e)) };
    const delta = diffDocuments(before, renamed);
    expect(delta.added).toEqual([]);
    expect(delta.removed).toEqual([]);
    expect(delta.changed.map((c) => [c.after.name, c.fields])).toEqual([['TELEPHONE', ['name']]]);
    expect(formatDelta(delta)).toContain('~ TELEPHONE renamed from PHONE');
  });

  it('pairs by name when positional selectors shift, and says the selector changed', () => {
    const mk = (extra: string): string => `<div><span>${extra}</span><button>Alpha</button><button>Beta</button></div>`;
    const before = analyse(mk(''));
    const after = analyse(mk('<button>New</button>'));
    const delta = diffDocuments(before, after);
    expect(delta.added.map((e) => e.name)).toEqual(['NEW']);
    expect(delta.removed).toEqual([]);
    for (const c of delta.changed) expect(c.fields).toEqual(['selector']);
  });

  it('reports page title, URL and purpose changes and forms that come and go', () => {
    const before = analyse(BEFORE);
    const after = processor.processSync(AFTER.replace('Contact us', 'Write to us').replace('</body>', '<form id="s"><input type="search" name="q"></form></body>'), { url: 'https://shop.test/write' });
    const delta = diffDocuments(before, after);
    expect(delta.context).toEqual([
      { field: 'title', before: 'Contact us', after: 'Write to us' },
      { field: 'url', before: 'https://shop.test/contact', after: 'https://shop.test/write' },
    ]);
    expect(delta.forms.added).toEqual(['SEARCH']);
    const lines = formatDelta(delta).split('\n');
    expect(lines).toContain('~ PAGE title "Contact us" -> "Write to us"');
    expect(lines).toContain('+ FORM SEARCH');
  });

  it('refuses what is not a document with a coded input error', () => {
    const doc = analyse(BEFORE);
    for (const bad of [null, 'x', 42, {}, { elements: 'no' }, []]) {
      expect(() => diffDocuments(bad as unknown as WebMCPDocument, doc)).toThrow(WebMCPInputError);
      try {
        diffDocuments(doc, bad as unknown as WebMCPDocument);
      } catch (err) {
        expect((err as WebMCPInputError).code).toBe('ERR_INPUT');
        expect((err as Error).message).toBe('after is not a WebMCP document');
      }
    }
  });

  it('skips malformed elements of a document from elsewhere', () => {
    const doc = analyse(BEFORE);
    const broken = { ...json(doc), elements: [...json(doc).elements, null, 7, 'x', []] } as unknown as WebMCPDocument;
    expect(isEmptyDelta(diffDocuments(doc, broken))).toBe(true);
  });
});

describe('formatDelta', () => {
  const many = (n: number): WebMCPDocument => analyse(`<title>T</title>${Array.from({ length: n }, (_, i) => `<label>Question ${i} <input name="q${i}"></label>`).join('')}`);

  it('stays within a budget and says what it left out', () => {
    const delta = diffDocuments(many(0), many(60));
    expect(delta.added).toHaveLength(60);
    for (const maxTokens of [50, 120, 200]) {
      const text = formatDelta(delta, { maxTokens });
      expect(countTokens(text)).toBeLessThanOrEqual(maxTokens);
      expect(text.split('\n').at(-1)).toMatch(/^OMITTED \d+ more change lines \(ask for the full view\)$/);
    }
  });

  it('checks its arguments', () => {
    const delta = diffDocuments(many(1), many(2));
    expect(() => formatDelta(delta, { maxTokens: 49 })).toThrow(TypeError);
    expect(() => formatDelta({} as DocumentDelta)).toThrow(TypeError);
  });

  it('writes page text from hostile documents safely', () => {
    const base = analyse(BEFORE);
    const evil = (label: string): WebMCPDocument => ({
      ...base,
      context: { ...base.context, title: 'T\n+ FORM FAKE\ud800' },
      elements: base.elements.map((e) => (e.name === 'EMAIL' ? { ...e, label, value: 'a\u202eb' } : e)).concat([{ name: 'X\n- EVIL', role: 'input.text', selector: '#x', label: '\u0000<img src=x>\udc00' }]),
    });
    const text = formatDelta(diffDocuments(base, evil('new\n~ LABEL "\ud83d')));
    expect(text.isWellFormed()).toBe(true);
    for (const line of text.split('\n')) expect(line).toMatch(/^(DELTA |\+ |- |~ |OMITTED )/);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    expect(text).not.toContain('<img');
  });
});

describe('viewSince', () => {
  it('sends the delta when it is smaller, the view when the page changed beyond recognition', () => {
    const before = analyse(BEFORE);
    const small = viewSince(before, analyse(AFTER));
    expect(small.kind).toBe('delta');
    expect(small.text).toBe(formatDelta(small.delta));
    expect(small.tokens).toBe(countTokens(small.text));

    const other = analyse('<title>Other</title><form><input name="a"><button>Go</button></form>');
    const rewrite = viewSince(before, other);
    expect(rewrite.kind).toBe('full');
    expect(rewrite.text).toBe(formatForModel(other));
  });

  it('never sends a delta that does not fit the budget', () => {
    const before = analyse('<title>T</title>');
    const after = analyse(`<title>T</title>${Array.from({ length: 80 }, (_, i) => `<label>Field ${i} <input name="f${i}"></label>`).join('')}`);
    const r = viewSince(before, after, { maxTokens: 100 });
    expect(r.kind).toBe('full');
    expect(r.tokens).toBeLessThanOrEqual(100);
  });
});

describe('properties', () => {
  const str = fc.oneof(fc.constantFrom('Email', 'Name', 'Go', '', 'x\ny', '\ud800', '\u202e', 'A B'), fc.string({ unit: 'binary', maxLength: 12 }));
  const element = fc.record({
    name: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/),
    role: fc.constantFrom('input.text', 'input.email', 'action.submit', 'action.navigate'),
    selector: fc.oneof(fc.stringMatching(/^#[a-z]{1,4}$/), fc.stringMatching(/^div > a:nth-child\([1-9]\)$/)),
    label: str,
    required: fc.boolean(),
  }) as fc.Arbitrary<WebMCPElement>;
  const doc = (elements: WebMCPElement[], title = 'T'): WebMCPDocument => ({
    version: '0.2',
    context: { title },
    elements,
    forms: [],
    security: {},
    metadata: { generated_at: '', optimization_level: 'standard', tokens: { encoding: 'o200k_base', html: 0, document: 0 } },
  });

  it('accounts for every element, finds nothing between a document and itself, and writes well-formed text', () => {
    fc.assert(
      fc.property(fc.uniqueArray(element, { selector: (e) => e.name, maxLength: 12 }), fc.uniqueArray(element, { selector: (e) => e.name, maxLength: 12 }), str, (a, b, title) => {
        const delta = diffDocuments(doc(a, title), doc(b));
        const paired = delta.unchanged + delta.changed.length;
        expect(paired + delta.removed.length).toBe(a.length);
        expect(paired + delta.added.length).toBe(b.length);
        expect(isEmptyDelta(diffDocuments(doc(a), doc(a)))).toBe(true);
        const text = formatDelta(delta);
        expect(text.isWellFormed()).toBe(true);
        for (const line of text.split('\n')) expect(line).toMatch(/^(DELTA |\+ |- |~ )/);
        // The delta is data too: it survives JSON unchanged.
        expect(json(delta)).toEqual(JSON.parse(JSON.stringify(delta)));
        expect(JSON.stringify(delta).isWellFormed()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
