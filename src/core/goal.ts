import { cleanText } from './text.js';
import type { FormPurpose, WebMCPDocument, WebMCPElement, WebMCPForm } from './types.js';

/**
 * Deterministic goal relevance: the goal's words against the page's own words (labels, names,
 * fields, form purpose). No model calls; the same inputs always rank the same way.
 */
export interface GoalTerms {
  /** The goal as given, cleaned (one line, well-formed, at most 200 characters). */
  text: string;
  /** Content words of the goal, lower-cased and lightly stemmed. */
  words: Set<string>;
  /** Form purposes the goal asks for. */
  purposes: Set<FormPurpose>;
}

/** What people write when they mean a form purpose (goal text and element captions alike). */
const PURPOSE_PHRASES: ReadonlyArray<readonly [FormPurpose, RegExp]> = [
  ['login', /\b(log ?in|log ?on|sign ?in|logon|authenticate|access (?:my|the|your) account)\b/],
  ['signup', /\b(sign ?up|register|registration|create (?:an? |my |your |new )?account|new account|join|open an account|enrol|enroll|become a member)\b/],
  ['search', /\b(search|find|look ?(?:up|for)|query|browse for)\b/],
  ['newsletter', /\b(newsletters?|subscribe|mailing list|updates by e-?mail|e-?mail updates)\b/],
  ['contact', /\b(contact|send (?:a |an |us )?(?:message|note|e-?mail)|get in touch|enquir|inquir|write to|feedback|ask a question)\b/],
  ['comment', /\b(comment|reply|review)\b/],
  ['checkout', /\b(check ?out|buy|purchase|pay|order|add to (?:cart|basket|bag)|place (?:an )?order|cart|basket)\b/],
  ['password_recovery', /\b(forgot|forgotten|reset|recover|lost|change)\b.*\b(password|passwd|pwd|login)\b|\bpassword (?:reset|recovery)\b/],
  ['settings', /\b(settings|preferences|update (?:my )?profile|change (?:my )?(?:e-?mail|settings))\b/],
];

/**
 * Purposes close enough that a form of one is the next best thing for a goal of the other:
 * "contact us" on a page whose only message form takes comments, "reset my password" where the
 * login form carries the reset link.
 */
const RELATED: Partial<Record<FormPurpose, readonly FormPurpose[]>> = {
  contact: ['comment'],
  comment: ['contact'],
  password_recovery: ['login'],
  newsletter: ['signup'],
  signup: ['newsletter'],
  settings: ['signup'],
};

const STOP = new Set([
  'the', 'a', 'an', 'to', 'for', 'of', 'on', 'in', 'my', 'me', 'i', 'and', 'or', 'with', 'this', 'that', 'site',
  'page', 'please', 'into', 'from', 'by', 'at', 'some', 'your', 'our', 'us', 'we', 'it', 'is', 'be', 'want', 'would',
  'like', 'can', 'how', 'do', 'here', 'up', 'out', 'new', 'web', 'website',
]);

/** Weights of the ranking, in one place so the benchmark and the docs speak of the same numbers. */
export const RELEVANCE_WEIGHTS = Object.freeze({
  purpose: 10,
  relatedPurpose: 4,
  formWord: 2,
  elementWord: 1.5,
  elementWordsCap: 4,
  elementPurpose: 3,
  /** Most a form's fields can add or take for fitting (or not) the goal's purpose. */
  shape: 4,
});

/**
 * Parses a free-text goal ("log in", "search for blue shoes") into words and form purposes.
 * Any string is accepted; it is cleaned first, so hostile input cannot reach the output raw.
 */
export function goalTerms(goal: string): GoalTerms {
  const text = cleanText(String(goal), 200);
  const lower = text.toLowerCase();
  const purposes = new Set<FormPurpose>();
  for (const [p, re] of PURPOSE_PHRASES) if (re.test(lower)) purposes.add(p);
  // "reset my password" is recovery, not login, even though it mentions logging in.
  if (purposes.has('password_recovery')) purposes.delete('login');
  // "sign up for the newsletter" is a subscription, not an account.
  if (purposes.has('newsletter')) purposes.delete('signup');
  const words = new Set(
    lower
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 1 && !STOP.has(w))
      .map(stem),
  );
  return { text, words, purposes };
}

/** A light stemmer so "shoes"/"shoe", "subscribing"/"subscribe", "categories"/"category" meet. */
function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = w.slice(0, -3) + 'y';
  else if (/(?:ss|x|ch|sh|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1)
    .map(stem);
}

