import { getAttr, linkHref, type ElementNode } from './dom.js';
import type { WebMCPRole } from './types.js';
import { inputType } from './visibility.js';
import type { Candidate } from './walk.js';

const INPUT_ROLES: Record<string, WebMCPRole> = {
  text: 'input.text',
  email: 'input.email',
  password: 'input.password',
  number: 'input.number',
  tel: 'input.tel',
  url: 'input.url',
  search: 'input.search',
  date: 'input.date',
  'datetime-local': 'input.date',
  month: 'input.date',
  week: 'input.date',
  time: 'input.date',
  checkbox: 'input.checkbox',
  radio: 'input.radio',
  file: 'input.file',
  range: 'input.range',
  color: 'input.color',
  hidden: 'input.hidden',
  submit: 'action.submit',
  image: 'action.submit',
};

const ARIA_ROLES: Record<string, WebMCPRole> = {
  checkbox: 'input.checkbox',
  switch: 'input.checkbox',
  menuitemcheckbox: 'input.checkbox',
  radio: 'input.radio',
  menuitemradio: 'input.radio',
  option: 'input.radio',
  combobox: 'input.select',
  listbox: 'input.select',
  slider: 'input.range',
  scrollbar: 'input.range',
  spinbutton: 'input.number',
  searchbox: 'input.search',
  textbox: 'input.text',
  link: 'action.navigate',
  tab: 'navigation.tab',
  menuitem: 'navigation.menuitem',
  treeitem: 'navigation.treeitem',
  gridcell: 'display.cell',
  row: 'display.row',
};

const DELETE_WORDS = /\b(delete|remove|discard|trash|erase|unsubscribe|cancel (?:order|subscription|account)|close account)\b/i;
const EDIT_WORDS = /\b(edit|rename|modify|update|change)\b/i;

/** The button-like action a label suggests, for buttons that don't submit. */
function actionFromLabel(label: string, el: ElementNode): WebMCPRole {
  if (DELETE_WORDS.test(label)) return 'action.delete';
  if (getAttr(el, 'aria-pressed') !== undefined || getAttr(el, 'aria-checked') !== undefined) return 'action.toggle';
  if (getAttr(el, 'aria-expanded') !== undefined || getAttr(el, 'aria-haspopup') !== undefined) return 'action.open';
  if (EDIT_WORDS.test(label)) return 'action.edit';
  return 'action.open';
}

const PASSWORD_AUTOCOMPLETE = /(?:^|\s)(?:current|new)-password(?:\s|$)/;
/** Field keys (name or id, last bracket part, separators dropped) that only a password field has. */
const PASSWORD_KEY =
  /^(?:txt|tb|tbx|input|inp|fld)?(?:user|login|account|customer|member|new|old|current|confirm|re|repeat|retype|verify)?(?:password|passwd|passwort|pwd|pass|pword|pw|kennwort|senha|contrasena|contrasenya|motdepasse|mdp|wachtwoord|haslo|parola|parol|salasana|losenord|adgangskode|jelszo|sifre|heslo)(?:\d|confirm|confirmation|again|repeat|verify|check|new)?$/;

/**
 * A text input that takes a password all the same: older sites show a "Password" value in a text
 * field and switch its type in script on focus, and the password manager's autocomplete token
 * says what the field is whatever its type. Name and id only, never the label ("password hint").
 */
function takesPassword(el: ElementNode): boolean {
  const auto = getAttr(el, 'autocomplete');
  if (auto && PASSWORD_AUTOCOMPLETE.test(auto.toLowerCase())) return true;
  for (const attr of ['name', 'id']) {
    const v = getAttr(el, attr);
    if (!v || v.length > 100) continue;
    const parts = v.toLowerCase().split(/[[\].:]+/).filter(Boolean);
    const key = (parts[parts.length - 1] ?? '').replace(/[^a-z0-9]/g, '');
    if (PASSWORD_KEY.test(key)) return true;
  }
  return false;
}

/** Whether a `<button>` or `<input type=submit|image>` submits its form. */
export function submitsForm(c: Candidate): boolean {
  if (!c.form) return false;
  const el = c.el;
  if (el.tag === 'button') {
    const t = (getAttr(el, 'type') ?? 'submit').trim().toLowerCase();
    return t === 'submit' || (t !== 'button' && t !== 'reset');
  }
  if (el.tag === 'input') {
    const t = inputType(el);
    return t === 'submit' || t === 'image';
  }
  return false;
}

export function roleOf(c: Candidate, label: string): WebMCPRole {
  const el = c.el;
  // An explicit ARIA role says what script made of the element.
  if (c.ariaRole && ARIA_ROLES[c.ariaRole] && !(el.tag === 'input' || el.tag === 'select' || el.tag === 'textarea')) {
    const r = ARIA_ROLES[c.ariaRole];
    if (r === 'input.text' && getAttr(el, 'aria-multiline') === 'true') return 'input.textarea';
    return r;
  }
  switch (el.tag) {
    case 'input': {
      const t = inputType(el);
      if (t === 'reset') return 'action.edit';
      if (t === 'button') return actionFromLabel(label, el);
      if ((t === 'submit' || t === 'image') && !c.form) return actionFromLabel(label, el);
      const role = INPUT_ROLES[t] ?? 'input.text';
      return role === 'input.text' && takesPassword(el) ? 'input.password' : role;
    }
    case 'textarea':
      return 'input.textarea';
    case 'select':
      return 'input.select';
    case 'button': {
      if (submitsForm(c)) return DELETE_WORDS.test(label) ? 'action.delete' : 'action.submit';
      if ((getAttr(el, 'type') ?? '').trim().toLowerCase() === 'reset') return 'action.edit';
      return actionFromLabel(label, el);
    }
    case 'a':
    case 'area': {
      const href = (linkHref(el) ?? '').trim();
      if (href === '' || href === '#' || /^javascript:/i.test(href) || c.ariaRole === 'button') return actionFromLabel(label, el);
      if (c.inNavigation) return 'navigation.link';
      return 'action.navigate';
    }
    case 'summary':
      return 'action.toggle';
  }
  if (getAttr(el, 'contenteditable') !== undefined) return 'input.textarea';
  if (c.ariaRole === 'button') return actionFromLabel(label, el);
  return 'action.open';
}

/** Roles whose elements take a value from the agent. */
export function isInputRole(role: string): boolean {
  return role.startsWith('input.');
}

export function isActionRole(role: string): boolean {
  return role.startsWith('action.');
}
