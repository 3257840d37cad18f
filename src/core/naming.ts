import { fieldNameTail, isMeaningfulIdentifier, toUpperSnake } from './text.js';

/** Hands out UPPER_SNAKE names, unique within one document. */
export class NameRegistry {
  private readonly used = new Set<string>();
  /** Next suffix to try per base name: pages repeat labels ("Read more") thousands of times. */
  private readonly nextSuffix = new Map<string, number>();

  /** Reserves `base` (or `base_2`, `base_3`, ...) and returns it. */
  take(base: string, fallback: string): string {
    let name = base || fallback;
    if (!/^[A-Z0-9_]+$/.test(name)) name = toUpperSnake(name) || fallback;
    // Names must start with a letter: "3D_MODELS" becomes "LINK_3D_MODELS".
    if (!/^[A-Z]/.test(name)) name = `${fallback}_${name}`;
    if (!this.used.has(name)) {
      this.used.add(name);
      return name;
    }
    for (let i = this.nextSuffix.get(name) ?? 2; ; i++) {
      const candidate = `${name}_${i}`;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        this.nextSuffix.set(name, i + 1);
        return candidate;
      }
    }
  }

  has(name: string): boolean {
    return this.used.has(name);
  }

  reserve(name: string): void {
    this.used.add(name);
  }
}

/** Hungarian-style prefixes of generated field names: txtEmail, ddlCountry, chkTerms. */
const TYPE_PREFIX = /^(txt|tb|ddl|drp|chk|cb|rb|rdo|btn|cbo|cmb|lst|sel|inp|fld|ipt|str)(?=[A-Z_])/;

/** A readable UPPER_SNAKE base from a form field's HTML name, or '' when the name is noise. */
export function nameFromField(field: string | undefined): string {
  if (!field) return '';
  let tail = fieldNameTail(field);
  if (!isMeaningfulIdentifier(tail)) return '';
  tail = tail.replace(TYPE_PREFIX, '').replace(/^_+/, '');
  return toUpperSnake(tail, 4);
}

/** A readable UPPER_SNAKE base from visible text (labels, button captions). */
export function nameFromLabel(label: string, maxWords = 4): string {
  const text = label.replace(/[*:]+\s*$/, '');
  // A short label is named whole ("Proximity of public K-12 schools"): the model view then need not
  // quote it beside a clipped name, which costs more tokens than the longer name.
  const whole = toUpperSnake(text, WHOLE_LABEL_WORDS + 1);
  if (whole && whole.split('_').length <= WHOLE_LABEL_WORDS && whole.length <= 32) return whole;
  return toUpperSnake(text, maxWords);
}

const WHOLE_LABEL_WORDS = 6;

/** Labels that say nothing about what a button does. */
export const GENERIC_ACTION_LABEL = /^(submit|send|go|ok|okay|enter|search|continue|next|»|›|>|→|apply|save|done|confirm|absenden|senden|envoyer|enviar|invia)$/i;
