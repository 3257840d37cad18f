import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatForModel, modelView, type FormatOptions } from './format.js';
import { rankForms, relevance, goalTerms } from './goal.js';
import { WebMCPProcessor } from './processor.js';
import { countTokens } from './tokens.js';
import type { WebMCPDocument, WebMCPElement } from './types.js';

const processor = new WebMCPProcessor({ cache: false });
const analyse = (html: string, url = 'https://acme.test/'): WebMCPDocument => processor.processSync(html, { url });

const SHOP = `<html><head><title>Acme Shop</title></head><body>
<nav><a href="/">Home</a><a href="/shop">Shop</a><a href="/about">About us</a><a href="/login">Sign in</a></nav>
<form id="search" action="/search"><input type="search" name="q" aria-label="Search products"><button>Go</button></form>
<form id="login" method="post" action="/session">
<label>Email <input type="email" name="email" required></label>
<label>Password <input type="password" name="password" required></label>
<label><input type="checkbox" name="remember"> Remember me</label>
<button type="submit">Sign in</button></form>
<form id="news" action="/subscribe"><label>Your email <input type="email" name="news_email"></label><button>Subscribe</button></form>
<button id="menu">Menu</button>
</body></html>`;

const LINE = /^(PAGE|FORM |CONTROLS |LINKS |TOOLS |OMITTED |GOAL |SCOPE |  \S)/;

/** Every line starts as the format says: page text can never start a line of its own. */
function expectWellFormedView(text: string): void {
  expect(text.isWellFormed()).toBe(true);
  expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
  expect(JSON.parse(JSON.stringify(text))).toBe(text);
  // Only newlines separate lines; no other control, bidi or separator characters get through.
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/);
  for (const line of text.split('\n')) expect(line).toMatch(LINE);
}

describe('formatForModel without options', () => {
  it('lists every form with its fields, then controls and links, one line each', () => {
    const text = formatForModel(analyse(SHOP));
    expect(text.split('\n')).toEqual([
      'PAGE "Acme Shop" https://acme.test/ purpose login',
      'FORM SEARCH',
      '  SEARCH_PRODUCTS search',
      '  SEARCH_GO submit',
      'FORM LOGIN POST',
      '  EMAIL email*',
      '  PASSWORD password* secret',
      '  REMEMBER checkbox "Remember me"',
      '  SIGN_IN submit',
      'FORM NEWSLETTER',
      '  NEWS_EMAIL email "Your email"',
      '  SUBSCRIBE submit',
      'CONTROLS 1',
      '  MENU open',
      'LINKS 4',
      '  HOME link',
      '  SHOP link',
      '  ABOUT_US link',
      '  SIGN_IN_2 link',
    ]);
  });

  it('caps links per level and says in a closing line what was left out and how to get it', () => {
    const links = Array.from({ length: 30 }, (_, i) => `<a href="/p${i}">Page ${i}</a>`).join('');
    const doc = analyse(`<title>Many</title>${links}`);
    const view = modelView(doc);
    const lines = view.text.split('\n');
    expect(lines).toContain('LINKS 12 of 30');
    expect(lines.at(-1)).toBe('OMITTED LINKS 18 of 30 (expand with scope=<name>)');
    expect(view.omitted).toEqual(['LINKS']);
    expect(view.shown).toHaveLength(12);
    // The scope the line names shows them all.
    const all = modelView(doc, { scope: 'LINKS' });
    expect(all.shown).toHaveLength(30);
    expect(all.text).not.toContain('OMITTED');
  });

  it('is deterministic', () => {
    const doc = analyse(SHOP);
    expect(formatForModel(doc, { goal: 'log in', maxTokens: 60 })).toBe(formatForModel(analyse(SHOP), { goal: 'log in', maxTokens: 60 }));
  });

  it('shows run-time tools of rendered pages', () => {
    const doc = analyse(SHOP);
    const rendered = { ...doc, tools: [{ name: 'add_to_cart', description: 'Adds an item\nto the cart' }] } as WebMCPDocument;
    const text = formatForModel(rendered);
    expect(text).toContain('TOOLS 1\n  add_to_cart tool "Adds an item to the cart"');
    expect(formatForModel(rendered, { scope: 'TOOLS' }).split('\n').slice(1)).toEqual(['TOOLS 1', '  add_to_cart tool "Adds an item to the cart"']);
  });
});

