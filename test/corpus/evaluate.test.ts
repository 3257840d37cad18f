import { beforeAll, describe, expect, it } from 'vitest';
import { corpusAvailable, loadCorpus, type Corpus, type CorpusPage } from '../../bench/corpus.js';
import { countTokens, evaluateCorpus, evaluatePage, evaluateSelector, formatMetrics, formatPageReport, tokenFigures } from './evaluate.js';
import { pageTruth } from './ground-truth.js';
import { OracleProcessor, oracleFormat } from './oracle.js';

const LOGIN = `<!doctype html><html><head><title>Login</title></head><body>
<form id="search"><input name="q"><button>Go</button></form>
<form id="login" action="/s" method="post">
  <input type="hidden" name="csrf" value="x">
  <input name="user" id="user">
  <input type="password" name="pw" class="pw">
  <input type="password" name="pw" class="pw" style="display:none">
  <input type="email" name="mail">
  <span name="user">not a field</span>
  <input name="ghost" hidden>
  <input type="radio" name="r" value="1"><input type="radio" name="r" value="2">
</form>
<template><input class="pw" name="tpl"></template>
</body></html>`;

const page: CorpusPage = {
  sub: 'formasaurus', file: 'formasaurus/login.html', url: 'https://example.com/login', bytes: LOGIN.length, html: LOGIN,
  forms: [
    { formIndex: 0, formType: 's', fields: [{ name: 'q', fieldType: 'qq', derived: { tag: 'input', htmlType: 'text', elementCount: 1, inlineHidden: false } }] },
    {
      formIndex: 1, formType: 'l', fields: [
        { name: 'user', fieldType: 'us', derived: { tag: 'input', htmlType: 'text', elementCount: 1, inlineHidden: false } },
        { name: 'pw', fieldType: 'p1', derived: { tag: 'input', htmlType: 'password', elementCount: 2, inlineHidden: false } },
        { name: 'mail', fieldType: 'e1', derived: { tag: 'input', htmlType: 'email', elementCount: 1, inlineHidden: false } },
        { name: 'ghost', fieldType: 'hp', derived: { tag: 'input', htmlType: 'text', elementCount: 1, inlineHidden: true } },
        { name: 'r', fieldType: 'ot', derived: { tag: 'input', htmlType: 'radio', elementCount: 2, inlineHidden: false } },
      ],
    },
  ],
};

function fixed(elements: Array<Record<string, unknown>>) {
  return { process: async () => ({ version: '0.2', elements, metadata: {} }) };
}
const format = () => 'x';

describe('ground truth of a synthetic page', () => {
  it('finds the fields to annotate of the N-th form, by name', () => {
    const truth = pageTruth(page);
    expect(truth.forms).toHaveLength(2);
    expect(truth.fields.map((f) => [f.name, f.candidates.length, f.inlineHidden])).toEqual([
      ['q', 1, false], ['user', 1, false], ['pw', 2, false], ['mail', 1, false], ['ghost', 1, true], ['r', 2, false],
    ]);
  });

  it('refuses labels that name no field', () => {
    const broken = { ...page, forms: [{ formIndex: 0, formType: 's', fields: [{ ...page.forms![0].fields[0], name: 'nope' }] }] };
    expect(() => pageTruth(broken)).toThrow(/no field named "nope"/);
  });
});

describe('selector evaluation', () => {
  const truth = pageTruth(page);
  it('hits only when css-select returns exactly one element', () => {
    expect(evaluateSelector('#user', truth).kind).toBe('hit');
    expect(evaluateSelector('#nothing', truth).kind).toBe('none');
    expect(evaluateSelector('input', truth)).toMatchObject({ kind: 'many' });
    expect(evaluateSelector('', truth).kind).toBe('empty');
    expect(evaluateSelector(42, truth).kind).toBe('empty');
    expect(evaluateSelector('input[', truth).kind).toBe('throws');
  });

  it('evaluates like css-select, which also sees <template> contents', () => {
    // .pw matches the two password inputs and the template's input: 3 elements, not a hit.
    expect(evaluateSelector('.pw', truth)).toMatchObject({ kind: 'many', count: 3 });
  });
});

