import { getAttr, type ElementNode } from './dom.js';
import type { FormPurpose } from './types.js';

/** Hidden fields that carry anti-forgery tokens in common frameworks (Rails, Django, Laravel, ASP.NET, Spring, ...). */
const CSRF_FIELD =
  /^(?:_?csrf(?:_?token|middlewaretoken|_?param)?|_?xsrf(?:_?token)?|authenticity_token|__requestverificationtoken|_token|csrfmiddlewaretoken|form_key|formkey|form_token|form_build_id|anti_?forgery(?:_?token)?|__?csrf_magic|nonce|_wpnonce|[a-z0-9_-]*(?:csrf|xsrf)[a-z0-9_-]*|token)$/i;

/** The name of a form's anti-forgery field, if it has one. Only the name is ever reported, never the value. */
export function csrfField(hiddenInputs: readonly ElementNode[] | undefined): string | undefined {
  if (!hiddenInputs) return undefined;
  for (const h of hiddenInputs) {
    const name = getAttr(h, 'name');
    if (name && CSRF_FIELD.test(name.trim())) return name;
  }
  return undefined;
}

export interface FormSignals {
  /** Field roles of the form's controls. */
  roles: string[];
  /** Lower-cased words: labels, names, ids, placeholders, autocomplete tokens, button labels. */
  text: string;
  /** Form attributes: id, name, class, action, plus the heading before it. */
  attrs: string;
  passwordCount: number;
  hasEmail: boolean;
  textLikeCount: number;
}

const SCORES: Array<[FormPurpose, RegExp, number]> = [
  ['search', /\b(search|find|query|keywords?|look ?up|suche|buscar|recherche|rechercher|cerca|zoeken|poisk|sök)\b|\bq\b|\bs\b/, 3],
  ['login', /\b(log ?in|sign ?in|signin|login|logon|log on|anmelden|connexion|iniciar sesi|entrar|accedi|inloggen|current-password|remember me|stay signed|keep me)\b/, 3],
  ['signup', /\b(sign ?up|signup|register|registration|create (?:an |your )?account|join|new-password|confirm password|repeat password|retype|password again|agree to|terms)\b/, 3],
  ['password_recovery', /\b(forgot|forgotten|reset|recover|lost) (?:your )?(?:password|passwd|pwd)|password (?:reset|recovery)|reset password|recover(?:y)?\b/, 4],
  ['newsletter', /\b(newsletter|subscribe|subscription|mailing list|sign up for (?:our )?(?:emails?|updates)|updates|e-?mail updates|get (?:our )?news)\b/, 3],
  ['contact', /\b(contact|message|enquiry|inquiry|feedback|your message|subject|get in touch|send us)\b/, 2],
  ['comment', /\b(comment|reply|post comment|leave a reply|review)\b/, 2],
  ['checkout', /\b(checkout|check out|payment|pay now|place order|billing|shipping|card number|cc-number|cvv|cvc|expir|add to (?:cart|basket|bag)|quantity|qty|coupon|promo)\b/, 3],
  ['settings', /\b(settings|preferences|profile|save changes|update profile|account details)\b/, 2],
];

/**
 * What a form is for, from its own words and shape — deterministic, no model calls.
 * Shape decides the clear cases (password + confirmation = signup, one password = login,
 * one search box = search); words decide the rest.
 */
export function detectPurpose(s: FormSignals): FormPurpose {
  const all = `${s.text} ${s.attrs}`;
  const score = new Map<FormPurpose, number>();
  for (const [purpose, re, weight] of SCORES) {
    const m = all.match(new RegExp(re.source, 'g'));
    if (m) score.set(purpose, (score.get(purpose) ?? 0) + weight * Math.min(m.length, 3));
  }
  const add = (p: FormPurpose, n: number): void => {
    score.set(p, (score.get(p) ?? 0) + n);
  };
  if (s.passwordCount >= 2) add('signup', 8);
  else if (s.passwordCount === 1) {
    add('login', 6);
    if (s.textLikeCount >= 4) add('signup', 5);
  }
  if (s.roles.includes('input.search')) add('search', 6);
  if (s.textLikeCount === 1 && s.passwordCount === 0) {
    if (s.hasEmail) add('newsletter', 3);
    else add('search', 2);
  }
  if (s.hasEmail && s.passwordCount === 0 && s.roles.includes('input.textarea')) add('contact', 4);
  if (s.passwordCount === 0) score.set('login', (score.get('login') ?? 0) - 4);
  if (s.passwordCount > 0) score.set('search', (score.get('search') ?? 0) - 6);
  if (s.passwordCount === 0 && s.hasEmail && s.textLikeCount <= 2 && /recover|reset|forgot/.test(all)) add('password_recovery', 6);

  let best: FormPurpose = 'other';
  let bestScore = 2;
  for (const [p, v] of score) {
    if (v > bestScore) {
      best = p;
      bestScore = v;
    }
  }
  return best;
}

const PURPOSE_NAMES: Record<FormPurpose, string> = {
  login: 'LOGIN',
  signup: 'SIGNUP',
  search: 'SEARCH',
  contact: 'CONTACT',
  checkout: 'CHECKOUT',
  newsletter: 'NEWSLETTER',
  password_recovery: 'PASSWORD_RECOVERY',
  comment: 'COMMENT',
  settings: 'SETTINGS',
  other: 'FORM',
};

export function purposeName(p: FormPurpose): string {
  return PURPOSE_NAMES[p];
}
