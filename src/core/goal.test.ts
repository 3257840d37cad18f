import { describe, expect, it } from 'vitest';
import { goalTerms, rankForms, relevance } from './goal.js';
import { WebMCPProcessor } from './processor.js';
import type { WebMCPDocument, WebMCPElement } from './types.js';

const analyse = (html: string): WebMCPDocument => new WebMCPProcessor({ cache: false }).processSync(html, { url: 'https://site.test/' });

describe('goalTerms', () => {
  it.each([
    ['log in', ['login']],
    ['Sign in to my account', ['login']],
    ['create an account', ['signup']],
    ['register', ['signup']],
    ['sign up for the newsletter', ['newsletter']],
    ['subscribe to the newsletter', ['newsletter']],
    ['reset my password', ['password_recovery']],
    ['I forgot my login', ['password_recovery']],
    ['search the site', ['search']],
    ['find blue shoes', ['search']],
    ['contact us', ['contact']],
    ['leave a comment', ['comment']],
    ['add to cart', ['checkout']],
    ['hello', []],
  ])('%s -> %j', (goal, purposes) => {
    expect([...goalTerms(goal).purposes]).toEqual(purposes);
  });

  it('keeps content words, lightly stemmed, without stop words', () => {
    expect(goalTerms('Search for blue shoes on the site').words.size).toBe(3);
    const same = (a: string, b: string): void => expect([...goalTerms(a).words]).toEqual([...goalTerms(b).words]);
    same('blue shoes', 'blue shoe');
    same('subscribing', 'subscribe');
    same('subscribed', 'subscribes');
    same('categories', 'category');
    same('boxes', 'box');
    same('messages', 'message');
    expect([...goalTerms('address').words]).toEqual(['address']);
  });

  it('cleans what it is given', () => {
    const t = goalTerms('log\u0000 in\n\ud800' + 'x'.repeat(500));
    expect(t.text.isWellFormed()).toBe(true);
    expect(t.text.length).toBeLessThanOrEqual(200);
    expect(t.text).not.toMatch(/[\u0000\n]/);
    expect(t.purposes.has('login')).toBe(true);
  });
});

const PAGE = `<title>Shop</title>
<form id="top-search" action="/s"><input type="search" name="q" aria-label="Search"><button>Go</button></form>
<form id="signin" method="post"><label>Email <input type="email" name="email"></label><label>Password <input type="password" name="pw"></label><button>Sign in</button></form>
<form id="join" method="post"><label>Email <input type="email" name="e"></label><label>Password <input type="password" name="p1"></label><label>Repeat password <input type="password" name="p2"></label><button>Create account</button></form>
<form id="news"><label>Email for our newsletter <input type="email" name="n"></label><button>Subscribe</button></form>
<form id="contact" method="post"><label>Email <input type="email" name="c_email"></label><label>Message <textarea name="msg"></textarea></label><button>Send</button></form>`;

describe('rankForms', () => {
  const doc = analyse(PAGE);
  it.each([
    ['log in', 'LOGIN'],
    ['create an account', 'SIGNUP'],
    ['subscribe to the newsletter', 'NEWSLETTER'],
    ['search for shoes', 'SEARCH'],
    ['contact us', 'CONTACT'],
    ['send a message to the shop', 'CONTACT'],
  ])('%s -> %s', (goal, name) => {
    const [best, second] = rankForms(doc, goal);
    expect(best.form.name).toBe(name);
    expect(best.score).toBeGreaterThan(second.score);
  });

  it('scores 0 for every form when nothing matches, and keeps document order', () => {
    const ranked = rankForms(doc, 'xyzzy');
    expect(ranked.map((r) => r.score)).toEqual([0, 0, 0, 0, 0]);
    expect(ranked.map((r) => r.form.name)).toEqual(doc.forms.map((f) => f.name));
  });

  it('prefers, among forms of one purpose, the one whose fields suit the goal', () => {
    // Both forms say "register"; only one can create an account.
    const d = analyse(`<form id="register" action="/register"><select name="lang"><option>en</option></select><button>Register</button></form>
      <form action="/register" method="post"><input name="user"><input type="password" name="p1"><input type="password" name="p2"><button>Register</button></form>`);
    const [best] = rankForms(d, 'create an account');
    expect(best.form.elements).toContain('P1');
  });

  it('ranks by words when purposes say nothing', () => {
    const d = analyse('<form><input name="flight_from" aria-label="Flight from"><button>Go</button></form><form><input name="hotel_city" aria-label="Hotel city"><button>Go</button></form>');
    expect(rankForms(d, 'book a hotel')[0].form.elements).toContain('HOTEL_CITY');
  });

  it('accepts prepared goal terms', () => {
    expect(rankForms(doc, goalTerms('log in'))[0].form.name).toBe('LOGIN');
  });
});

describe('relevance of lone elements', () => {
  const link = (label: string): WebMCPElement => ({ name: 'X', role: 'action.navigate', selector: '#x', label });
  it('a link whose caption names the goal counts', () => {
    expect(relevance(goalTerms('log in'), null, [link('Sign in')])).toBeGreaterThan(0);
    expect(relevance(goalTerms('reset my password'), null, [link('Forgot your password?')])).toBeGreaterThan(0);
    expect(relevance(goalTerms('log in'), null, [link('About us')])).toBe(0);
  });
});
