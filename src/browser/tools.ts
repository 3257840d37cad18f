import { controlKind, fillControl, findOption, type Control, type ControlKind } from './fill.js';
import type { DescribedElement, JsonSchema, ModelContextTool, PageDescription, ToolResult } from './types.js';

interface BoundParam {
  key: string;
  el: Control;
  kind: ControlKind;
  required: boolean;
  schema: JsonSchema;
}

const MAX_TEXT = 200;
const MAX_OPTIONS = 200;

/**
 * Builds one WebMCP tool per form submit action of the description that is present on this page.
 * Each tool fills the form's described fields (keyed by element name, as the gateway's actions
 * are) and submits the real form, so the page's own CSRF field and handlers do their usual work.
 * Forms carrying W3C `toolname` are left out: the browser registers those itself.
 */
export function buildPageTools(description: PageDescription, doc: Document, page?: string): ModelContextTool[] {
  const byForm = new Map<string, DescribedElement[]>();
  for (const el of description.elements) {
    if (el.form) byForm.set(el.form, [...(byForm.get(el.form) ?? []), el]);
  }
  const title = clean(description.context?.title ?? '');
  const tools: ModelContextTool[] = [];
  const names = new Set<string>();
  for (const action of description.elements) {
    if (!action.role.startsWith('action.') || !action.form) continue;
    const submitter = query(doc, action.selector);
    if (!submitter || !isSubmitter(submitter)) continue;
    const form = submitter.form;
    if (!form || form.hasAttribute('toolname')) continue;
    const name = toolName(page, action.name);
    if (names.has(name)) continue;
    names.add(name);
    const params = bindParams(byForm.get(action.form) ?? [], doc, form);
    const label = clean(action.label ?? '') || action.name;
    tools.push({
      name,
      description: `Fills and submits the "${label}" form${title ? ` on "${title}"` : ''}.`,
      inputSchema: inputSchema(params),
      annotations: { readOnlyHint: form.method === 'get' },
      execute: (input) => Promise.resolve(run(input, params, form, submitter, label)),
    });
  }
  return tools;
}

/** `<page>_<action>` in lower snake case, the same names the gateway's MCP tools use. */
export function toolName(page: string | undefined, action: string): string {
  const snake = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return page ? `${snake(page)}_${snake(action)}` : snake(action);
}

function bindParams(elements: DescribedElement[], doc: Document, form: HTMLFormElement): BoundParam[] {
  const params: BoundParam[] = [];
  for (const d of elements) {
    if (!d.role.startsWith('input.')) continue;
    const el = query(doc, d.selector);
    const kind = el && controlKind(el);
    // Only controls that submit with this form; anything else would be filled for nothing.
    if (!kind || (el as Control).form !== form) continue;
    const required = kind !== 'radio' && kind !== 'checkbox' && (d.required || (el as Control).required) === true;
    params.push({ key: d.name, el: el as Control, kind, required, schema: paramSchema(d, el as Control, kind) });
  }
  return params;
}

function inputSchema(params: BoundParam[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const p of params) properties[p.key] = p.schema;
  const required = params.filter((p) => p.required).map((p) => p.key);
  return { type: 'object', properties, required, additionalProperties: false };
}

function paramSchema(d: DescribedElement, control: Control, kind: ControlKind): JsonSchema {
  let description = clean(d.label ?? '') || d.name;
  if (kind === 'radio') description += ` (choose option "${clean(control.value)}")`;
  if (d.security?.encryption === 'required') description += ' (sensitive)';
  if (kind === 'checkbox' || kind === 'radio') return { type: 'boolean', description };
  if (kind === 'select' || kind === 'multiselect') {
    const values = Array.from((control as HTMLSelectElement).options).filter((o) => !o.disabled).map((o) => o.value).slice(0, MAX_OPTIONS);
    const item: JsonSchema = { type: 'string', enum: values };
    return kind === 'select' ? { ...item, description } : { type: 'array', items: item, description };
  }
  const el = control as HTMLInputElement;
  if (kind === 'number') {
    const schema: JsonSchema = { type: 'number', description };
    if (el.min !== '' && Number.isFinite(Number(el.min))) schema.minimum = Number(el.min);
    if (el.max !== '' && Number.isFinite(Number(el.max))) schema.maximum = Number(el.max);
    return schema;
  }
  const schema: JsonSchema = { type: 'string', description };
  const format = ({ email: 'email', url: 'uri', date: 'date' } as Record<string, string>)[el.type];
  if (format) schema.format = format;
  const v = d.validation ?? {};
  const pattern = v.pattern ?? (el.pattern || undefined);
  if (pattern) schema.pattern = `^(?:${pattern})$`;
  const minLength = v.minLength ?? (el.minLength > 0 ? el.minLength : undefined);
  const maxLength = v.maxLength ?? (el.maxLength >= 0 ? el.maxLength : undefined);
  if (minLength !== undefined) schema.minLength = minLength;
  if (maxLength !== undefined) schema.maxLength = maxLength;
  return schema;
}

