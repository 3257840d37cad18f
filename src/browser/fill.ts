/**
 * Filling real form controls the way a person would: values go through the native setters (so
 * framework value trackers notice) and the same `input`/`change` events a user causes are fired.
 * Element kinds are told apart by tag and type, not `instanceof`, so frames of another realm work.
 */

export type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export type ControlKind = 'text' | 'number' | 'checkbox' | 'radio' | 'select' | 'multiselect';

/** Input types that cannot be filled with a value an agent supplies. */
const UNFILLABLE = new Set(['hidden', 'file', 'submit', 'reset', 'button', 'image']);

/** The kind of a form control, or null when an agent cannot fill it. */
export function controlKind(el: Element): ControlKind | null {
  switch (el.tagName) {
    case 'SELECT':
      return (el as HTMLSelectElement).multiple ? 'multiselect' : 'select';
    case 'TEXTAREA':
      return 'text';
    case 'INPUT': {
      const type = (el as HTMLInputElement).type;
      if (UNFILLABLE.has(type)) return null;
      if (type === 'checkbox' || type === 'radio') return type;
      return type === 'number' || type === 'range' ? 'number' : 'text';
    }
    default:
      return null;
  }
}

/** Finds the option an agent meant: by value first, else by its visible text. */
export function findOption(el: HTMLSelectElement, wanted: string): HTMLOptionElement | undefined {
  const options = Array.from(el.options).filter((o) => !o.disabled);
  return options.find((o) => o.value === wanted) ?? options.find((o) => o.text.trim() === wanted.trim());
}

/** Sets `value` on the control and fires the events a user's typing or clicking fires. */
export function fillControl(el: Control, kind: ControlKind, value: unknown): void {
  if (kind === 'checkbox' || kind === 'radio') {
    const input = el as HTMLInputElement;
    if (input.checked === value) return;
    // A real click fires click/input/change, which is what page scripts listen for.
    input.click();
    if (input.checked !== value) {
      // A page script cancelled the click: set the state directly and say so with events.
      input.checked = value as boolean;
      fire(el);
    }
    return;
  }
  if (kind === 'select' || kind === 'multiselect') {
    const select = el as HTMLSelectElement;
    const wanted = kind === 'select' ? [value as string] : (value as string[]);
    const chosen = new Set(wanted.map((w) => findOption(select, w)));
    for (const option of Array.from(select.options)) option.selected = chosen.has(option);
    fire(el);
    return;
  }
  const proto = Object.getPrototypeOf(el) as object;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  const text = String(value);
  if (setter) setter.call(el, text);
  else el.value = text;
  fire(el);
}

function fire(el: Element): void {
  const view = (el.ownerDocument.defaultView ?? globalThis) as typeof globalThis;
  el.dispatchEvent(new view.Event('input', { bubbles: true, composed: true }));
  el.dispatchEvent(new view.Event('change', { bubbles: true }));
}
