import type { FormPurpose, WebMCPElement, WebMCPForm } from './types.js';

/**
 * Deterministic goal relevance: the goal's words against the page's own words (labels, names,
 * fields, form purpose). No model calls; the same inputs always rank the same way.
 */
export interface GoalTerms {
  words: Set<string>;
  purposes: Set<FormPurpose>;
}

/** What people write when they mean a form purpose. */
const PURPOSE_PHRASES: Array<[FormPurpose, RegExp]> = [
  ['login', /\b(log ?in|sign ?in|logon|authenticate|my account|access (?:my|the) account)\b/],
  ['signup', /\b(sign ?up|register|registration|create (?:an? |my |new )?account|join|open an account|enrol|enroll)\b/],
  ['search', /\b(search|find|look ?(?:up|for)|query|browse for)\b/],
  ['newsletter', /\b(newsletter|subscribe|mailing list|updates by e-?mail|email updates)\b/],
  ['contact', /\b(contact|send (?:a |us )?(?:message|note)|get in touch|enquir|inquir|write to|feedback)\b/],
  ['comment', /\b(comment|reply|review)\b/],
  ['checkout', /\b(check ?out|buy|purchase|pay|order|add to (?:cart|basket)|place (?:an )?order)\b/],
  ['password_recovery', /\b(forgot|forgotten|reset|recover|lost)\b.*\b(password|passwd|pwd|login)\b|\bpassword (?:reset|recovery)\b/],
  ['settings', /\b(settings|preferences|update (?:my )?profile|change (?:my )?(?:email|password|settings))\b/],
];

const STOP = new Set(['the', 'a', 'an', 'to', 'for', 'of', 'on', 'in', 'my', 'me', 'i', 'and', 'or', 'with', 'this', 'that', 'site', 'page', 'please', 'into', 'from', 'by', 'at', 'some', 'your', 'our']);

export function goalTerms(goal: string): GoalTerms {
  const lower = goal.toLowerCase().slice(0, 500);
  const purposes = new Set<FormPurpose>();
  for (const [p, re] of PURPOSE_PHRASES) if (re.test(lower)) purposes.add(p);
  // "reset password" is recovery, not login, even though it mentions the account.
  if (purposes.has('password_recovery')) purposes.delete('login');
  const words = new Set(
    lower
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 1 && !STOP.has(w))
      .map(stem),
  );
  return { words, purposes };
}

/** A light stemmer so "shoes"/"shoe", "subscribing"/"subscribe" meet. */
function stem(w: string): string {
  if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
  if (w.length > 4 && w.endsWith('es')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s')) return w.slice(0, -1);
  if (w.length > 4 && w.endsWith('ed')) return w.slice(0, -2);
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

/** How well a form (with its elements) or a lone element matches the goal; 0 means unrelated. */
export function relevance(goal: GoalTerms, form: WebMCPForm | null, elements: readonly WebMCPElement[]): number {
  let score = 0;
  if (form) {
    if (goal.purposes.has(form.purpose)) score += 10;
    for (const w of wordsOf(`${form.name} ${form.label ?? ''}`)) if (goal.words.has(w)) score += 2;
  }
  let hits = 0;
  for (const e of elements) {
    for (const w of wordsOf(`${e.name} ${e.label ?? ''} ${e.field ?? ''}`)) {
      if (goal.words.has(w)) {
        hits++;
        break;
      }
    }
  }
  // Matching words count, with diminishing returns so a huge form doesn't win by size alone.
  score += Math.min(hits, 4) * 1.5;
  return score;
}