function run(input: unknown, params: BoundParam[], form: HTMLFormElement, submitter: HTMLElement, label: string): ToolResult {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return failure(['the input must be an object']);
  const values = input as Record<string, unknown>;
  const byKey = new Map(params.map((p) => [p.key, p]));
  const problems = Object.keys(values).filter((k) => !byKey.has(k)).map((k) => `unknown field ${clean(k)}`);
  for (const p of params) {
    if (values[p.key] === undefined) {
      if (p.required) problems.push(`${p.key} is required`);
      continue;
    }
    const problem = checkValue(p, values[p.key]);
    if (problem) problems.push(`${p.key} ${problem}`);
  }
  if (problems.length) return failure(problems);
  const filled = params.filter((p) => values[p.key] !== undefined);
  for (const p of filled) fillControl(p.el, p.kind, values[p.key]);
  if (!form.checkValidity()) {
    const invalid = Array.from(form.elements).filter((e) => !(e as Control).validity?.valid) as Control[];
    return failure(invalid.map((e) => `${params.find((p) => p.el === e)?.key ?? (clean(e.name) || e.tagName.toLowerCase())}: ${e.validationMessage}`));
  }
  let submitEvent: Event | undefined;
  const grab = (e: Event) => (submitEvent = e);
  form.addEventListener('submit', grab, { capture: true, once: true });
  form.requestSubmit(submitter);
  form.removeEventListener('submit', grab, { capture: true });
  const fields = filled.map((p) => p.key).join(', ') || 'no fields';
  const handled = submitEvent?.defaultPrevented ? ' The page handled the submission in place.' : '';
  return { content: [{ type: 'text', text: `Submitted "${label}" with ${fields}.${handled}` }] };
}

function checkValue(p: BoundParam, value: unknown): string | null {
  switch (p.kind) {
    case 'checkbox':
    case 'radio':
      if (typeof value !== 'boolean') return 'must be true or false';
      return p.kind === 'radio' && value === false && (p.el as HTMLInputElement).checked ? 'cannot be cleared; choose another option' : null;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'select':
      return typeof value === 'string' && findOption(p.el as HTMLSelectElement, value) ? null : 'must be one of the listed options';
    case 'multiselect':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' && findOption(p.el as HTMLSelectElement, v)) ? null : 'must list only the listed options';
    default: {
      if (typeof value !== 'string') return 'must be a string';
      // Browsers judge minlength/maxlength only on what a user typed, not on script-set values.
      const { minLength = 0, maxLength = Infinity } = p.schema;
      if (value && value.length < minLength) return `must have at least ${minLength} characters`;
      return value.length > maxLength ? `must have at most ${maxLength} characters` : null;
    }
  }
}

function failure(problems: string[]): ToolResult {
  return { content: [{ type: 'text', text: `Not submitted: ${problems.join('; ')}.` }], isError: true };
}

function isSubmitter(el: Element): el is HTMLButtonElement | HTMLInputElement {
  if (el.tagName === 'BUTTON') return (el as HTMLButtonElement).type === 'submit';
  return el.tagName === 'INPUT' && ['submit', 'image'].includes((el as HTMLInputElement).type);
}

function query(doc: Document, selector: string): Element | null {
  try {
    return doc.querySelector(selector);
  } catch {
    // A selector this browser cannot parse names nothing on this page; the element is skipped.
    return null;
  }
}

/** Page text is untrusted: one line, no control characters, capped. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
}
