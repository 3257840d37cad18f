import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WebMCPProcessor } from '../../src/core/processor.js';
import { formatForModel } from '../../src/core/format.js';
import type { WebMCPDocument } from '../../src/core/types.js';
import { expectSoundDocument } from './helpers.js';

const read = (name: string): string => readFileSync(new URL(`../fixtures/pages/${name}.html`, import.meta.url), 'utf8');
const analyse = (name: string): Promise<WebMCPDocument> => new WebMCPProcessor().process(read(name), { url: `https://shop.example/${name}` });
const rows = (doc: WebMCPDocument): unknown[] => doc.elements.map((e) => [e.name, e.role, e.label ?? null, e.form ?? null]);
const byName = (doc: WebMCPDocument, name: string) => {
  const e = doc.elements.find((x) => x.name === name);
  if (!e) throw new Error(`no element ${name}`);
  return e;
};

/** Exact element sets: name, role, label, form — every element, in document order. */
const EXPECTED: Record<string, unknown[]> = {
  login: [
    ["ACME", "navigation.link", "Acme", null],
    ["PRICING", "navigation.link", "Pricing", null],
    ["SIGN_IN_2", "navigation.link", "Sign in", null],
    ["EMAIL", "input.email", "Email address", "LOGIN"],
    ["PASSWORD", "input.password", "Password", "LOGIN"],
    ["REMEMBER", "input.checkbox", "Remember me", "LOGIN"],
    ["SIGN_IN", "action.submit", "Sign in", "LOGIN"],
    ["FORGOT_YOUR_PASSWORD", "action.navigate", "Forgot your password?", "LOGIN"],
  ],
  signup: [
    ["FIRST_NAME", "input.text", "First name", "SIGNUP"],
    ["LAST_NAME", "input.text", "Last name", "SIGNUP"],
    ["EMAIL", "input.email", "Email", "SIGNUP"],
    ["PHONE", "input.tel", "Phone", "SIGNUP"],
    ["ZIP", "input.text", "ZIP", "SIGNUP"],
    ["COUNTRY", "input.select", "Country", "SIGNUP"],
    ["PLAN_FREE", "input.radio", "Free", "SIGNUP"],
    ["PLAN_PRO", "input.radio", "Pro", "SIGNUP"],
    ["PASSWORD1", "input.password", "Password", "SIGNUP"],
    ["PASSWORD2", "input.password", "Confirm password", "SIGNUP"],
    ["TERMS", "input.checkbox", "I agree to the terms", "SIGNUP"],
    ["TERMS_2", "action.navigate", "terms", "SIGNUP"],
    ["CREATE_ACCOUNT", "action.submit", "Create account", "SIGNUP"],
  ],
  checkout: [
    ["CC_NAME", "input.text", "Name on card", "CHECKOUT"],
    ["CARDNUMBER", "input.text", "Card number", "CHECKOUT"],
    ["EXP", "input.text", "MM/YY", "CHECKOUT"],
    ["CVC", "input.text", "CVC", "CHECKOUT"],
    ["SSN", "input.text", "Social security number", "CHECKOUT"],
    ["QTY", "input.number", "Quantity", "CHECKOUT"],
    ["SHIP_STD", "input.radio", "Standard", "CHECKOUT"],
    ["SHIP_EXP", "input.radio", "Express", "CHECKOUT"],
    ["NOTES", "input.textarea", "Notes", "CHECKOUT"],
    ["PAY_NOW", "action.submit", "Pay now", "CHECKOUT"],
    ["BACK", "action.open", "Back", "CHECKOUT"],
  ],
  search: [
    ["SEARCH_PRODUCTS", "input.search", "Search products", "SEARCH"],
    ["SORT", "input.select", "Sort by", "SEARCH"],
    ["SEARCH_SUBMIT", "action.submit", "Search", "SEARCH"],
    ["BLUE_RUNNING_SHOES", "action.navigate", "Blue running shoes", null],
    ["ADD_TO_CART", "action.open", "Add to cart", null],
    ["RED_SNEAKERS", "action.navigate", "Red sneakers", null],
    ["ADD_TO_CART_2", "action.open", "Add to cart", null],
    ["GREEN_BOOTS", "action.navigate", "Green boots", null],
    ["ADD_TO_CART_3", "action.open", "Add to cart", null],
    ["LINK_1", "navigation.link", "1", null],
    ["LINK_2", "navigation.link", "2", null],
    ["NEXT", "navigation.link", "Next", null],
  ],
  settings: [
    ["DISPLAY_NAME", "input.text", "Display name", "SETTINGS"],
    ["BIO", "input.textarea", "Bio", "SETTINGS"],
    ["AVATAR", "input.file", "Avatar", "SETTINGS"],
    ["ACCENT", "input.color", "Accent colour", "SETTINGS"],
    ["DOB", "input.date", "Birthday", "SETTINGS"],
    ["EMAIL_NOTIFICATIONS", "input.checkbox", "Email notifications", "SETTINGS"],
    ["API_KEY", "input.text", "API key", "SETTINGS"],
    ["DELETE_ACCOUNT", "action.delete", "Delete account", "SETTINGS"],
    ["SAVE_CHANGES", "action.submit", "Save changes", "SETTINGS"],
    ["RESET", "action.edit", "Reset", "SETTINGS"],
  ],
  widgets: [
    ["OVERVIEW", "navigation.tab", "Overview", null],
    ["DETAILS", "navigation.tab", "Details", null],
    ["FILE", "navigation.menuitem", "File", null],
    ["EDIT", "navigation.menuitem", "Edit", null],
    ["VOLUME", "input.range", "Volume", null],
    ["APPLE", "input.radio", "Apple", null],
    ["BANANA", "input.radio", "Banana", null],
    ["FAVOURITE_COLOUR", "input.select", "Favourite colour", null],
    ["SRC", "navigation.treeitem", "src", null],
    ["INDEX_TS", "navigation.treeitem", "index.ts", null],
    ["A1", "display.cell", "A1", null],
    ["MESSAGE", "input.textarea", "Message", null],
    ["ALL_TOPPINGS", "input.checkbox", "All toppings", null],
    ["MORE_OPTIONS", "action.toggle", "More options", null],
    ["NICK", "input.text", "Nickname", null],
    ["TRANSPARENT_BUT_THERE", "action.open", "Transparent but there", null],
  ],
};