describe('options are checked', () => {
  const doc = analyse(SHOP);
  it.each([49, 0, -1, NaN, Infinity, '300', null])('maxTokens %s is a TypeError', (m) => {
    expect(() => formatForModel(doc, { maxTokens: m as number })).toThrow(TypeError);
  });
  it('maxTokens 50 is the smallest budget', () => {
    expect(countTokens(formatForModel(doc, { maxTokens: 50 }))).toBeLessThanOrEqual(50);
  });
  it('refuses goals, scopes and levels of the wrong type, and non-documents', () => {
    expect(() => formatForModel(doc, { goal: 3 as unknown as string })).toThrow(TypeError);
    expect(() => formatForModel(doc, { scope: [1] as unknown as string[] })).toThrow(TypeError);
    expect(() => formatForModel(doc, { level: 'max' as 'basic' })).toThrow(TypeError);
    expect(() => formatForModel({} as WebMCPDocument)).toThrow(TypeError);
    expect(() => formatForModel(doc, null as unknown as FormatOptions)).toThrow(TypeError);
  });
  it('an empty goal or scope is no goal or scope', () => {
    expect(formatForModel(doc, { goal: '  ', scope: [] })).toBe(formatForModel(doc));
  });
});

describe('budget', () => {
  it('keeps required fields and submit actions before optional fields, links last', () => {
    const doc = analyse(SHOP);
    const view = modelView(doc, { maxTokens: 60 });
    expect(view.tokens).toBe(countTokens(view.text));
    expect(view.tokens).toBeLessThanOrEqual(60);
    // Essentials of every form (submit buttons, required fields) come before anything else.
    const essentials = ['SEARCH_GO', 'EMAIL', 'PASSWORD', 'SIGN_IN', 'SUBSCRIBE'];
    for (const n of view.shown) expect(essentials).toContain(n);
    expect(view.text.split('\n').at(-1)).toMatch(/^OMITTED /);
  });

  it('shortens a long page line instead of spending the budget on it', () => {
    const title = 'A very long title '.repeat(20);
    const doc = analyse(`<title>${title}</title><form><label>Query <input name="q" required></label><button>Find</button></form>`, `https://acme.test/${'x'.repeat(300)}`);
    const text = formatForModel(doc, { maxTokens: 50 });
    expect(countTokens(text)).toBeLessThanOrEqual(50);
    expect(text).toContain('\n  QUERY text*');
    expect(text.split('\n')[0].length).toBeLessThan(100);
  });

  it('shows the part that matters terser rather than cutting it', () => {
    const fields = Array.from({ length: 20 }, (_, i) => `<label>Your answer number ${i} to the question about the weather <input name="answer_${i}" required></label>`).join('');
    const doc = analyse(`<title>Survey</title><form id="survey" method="post">${fields}<button>Send answers</button></form>`);
    const full = formatForModel(doc);
    expect(countTokens(full)).toBeGreaterThan(400);
    const view = modelView(doc, { maxTokens: 200 });
    expect(view.tokens).toBeLessThanOrEqual(200);
    expect(view.shown).toHaveLength(21);
    expect(view.text).toContain('  ANSWER_0 text*\n');
  });

  it('returns the whole view when it fits', () => {
    const doc = analyse(SHOP);
    expect(formatForModel(doc, { maxTokens: 5000 })).toBe(formatForModel(doc));
  });

  it('never splits a large page over the budget (articles: thousands of links)', () => {
    const links = Array.from({ length: 3000 }, (_, i) => `<p><a href="/a/${i}">Story number ${i} about something</a></p>`).join('');
    const doc = analyse(`<title>News</title>${links}`);
    for (const maxTokens of [50, 77, 300, 2000]) {
      const view = modelView(doc, { maxTokens, level: 'basic' });
      expect(countTokens(view.text)).toBeLessThanOrEqual(maxTokens);
      expect(view.omitted).toEqual(['LINKS']);
    }
  });
});