describe('page scoring', () => {
  it('scores hits, misses, roles and bad elements', async () => {
    const processor = fixed([
      { name: 'Q', role: 'input.search', selector: '#search > input' },
      { name: 'USER', role: 'input.text', selector: '#user' },
      { name: 'PW', role: 'input.text', selector: '#login input.pw:not([style])' }, // hits the first candidate, wrong role
      { name: 'MAIL', role: 'input.text', selector: 'input[type=email]' },  // email field typed email needs input.email
      { name: 'R', role: 'input.radio', selector: 'input[name=r]' },        // matches 2: hits nothing
      { name: 'R', role: 'action.submit', selector: 'button' },            // duplicate name
      { name: '', role: 'action.navigate', selector: 'a' },                 // matches 0, empty name
      { name: 'BROKEN', role: 'x', selector: ':::' },
    ]);
    const result = await evaluatePage(page, { processor, format });
    expect(result.robustnessProblems).toEqual([]);
    expect(result.fields).toEqual({ counted: 5, represented: 4, password: 1, passwordOk: 0, email: 1, emailOk: 0 });
    expect(result.elements).toBe(8);
    expect(result.uniqueSelectors).toBe(5);
    expect(result.uniqueNames).toBe(5);
    expect(result.missed).toHaveLength(1);
    expect(result.missed[0]).toMatchObject({ kind: 'formasaurus', what: 'form #1 "r" (ot)', candidates: 2, tag: '<input type="radio" name="r" value="1">' });
    expect(result.missed[0].nearMisses).toEqual(['#4 R "input[name=r]"']);
    expect(evaluateSelector(result.missed[0].path, pageTruth(page)).kind).toBe('hit');
    expect(result.wrongRoles.map((w) => [w.metric, w.expected, w.got])).toEqual([
      ['password', 'input.password', ['input.text']], ['email', 'input.email', ['input.text']],
    ]);
    expect(result.bad.map((b) => [b.index, b.problem])).toEqual([
      [4, 'selector-matches-many'], [4, 'name-duplicate'], [5, 'name-duplicate'], [6, 'selector-matches-0'], [6, 'name-empty'], [7, 'selector-throws'],
    ]);
    const text = formatPageReport(result);
    expect(text).toContain('MISS   formasaurus form #1 "r" (ot)');
    expect(text).toContain('ROLE   password');
    expect(text).toContain('BAD    #7 BROKEN');
  });

  it('accepts any input.* role for an email field whose input is not typed email', async () => {
    const html = '<form><input name="e" type="text"></form>';
    const p: CorpusPage = { ...page, html, bytes: html.length, forms: [{ formIndex: 0, formType: 'm', fields: [{ name: 'e', fieldType: 'e1', derived: { tag: 'input', htmlType: 'text', elementCount: 1, inlineHidden: false } }] }] };
    const result = await evaluatePage(p, { processor: fixed([{ name: 'E', role: 'input.text', selector: 'input' }]), format });
    expect(result.fields.emailOk).toBe(1);
  });

  it('counts a throwing page as a robustness failure with token reduction 0', async () => {
    const result = await evaluatePage(page, { processor: { process: () => Promise.reject(new Error('boom')) }, format });
    expect(result.robustnessProblems).toEqual(['process() threw Error: boom']);
    expect(result.tokens.out).toBe(result.tokens.raw);
    expect(result.tokens.reduction).toBe(0);
    expect(result.missed).toHaveLength(5);
  });

  it('reports malformed documents and a formatter that does not return a string', async () => {
    const processor = { process: async () => ({ version: 2, elements: {}, metadata: null }) };
    const result = await evaluatePage(page, { processor, format: () => 7 });
    expect(result.robustnessProblems).toEqual([
      'version is not a string', 'elements is not an array', 'metadata is not an object', 'formatForModel returned number',
    ]);
    expect(result.tokens.reduction).toBe(0);
  });

  it('counts tokens with o200k_base, special tokens as plain text', () => {
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('<|endoftext|>')).toBeGreaterThan(1);
  });

  it('computes median and aggregate reduction', () => {
    expect(tokenFigures([{ raw: 100, out: 10 }, { raw: 100, out: 30 }, { raw: 800, out: 0 }])).toEqual({
      pages: 3, median: 0.9, aggregate: 0.96, raw: 1000, out: 40,
    });
    expect(tokenFigures([{ raw: 10, out: 1 }, { raw: 10, out: 3 }]).median).toBeCloseTo(0.8);
  });
});