describe('real-world-shaped pages', () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: exact elements, and every selector matches exactly its element`, async () => {
      const doc = await analyse(name);
      expect(rows(doc)).toEqual(expected);
      expectSoundDocument(read(name), doc);
    });
  }

  it('login: purpose, CSRF field by name only, sensitive fields, submit action', async () => {
    const doc = await analyse('login');
    expect(doc.context).toMatchObject({ title: 'Sign in · Acme', purpose: 'login', language: 'en' });
    expect(doc.forms).toEqual([expect.objectContaining({ name: 'LOGIN', purpose: 'login', method: 'POST', url: 'https://shop.example/session', selector: 'form#login' })]);
    expect(doc.security.csrf).toEqual({ header_name: 'X-CSRF-Token', token_field: 'authenticity_token' });
    expect(byName(doc, 'PASSWORD')).toMatchObject({ role: 'input.password', required: true, security: { encryption: 'required' }, validation: { minLength: 8 } });
    expect(byName(doc, 'EMAIL')).toMatchObject({ required: true, security: { encryption: 'optional' }, validation: { format: 'email', maxLength: 254 } });
    expect(byName(doc, 'SIGN_IN')).toMatchObject({ role: 'action.submit', method: 'POST', url: 'https://shop.example/session', security: { csrf_token: true } });
    const json = JSON.stringify(doc);
    for (const secret of ['SECRET-CSRF-VALUE-123', 'meta-secret-token-value', 'ghost', 'secret-admin']) expect(json).not.toContain(secret);
  });

  it('signup: radio group with options, select options, two passwords, required checkbox', async () => {
    const doc = await analyse('signup');
    expect(doc.forms[0]).toMatchObject({ name: 'SIGNUP', purpose: 'signup', url: 'https://shop.example/register' });
    expect(byName(doc, 'PLAN_FREE')).toMatchObject({ group: 'PLAN', value: 'free', checked: true, validation: { options: [{ value: 'free', label: 'Free' }, { value: 'pro', label: 'Pro' }] } });
    expect(byName(doc, 'COUNTRY').validation?.options?.map((o) => o.value)).toEqual(['', 'fr', 'de', 'us']);
    // Browsers compile `pattern` with the v flag: an unescaped `-` in a class makes it invalid and ignored.
    expect(byName(doc, 'PHONE').validation).toEqual({ pattern: '[0-9 +\\-]{6,20}' });
    expect(byName(doc, 'ZIP').validation).toBeUndefined();
    expect(byName(doc, 'PASSWORD2').security).toEqual({ encryption: 'required' });
    expect(byName(doc, 'TERMS')).toMatchObject({ role: 'input.checkbox', required: true, value: 'on' });
  });

  it('checkout: card number, CVC, expiry and SSN need encryption; their values never appear', async () => {
    const doc = await analyse('checkout');
    for (const n of ['CARDNUMBER', 'CVC', 'EXP', 'SSN']) expect(byName(doc, n).security).toEqual({ encryption: 'required' });
    expect(byName(doc, 'CC_NAME').security).toBeUndefined();
    expect(byName(doc, 'QTY')).toMatchObject({ role: 'input.number', validation: { min: 1, max: 10, step: 1 } });
    expect(byName(doc, 'PAY_NOW')).toMatchObject({ value: 'pay', method: 'POST', url: 'https://shop.example/orders' });
    expect(byName(doc, 'BACK').role).toBe('action.open');
    expect(doc.security.csrf?.token_field).toBe('_token');
    expect(JSON.stringify(doc)).not.toContain('laravel-secret');
  });

  it('search: GET form, search role, repeated buttons get distinct names and selectors', async () => {
    const doc = await analyse('search');
    expect(doc.forms[0]).toMatchObject({ name: 'SEARCH', purpose: 'search', method: 'GET' });
    expect(doc.elements.filter((e) => e.label === 'Add to cart').map((e) => e.selector)).toEqual([
      'button[data-testid="add-1"]',
      'button[data-testid="add-2"]',
      'ul > li:nth-child(3) > button:nth-child(2)',
    ]);
    expect(byName(doc, 'NEXT')).toMatchObject({ role: 'navigation.link', url: 'https://shop.example/search?page=2' });
  });

  it('settings: disabled fieldset, readonly, file/colour/date controls, destructive submit', async () => {
    const doc = await analyse('settings');
    expect(byName(doc, 'API_KEY')).toMatchObject({ disabled: true, readonly: true, security: { encryption: 'required' } });
    expect(byName(doc, 'DELETE_ACCOUNT')).toMatchObject({ role: 'action.delete', disabled: true });
    expect(byName(doc, 'AVATAR').validation).toEqual({ accept: 'image/*' });
    expect(byName(doc, 'DOB').validation).toEqual({ min: '1900-01-01', format: 'date' });
    expect(byName(doc, 'EMAIL_NOTIFICATIONS')).toMatchObject({ role: 'input.checkbox', checked: true });
  });

  it('widgets: ARIA roles in, hidden/template/aria-hidden/contenteditable=false out', async () => {
    const doc = await analyse('widgets');
    const labels = doc.elements.map((e) => e.label);
    for (const gone of ['Hidden in panel', 'Invisible link', 'Template button', 'Invisible button', 'not editable', 'A2']) expect(labels).not.toContain(gone);
    expect(byName(doc, 'FAVOURITE_COLOUR').label).toBe('Favourite colour');
  });
});

describe('a large article page', () => {
  const N = 1500;
  const html = [
    '<!doctype html><html><head><title>News</title></head><body>',
    '<nav><ul>' + Array.from({ length: 40 }, (_, i) => `<li><a href="/section/${i % 20}">Section ${i % 20}</a><ul class="sub" style="display:none"><li><a href="/s/${i}">Hidden ${i}</a></li></ul></li>`).join('') + '</ul></nav>',
    '<article>' + Array.from({ length: N }, (_, i) => `<p>Paragraph ${i} with <a href="/story/${i % 700}">a story link</a> and <a href="#">read more</a>.</p>`).join('') + '</article>',
    '<footer>' + Array.from({ length: 30 }, (_, i) => `<a href="/legal/${i}">Legal ${i}</a>`).join(' ') + '</footer>',
    '</body></html>',
  ].join('');

  it('keeps every visible link, each with a unique name and a selector matching only it', async () => {
    const doc = await new WebMCPProcessor().process(html, { url: 'https://news.example/today' });
    expect(doc.elements).toHaveLength(40 + 2 * N + 30);
    expect(doc.elements.some((e) => e.label?.startsWith('Hidden'))).toBe(false);
    expect(new Set(doc.elements.map((e) => e.name)).size).toBe(doc.elements.length);
    // css-select costs O(page) per selector: check every 30th element (all kinds occur with that stride).
    expectSoundDocument(html, { ...doc, elements: doc.elements.filter((_, i) => i % 30 === 0) });
  });

  it('shows a model view far smaller than the page', async () => {
    const doc = await new WebMCPProcessor().process(html, { url: 'https://news.example/today' });
    const text = formatForModel(doc);
    expect(text.length).toBeLessThan(html.length / 50);
    expect(text).toContain('LINKS');
    expect(text.split('\n').length).toBeLessThan(80);
  });
});
