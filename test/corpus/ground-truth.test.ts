import { describe, expect, it } from 'vitest';
import { corpusAvailable, loadCorpus } from '../../bench/corpus.js';
import { hidesItself, isAriaTargetElement, pageTruth, parseHtml5, walkElements } from './ground-truth.js';

function only(html: string, tag: string) {
  const { elements, hidden } = walkElements(parseHtml5(html));
  const el = elements.filter((e) => e.name === tag);
  return { el, hidden };
}

describe('inline-hidden rule', () => {
  it.each([
    ['<div hidden><input></div>', true],
    ['<div aria-hidden=" TRUE "><input></div>', true],
    ['<div aria-hidden="false"><input></div>', false],
    ['<div style="DISPLAY : none"><input></div>', true],
    ['<div style="color:red;display:none !important"><input></div>', true],
    ['<div style="visibility: hidden;"><input></div>', true],
    ['<div style="display:none-ish"><input></div>', false],
    ['<div style="xdisplay:none"><input></div>', false],
    ['<div style="display:block"><input></div>', false],
    ['<div style="visibility:visible"><input></div>', false],
    ['<noscript><input></noscript>', false], // scripting on: noscript is raw text, so the input does not exist
  ])('%s -> hidden %s', (html, expected) => {
    const { el, hidden } = only(html, 'input');
    if (html.startsWith('<noscript>')) {
      expect(el).toHaveLength(0);
      return;
    }
    expect(el).toHaveLength(1);
    expect(hidden.has(el[0])).toBe(expected);
  });

  it('hides head and template, and never walks into template contents', () => {
    const { elements, hidden } = walkElements(parseHtml5('<head><title>t</title></head><body><template><input></template><p>x</p></body>'));
    expect(elements.map((e) => e.name)).toEqual(['html', 'head', 'title', 'body', 'template', 'p']);
    expect(elements.filter((e) => hidden.has(e)).map((e) => e.name)).toEqual(['head', 'title', 'template']);
  });

  it('treats an element as hiding itself only by its own attributes', () => {
    const [div] = only('<div style="display:none"></div>', 'div').el;
    expect(hidesItself(div)).toBe(true);
  });
});

describe('ARIA target rule', () => {
  it.each([
    ['<a href="">x</a>', 'a', true],
    ['<a>x</a>', 'a', false],
    ['<input type=" HIDDEN ">', 'input', false],
    ['<input type="text">', 'input', true],
    ['<summary>x</summary>', 'summary', true],
    ['<div contenteditable="">x</div>', 'div', true],
    ['<div contenteditable="false">x</div>', 'div', false],
    ['<div role=" Tab  button">x</div>', 'div', true],
    ['<div role="presentation button">x</div>', 'div', false],
    ['<div role="gridcell">x</div>', 'div', false],
    ['<div role="gridcell" tabindex="-1">x</div>', 'div', true],
    ['<span role="scrollbar">x</span>', 'span', true],
  ])('%s -> %s', (html, tag, expected) => {
    const [el] = only(html, tag).el;
    expect(isAriaTargetElement(el)).toBe(expected);
  });
});

// The README publishes these counts: matching them proves the rules above are implemented as written.
describe.skipIf(!corpusAvailable())('ground truth of the development corpus', () => {
  it('matches the published target counts and the labels\' derived data', async () => {
    const corpus = await loadCorpus();
    expect(corpus.pages).toHaveLength(77);
    let labelled = 0, hidden = 0, counted = 0, password = 0, email = 0, aria = 0, multi = 0;
    for (const page of corpus.pages) {
      const truth = pageTruth(page);
      const derived = (page.forms ?? []).flatMap((f) => f.fields.map((field) => field.derived));
      expect(truth.fields.map((f) => ({ tag: f.tag, htmlType: f.htmlType, elementCount: f.candidates.length, inlineHidden: f.inlineHidden })))
        .toEqual(derived);
      for (const f of truth.fields) {
        labelled++;
        if (f.candidates.length > 1) multi++;
        if (f.inlineHidden) { hidden++; continue; }
        counted++;
        if (f.fieldType === 'p1' || f.fieldType === 'p2') password++;
        if (f.fieldType === 'e1' || f.fieldType === 'e2') email++;
      }
      aria += truth.aria.length;
    }
    expect({ labelled, hidden, counted, password, email, aria, multi })
      .toEqual({ labelled: 380, hidden: 48, counted: 332, password: 33, email: 43, aria: 325, multi: 12 });
  });
});