/** Purposes a piece of page text (a caption, a link) speaks of: "Sign in", "Forgot your password?". */
function purposesOfText(text: string): FormPurpose[] {
  const lower = text.toLowerCase();
  const out: FormPurpose[] = [];
  for (const [p, re] of PURPOSE_PHRASES) if (re.test(lower)) out.push(p);
  return out;
}

function elementText(e: WebMCPElement): string {
  const s = (v: unknown): string => (typeof v === 'string' ? v : '');
  return `${s(e.name)} ${s(e.label)} ${s(e.field)}`;
}

/** How well a form (with its elements) or a lone element matches the goal; 0 means unrelated. */
export function relevance(goal: GoalTerms, form: WebMCPForm | null, elements: readonly WebMCPElement[]): number {
  const W = RELEVANCE_WEIGHTS;
  let score = 0;
  if (form) {
    if (goal.purposes.has(form.purpose)) score += W.purpose;
    else if ([...goal.purposes].some((p) => RELATED[p]?.includes(form.purpose))) score += W.relatedPurpose;
    const formWords = new Set(wordsOf(`${typeof form.name === 'string' ? form.name : ''} ${typeof form.label === 'string' ? form.label : ''}`));
    for (const w of formWords) if (goal.words.has(w)) score += W.formWord;
  }
  let hits = 0;
  for (const e of elements) {
    for (const w of wordsOf(elementText(e))) {
      if (goal.words.has(w)) {
        hits++;
        break;
      }
    }
  }
  // Matching words count, with diminishing returns so a huge form doesn't win by size alone.
  score += Math.min(hits, W.elementWordsCap) * W.elementWord;
  if (form && goal.purposes.size > 0) score += shapeFit(goal.purposes, elements);
  // A lone control whose caption names the goal's purpose ("Sign in", "Forgot password?").
  if (!form && elements.length === 1 && goal.purposes.size > 0 && typeof elements[0].label === 'string') {
    if (purposesOfText(elements[0].label).some((p) => goal.purposes.has(p))) score += W.elementPurpose;
  }
  return score;
}

/**
 * Whether a form's fields suit what the goal asks for: signing in needs a password, a message
 * needs a text area, a form with nothing to fill in is rarely where a goal is reached. Breaks
 * ties between forms of the same detected purpose.
 */
function shapeFit(purposes: Set<FormPurpose>, elements: readonly WebMCPElement[]): number {
  let passwords = 0;
  let fields = 0;
  let textareas = 0;
  for (const e of elements) {
    if (typeof e.role !== 'string' || !e.role.startsWith('input.')) continue;
    fields++;
    if (e.role === 'input.password') passwords++;
    else if (e.role === 'input.textarea') textareas++;
  }
  if (fields === 0) return -3;
  let fit = 0;
  if (purposes.has('login')) fit += passwords > 0 ? 3 : -1;
  if (purposes.has('signup')) fit += passwords >= 2 ? 4 : passwords === 1 ? 2 : 0;
  if (purposes.has('contact') || purposes.has('comment')) fit += textareas > 0 ? 2 : 0;
  if (purposes.has('newsletter') || purposes.has('password_recovery') || purposes.has('search')) fit += passwords > 0 ? -2 : 1;
  return Math.max(-RELEVANCE_WEIGHTS.shape, Math.min(RELEVANCE_WEIGHTS.shape, fit));
}

/** A form with its relevance to a goal. */
export interface RankedForm {
  form: WebMCPForm;
  score: number;
}

/**
 * The document's forms, best match for `goal` first (ties keep document order). Deterministic.
 *
 * @example
 * const [best] = rankForms(doc, 'log in');
 * if (best && best.score > 0) console.log(best.form.name); // "LOGIN"
 */
export function rankForms(doc: WebMCPDocument, goal: string | GoalTerms): RankedForm[] {
  const terms = typeof goal === 'string' ? goalTerms(goal) : goal;
  const byName = new Map((doc.elements ?? []).map((e) => [e.name, e]));
  const ranked = (doc.forms ?? []).map((form, i) => {
    const members = (Array.isArray(form.elements) ? form.elements : []).map((n) => byName.get(n)).filter((e): e is WebMCPElement => !!e);
    return { form, score: relevance(terms, form, members), i };
  });
  ranked.sort((a, b) => b.score - a.score || a.i - b.i);
  return ranked.map(({ form, score }) => ({ form, score }));
}