// Pages up to 100 KB (60 of 77, 2 MB, every ARIA page): the whole corpus would take too long to
// run twice here; ground-truth.test.ts and corpus.test.ts cover every page.
const SMALL = 100_000;

describe.skipIf(!corpusAvailable())('the harness on the development corpus', () => {
  let corpus: Corpus;
  beforeAll(async () => {
    const full = await loadCorpus();
    const pages = full.pages.filter((p) => p.bytes <= SMALL);
    corpus = { ...full, pages, bytes: pages.reduce((n, p) => n + p.bytes, 0) };
  });

  it('scores a processor that finds every target as perfect', async () => {
    // Expected counts from the labels' own derived data, independent of ground-truth.ts.
    const labelled = corpus.pages.flatMap((p) => (p.forms ?? []).flatMap((f) => f.fields)).filter((f) => !f.derived.inlineHidden);
    const of = (...types: string[]) => labelled.filter((f) => types.includes(f.fieldType)).length;
    const { metrics, pages } = await evaluateCorpus(corpus, { processor: new OracleProcessor(), format: oracleFormat as never });
    expect(metrics).toMatchObject({
      pages: 60, recall_formasaurus: 1, recall_aria: 1, password_role_accuracy: 1, email_role_accuracy: 1,
      selector_uniqueness: 1, name_uniqueness: 1, robustness: true,
      counts: { fields: labelled.length, aria: 325, password: of('p1', 'p2'), email: of('e1', 'e2') },
    });
    expect(metrics.counts.password).toBeGreaterThan(20);
    expect(pages.every((p) => formatPageReport(p) === '')).toBe(true);
    expect(metrics.tokens.overall.median).toBeGreaterThan(0.5);
    expect(formatMetrics(metrics)).toContain('recall_aria             1.0000  (325/325)');
  });

  it('sees every fault injected into that processor', async () => {
    const processor = new OracleProcessor({
      // Drop every password input and every tab, give two elements the same name, throw on one page.
      drop: (_i, el) => el.attribs.type?.toLowerCase() === 'password' || el.attribs.role === 'tab',
      name: (i) => (i === 0 ? 'E1' : `E${i}`),
      throwOn: '/ars-1/',
    });
    const { metrics, pages } = await evaluateCorpus(corpus, { processor, format: oracleFormat as never });
    expect(metrics.pages).toBe(60);
    expect(metrics.password_role_accuracy).toBe(0);
    expect(metrics.recall_aria).toBeLessThan(1);
    expect(metrics.counts.robustnessFailures).toBe(1);
    expect(pages.find((p) => p.file === 'articles/ars-1.html')?.tokens.reduction).toBe(0);
    // Every page but the throwing one has E1 twice (output positions 0 and 1).
    expect(metrics.counts.uniqueNames).toBe(metrics.outputElements - 2 * (metrics.pages - 1));
    const missedTabs = pages.flatMap((p) => p.missed).filter((m) => m.what === 'role=tab');
    expect(missedTabs.length).toBeGreaterThan(0);
    expect(metrics.counts.aria - metrics.counts.ariaRepresented).toBe(missedTabs.length);
  });
});
