import { getAttr, textContent, type ElementNode } from './dom.js';
import { cleanText } from './text.js';
import type { ElementOption, ElementSecurity, ElementValidation } from './types.js';
import { inputType } from './visibility.js';

const MAX_OPTIONS = 200;

const FORMATS: Record<string, string> = {
  email: 'email',
  url: 'uri',
  date: 'date',
  'datetime-local': 'date-time',
  time: 'time',
  month: 'month',
  week: 'week',
  color: 'color',
};

function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) && v.trim() !== '' ? n : undefined;
}

function nonNegInt(v: string | undefined): number | undefined {
  const n = num(v);
  return n !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Options of a `<select>`, in order, with optgroup labels folded into the option label. */
export function selectOptions(select: ElementNode): ElementOption[] {
  const out: ElementOption[] = [];
  const visit = (parent: ElementNode, group: string): void => {
    for (const c of parent.children) {
      if (c.kind !== 1 || out.length >= MAX_OPTIONS) continue;
      if (c.tag === 'option') {
        const label = cleanText(getAttr(c, 'label') ?? textContent(c, 300), 120);
        const value = getAttr(c, 'value') ?? label;
        const opt: ElementOption = { value: cleanText(value, 200) || value.slice(0, 200) };
        const shown = group ? `${group}: ${label}` : label;
        if (shown && shown !== opt.value) opt.label = shown;
        if (getAttr(c, 'selected') !== undefined) opt.selected = true;
        out.push(opt);
      } else if (c.tag === 'optgroup') visit(c, cleanText(getAttr(c, 'label'), 60));
      else visit(c, group);
    }
  };
  visit(select, '');
  return out;
}

/** Constraints the page states for a control (HTML constraint validation attributes). */
export function validationOf(el: ElementNode): ElementValidation | undefined {
  const v: ElementValidation = {};
  const tag = el.tag;
  const type = tag === 'input' ? inputType(el) : '';
  const pattern = getAttr(el, 'pattern');
  if (pattern !== undefined && pattern !== '' && pattern.length <= 500 && isValidPattern(pattern)) v.pattern = pattern;
  const minLength = nonNegInt(getAttr(el, 'minlength'));
  if (minLength !== undefined) v.minLength = minLength;
  const maxLength = nonNegInt(getAttr(el, 'maxlength'));
  if (maxLength !== undefined && maxLength < 1_000_000) v.maxLength = maxLength;
  for (const key of ['min', 'max', 'step'] as const) {
    const raw = getAttr(el, key);
    if (raw === undefined || raw.trim() === '') continue;
    const n = num(raw);
    if (n !== undefined) v[key] = n;
    else if (key === 'step' && raw.trim().toLowerCase() === 'any') v.step = 'any';
    else if (type.startsWith('date') || type === 'month' || type === 'week' || type === 'time') v[key] = cleanText(raw, 40);
  }
  if (FORMATS[type]) v.format = FORMATS[type];
  if (getAttr(el, 'multiple') !== undefined) v.multiple = true;
  const accept = getAttr(el, 'accept');
  if (type === 'file' && accept) v.accept = cleanText(accept, 200);
  const autocomplete = getAttr(el, 'autocomplete');
  if (autocomplete && autocomplete.trim() && !/^(on|off)$/i.test(autocomplete.trim())) v.autocomplete = cleanText(autocomplete.toLowerCase(), 80);
  if (tag === 'select') {
    const options = selectOptions(el);
    if (options.length) v.options = options;
  }
  return Object.keys(v).length ? v : undefined;
}

/** An HTML `pattern` is compiled with the `v` flag by browsers; one that doesn't compile is ignored by them too. */
function isValidPattern(pattern: string): boolean {
  try {
    new RegExp(`^(?:${pattern})$`, 'v');
    return true;
  } catch (err) {
    // Node 20 supports `v`; a SyntaxError means the browser would ignore the pattern as well.
    if (err instanceof SyntaxError) return false;
    throw err;
  }
}

const SECRET_AUTOCOMPLETE = /\b(current-password|new-password|one-time-code|cc-number|cc-csc|cc-exp(?:-month|-year)?)\b/;
const SECRET_WORDS =
  /(pass(?:word|wd|code|phrase)?\b|pwd|passwort|mot.?de.?passe|contrase|senha|parol|secret|api.?key|access.?key|private.?key|token\b|\bpin\b|\bpin.?(?:code|number)|otp\b|one.?time|2fa|mfa|totp|card.?(?:num|no\b|number)|cc.?(?:num|number)\b|credit.?card|\bcvv|\bcvc|\bcsc\b|security.?code|card.?code|\bssn\b|social.?security|national.?id|tax.?id|\btin\b|\biban\b|account.?(?:num|no\b|number)|routing.?(?:num|number)|sort.?code)/i;
const NOT_SECRET = /(forgot|reset|recover|lost|remember|show|hint|confirm.?email|username|user.?name|e-?mail)/i;

/**
 * Passwords, payment card data, SSNs and other secrets: their values must travel encrypted
 * and never appear in a document. Emails are personal data: encryption optional.
 */
export function securityOf(el: ElementNode, label: string, role: string): ElementSecurity | undefined {
  if (!role.startsWith('input.') || role === 'input.checkbox' || role === 'input.radio' || role === 'input.select' || role === 'input.file' || role === 'input.range' || role === 'input.color' || role === 'input.date') {
    return undefined;
  }
  if (role === 'input.password') return { encryption: 'required' };
  const auto = (getAttr(el, 'autocomplete') ?? '').toLowerCase();
  if (SECRET_AUTOCOMPLETE.test(auto)) return { encryption: 'required' };
  const hints = [getAttr(el, 'name'), getAttr(el, 'id'), label, getAttr(el, 'placeholder')].filter(Boolean).join(' ');
  const inputmode = getAttr(el, 'inputmode');
  if (SECRET_WORDS.test(hints) && !NOT_SECRET.test(hints)) return { encryption: 'required' };
  if (role === 'input.email' || /\be-?mail\b/i.test(hints) || auto.includes('email')) return { encryption: 'optional' };
  if (inputmode === 'numeric' && /\b(card|cvv|cvc)\b/i.test(hints)) return { encryption: 'required' };
  return undefined;
}

/** Whether a value must never be copied into a document. */
export function isSensitive(security: ElementSecurity | undefined): boolean {
  return security?.encryption === 'required';
}