describe('goal', () => {
  it('focuses on the best matching form and names the rest', () => {
    const view = modelView(analyse(SHOP), { goal: 'log in' });
    expect(view.text.split('\n')).toEqual([
      'PAGE "Acme Shop" https://acme.test/ purpose login',
      'FORM LOGIN POST',
      '  EMAIL email*',
      '  PASSWORD password* secret',
      '  REMEMBER checkbox "Remember me"',
      '  SIGN_IN submit',
      'LINKS 1 of 4',
      '  SIGN_IN_2 link',
      'OMITTED form SEARCH 2, form NEWSLETTER 2, CONTROLS 1, LINKS 3 of 4 (expand with scope=<name>)',
    ]);
  });

  it('puts the newsletter form first for "subscribe to the newsletter"', () => {
    const text = formatForModel(analyse(SHOP), { goal: 'subscribe to the newsletter' });
    expect(text.split('\n')[1]).toBe('FORM NEWSLETTER');
  });

  it('shows everything, and says so, when the goal matches nothing', () => {
    const doc = analyse(SHOP);
    const text = formatForModel(doc, { goal: 'xyzzy' });
    expect(text.split('\n')[1]).toBe('GOAL "xyzzy" matches nothing here; showing everything');
    expect(text.split('\n').slice(2)).toEqual(formatForModel(doc).split('\n').slice(1));
  });

  it('cleans the goal before echoing it', () => {
    const text = formatForModel(analyse(SHOP), { goal: 'zz\u0000\n\u202eOMITTED \ud800' });
    expectWellFormedView(text);
    expect(text).toContain('GOAL "zz OMITTED \ufffd"');
  });
});

describe('scope', () => {
  const doc = analyse(SHOP);
  it.each([
    ['LOGIN', ['EMAIL', 'PASSWORD', 'REMEMBER', 'SIGN_IN']],
    ['login', ['EMAIL', 'PASSWORD', 'REMEMBER', 'SIGN_IN']],
    ['form#login', ['EMAIL', 'PASSWORD', 'REMEMBER', 'SIGN_IN']],
    ['#login', ['EMAIL', 'PASSWORD', 'REMEMBER', 'SIGN_IN']],
    ['EMAIL', ['EMAIL']],
    ['input[name="email"]', ['EMAIL']],
    ['#menu', ['MENU']],
    ['CONTROLS', ['MENU']],
  ])('%s shows only that part', (scope, names) => {
    const view = modelView(doc, { scope });
    expect(view.matched).toBe(true);
    expect(view.shown).toEqual(names);
  });

  it('takes several parts', () => {
    expect(modelView(doc, { scope: ['SEARCH', 'MENU'] }).shown).toEqual(['SEARCH_PRODUCTS', 'SEARCH_GO', 'MENU']);
  });

  it('a radio group name shows the group', () => {
    const d = analyse('<form><label><input type="radio" name="size" value="s"> Small</label><label><input type="radio" name="size" value="l"> Large</label><input name="note"></form>');
    const group = d.elements.find((e) => e.role === 'input.radio')?.group as string;
    const view = modelView(d, { scope: group });
    expect(view.shown).toHaveLength(2);
    expect(view.text).toContain(`  ${group} radio ["s"|"l"]`);
  });

  it('says what exists when nothing matches (CSS the document does not contain cannot be resolved)', () => {
    const view = modelView(doc, { scope: 'div.sidebar' });
    expect(view.matched).toBe(false);
    expect(view.shown).toEqual([]);
    expect(view.text.split('\n')[1]).toBe('SCOPE "div.sidebar" matches nothing; scopes: SEARCH, LOGIN, NEWSLETTER, CONTROLS, LINKS (or an element name)');
  });

  it('works with a goal and a budget', () => {
    const view = modelView(doc, { scope: 'LINKS', goal: 'log in', maxTokens: 50 });
    expect(view.shown).toContain('SIGN_IN_2');
    expect(countTokens(view.text)).toBeLessThanOrEqual(50);
  });
});

describe('documents from elsewhere (JSON files, other tools)', () => {
  const hostile: WebMCPDocument = {
    version: '0.2',
    context: { title: 'Evil\ntitle\u2028FORM X', url: 'javascript:alert(1) "x"\nPAGE', purpose: 'login\nFORM' as 'login' },
    elements: [
      { name: 'A\nFORM FAKE', role: 'input.text\nX' as 'input.text', selector: '#a', label: '\ud800bad\u202e label"\n  INJECT', form: 'F' },
      { name: 'B', role: 'action.submit', selector: '#b', label: '<script>alert(1)</script>', form: 'F', url: 'https://x.test/\nFORM', required: true },
      { name: 'C', role: 'input.select', selector: '#c', validation: { options: [{ value: 'x\ny' }, null as never], min: 'a\nb', pattern: '\u0000' } },
      null as never,
      { name: 'D', role: 'action.navigate', selector: '#d', label: 'x'.repeat(5000), url: '<script>alert(1)</script>' },
    ],
    forms: [{ name: 'F\nFORM G', purpose: 'other', selector: 'form', method: 'POST', elements: ['A\nFORM FAKE', 'B'] }],
    security: {},
    metadata: { generated_at: '', optimization_level: 'basic', tokens: { encoding: 'o200k_base', html: 0, document: 0 } },
  };

  it('cannot forge lines or emit control characters, lone surrogates or markup', () => {
    for (const options of [{}, { maxTokens: 50 }, { goal: 'log in' }, { scope: 'F\nFORM G' }, { scope: 'nothing\nFORM' }, { level: 'basic' as const }]) {
      const view = modelView(hostile, options);
      expectWellFormedView(view.text);
      expect(view.text).not.toContain('<script');
      expect(view.text.split('\n').filter((l) => l.startsWith('FORM ')), JSON.stringify(options)).toHaveLength(view.matched && view.shown.some((n) => n === 'B') ? 1 : 0);
    }
  });

  it('copes with webMCP 0.2 documents that have no forms', () => {
    const { forms: _forms, ...noForms } = analyse(SHOP);
    const text = formatForModel(noForms as WebMCPDocument);
    expect(text).toContain('CONTROLS 9\n  SEARCH_PRODUCTS search');
    expect(text).not.toContain('FORM');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: random pages, random budgets.

const NASTY = ['\ud800', '\udc00x', '\n', '\r\n', '\u2028', '\u202e', '\u0000', '<b>', '"', '\\', 'OMITTED', 'PAGE ', '  FORM X', '{"a":1}', '🙂', 'é', '\u200b'];
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('Email', 'Password', 'Search', 'Sign in', 'Subscribe', 'Your message', 'Name', 'Phone', 'Newsletter', 'Log in', 'Create account', 'Forgot password?'),
  fc.array(fc.constantFrom(...NASTY, 'word', ' '), { maxLength: 6 }).map((a) => a.join('')),
);
const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const ident = fc.oneof(fc.constantFrom('email', 'password', 'q', 'name', 'phone', 'message', 'user[login]', 'zip'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }));
const field = fc.record({
  kind: fc.constantFrom('text', 'email', 'password', 'search', 'checkbox', 'radio', 'number', 'tel', 'select', 'textarea', 'submit'),
  name: ident,
  label: text,
  required: fc.boolean(),
});
const formArb = fc.record({ id: fc.option(ident, { nil: undefined }), heading: fc.option(text, { nil: undefined }), fields: fc.array(field, { maxLength: 7 }) });
const pageArb = fc.record({
  title: text,
  forms: fc.array(formArb, { maxLength: 4 }),
  links: fc.array(text, { maxLength: 25 }),
  buttons: fc.array(text, { maxLength: 6 }),
  junk: fc.option(fc.string({ unit: 'binary', maxLength: 40 }), { nil: undefined }),
});

interface FieldSpec { kind: string; name: string; label: string; required: boolean }
interface FormSpec { id?: string; heading?: string; fields: FieldSpec[] }
interface PageSpec { title: string; forms: FormSpec[]; links: string[]; buttons: string[]; junk?: string }

function fieldHtml(f: FieldSpec, i: number): string {
  const req = f.required ? ' required' : '';
  const n = escape(f.name);
  const label = escape(f.label);
  switch (f.kind) {
    case 'select':
      return `<label>${label} <select name="${n}"${req}><option value="a">A</option><option value="${label}">${label}</option></select></label>`;
    case 'textarea':
      return `<label>${label} <textarea name="${n}"${req}></textarea></label>`;
    case 'submit':
      return `<button type="submit">${label}</button>`;
    case 'radio':
      return `<label><input type="radio" name="${n}" value="v${i}"${req}> ${label}</label>`;
    default:
      return `<label>${label} <input type="${f.kind}" name="${n}"${req}></label>`;
  }
}

function pageHtml(p: PageSpec): string {
  const forms = p.forms
    .map((f) => `${f.heading !== undefined ? `<h2>${escape(f.heading)}</h2>` : ''}<form${f.id !== undefined ? ` id="${escape(f.id)}"` : ''} method="post">${f.fields.map(fieldHtml).join('')}</form>`)
    .join('');
  const links = p.links.map((l, i) => `<a href="/l${i}">${escape(l)}</a>`).join(' ');
  const buttons = p.buttons.map((b) => `<button>${escape(b)}</button>`).join('');
  return `<html><head><title>${escape(p.title)}</title></head><body><nav>${links}</nav>${forms}${buttons}${p.junk ?? ''}</body></html>`;
}

const goalArb = fc.option(fc.oneof(fc.constantFrom('log in', 'create an account', 'search the site', 'contact us', 'subscribe to the newsletter', 'reset my password', 'buy'), text), { nil: undefined });

/** The form whose required fields rank first: the goal's best form, else the first form. */
function topForm(doc: WebMCPDocument, goal: string | undefined): { name: string; essential: Set<string>; relevantLoose: Set<string> } | null {
  const terms = goal !== undefined && goal.trim() !== '' ? goalTerms(goal) : null;
  const ranked = terms ? rankForms(doc, terms) : [];
  const top = ranked[0] && ranked[0].score > 0 ? ranked[0].form : terms && ranked.length ? null : doc.forms[0];
  const byName = new Map(doc.elements.map((e) => [e.name, e]));
  const inForm = new Set(doc.forms.flatMap((f) => f.elements));
  // A goal that matches loose controls but no form ranks them above every form.
  const relevantLoose = new Set(
    terms ? doc.elements.filter((e) => !inForm.has(e.name) && relevance(terms, null, [e]) > 0).map((e) => e.name) : [],
  );
  if (!top) return null;
  // A radio group is one choice: required when any of its radios is.
  const requiredGroups = new Set(doc.elements.filter((e) => e.role === 'input.radio' && e.group && e.required).map((e) => e.group));
  const essential = new Set(
    top.elements.filter((n) => {
      const e = byName.get(n) as WebMCPElement;
      return e.required === true || e.role === 'action.submit' || (e.role === 'input.radio' && requiredGroups.has(e.group));
    }),
  );
  return { name: top.name, essential, relevantLoose };
}

describe('properties', () => {
  it('any page, any budget >= 50: within budget, well-formed, lines as specified; required fields of the top form go last', () => {
    let budgeted = 0;
    fc.assert(
      fc.property(pageArb, fc.integer({ min: 50, max: 600 }), goalArb, fc.option(fc.constantFrom('LINKS', 'CONTROLS', 'FORM', 'LOGIN', 'EMAIL', '#x'), { nil: undefined }), (page, maxTokens, goal, scope) => {
        const doc = analyse(pageHtml(page));
        const view = modelView(doc, { maxTokens, goal, scope });
        expect(countTokens(view.text)).toBeLessThanOrEqual(maxTokens);
        expect(view.tokens).toBe(countTokens(view.text));
        expectWellFormedView(view.text);
        if (view.omitted.length) {
          budgeted++;
          expect(view.text.split('\n').at(-1)).toMatch(/^OMITTED /);
        }
        if (scope !== undefined) return;
        const top = topForm(doc, goal);
        if (!top) return;
        const byName = new Map(doc.elements.map((e) => [e.name, e]));
        const shown = new Set(view.shown);
        const required = [...top.essential].filter((n) => byName.get(n)?.required);
        if (required.some((n) => !shown.has(n))) {
          // Nothing of lower priority may be kept while a required field of the top form is dropped.
          for (const n of shown) expect(top.essential.has(n) || top.relevantLoose.has(n), `${n} kept while a required field of ${top.name} was dropped`).toBe(true);
        }
      }),
      { numRuns: 250 },
    );
    expect(budgeted).toBeGreaterThan(20);
  });

  it('big forms, small budgets: a required field of the top form is never dropped while anything of lower priority is kept', () => {
    let dropped = 0;
    const bigForm = fc.record({ id: fc.constant(undefined), heading: fc.option(text, { nil: undefined }), fields: fc.array(field, { minLength: 8, maxLength: 25 }) });
    fc.assert(
      fc.property(fc.array(bigForm, { minLength: 1, maxLength: 3 }), fc.array(text, { maxLength: 10 }), fc.integer({ min: 50, max: 150 }), goalArb, (forms, links, maxTokens, goal) => {
        const doc = analyse(pageHtml({ title: 'T', forms, links, buttons: [] }));
        const view = modelView(doc, { maxTokens, goal });
        expect(countTokens(view.text)).toBeLessThanOrEqual(maxTokens);
        const top = topForm(doc, goal);
        if (!top) return;
        const byName = new Map(doc.elements.map((e) => [e.name, e]));
        const shown = new Set(view.shown);
        if ([...top.essential].some((n) => byName.get(n)?.required && !shown.has(n))) {
          dropped++;
          for (const n of shown) expect(top.essential.has(n) || top.relevantLoose.has(n), `${n} kept while a required field of ${top.name} was dropped`).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
    // The generator must reach the case the property is about.
    expect(dropped).toBeGreaterThan(10);
  });

  it('any document object, however hostile: the text is well-formed and JSON-encodable', () => {
    const str = fc.oneof(text, fc.string({ unit: 'binary', maxLength: 50 }));
    const element = fc.record(
      {
        name: str,
        role: fc.oneof(fc.constantFrom('input.text', 'input.radio', 'action.submit', 'action.navigate', 'input.select'), str),
        selector: str,
        label: str,
        form: str,
        group: str,
        url: str,
        required: fc.boolean(),
        validation: fc.record({ options: fc.array(fc.record({ value: str }), { maxLength: 3 }), pattern: str, min: str }, { requiredKeys: [] }),
      },
      { requiredKeys: ['name', 'role', 'selector'] },
    );
    fc.assert(
      fc.property(fc.array(element, { maxLength: 12 }), str, str, fc.option(fc.integer({ min: 50, max: 300 }), { nil: undefined }), (elements, title, formName, maxTokens) => {
        const doc = {
          version: '0.2',
          context: { title, url: title },
          elements,
          forms: [{ name: formName, purpose: 'other', selector: 'form', method: 'GET', elements: elements.slice(0, 3).map((e) => e.name) }],
          security: {},
          metadata: { generated_at: '', optimization_level: 'basic', tokens: { encoding: 'o200k_base', html: 0, document: 0 } },
        } as unknown as WebMCPDocument;
        const text = formatForModel(doc, { maxTokens, goal: title });
        expectWellFormedView(text);
        if (maxTokens !== undefined) expect(countTokens(text)).toBeLessThanOrEqual(maxTokens);
      }),
      { numRuns: 200 },
    );
  });
});
