import type { WebMCPDocument, WebMCPElement } from '../core/types.js';
import { WebMCPInputError } from '../errors.js';
import { expandGroupParams } from '../mcp/group-params.js';

/**
 * Client-side checks of action params against the page's document, so a bad call fails here with
 * a clear message instead of as a 400 from the gateway. The rules are the gateway's (spec section
 * 6): params are keyed by element name; radio and checkbox groups may also be given by their group
 * name (as MCP tool schemas do) and are expanded to element names here.
 */

const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAX_VALUE = 64 * 1024;

/** What the client learned about one action of a document. */
export interface ActionInputs {
  action: WebMCPElement;
  /** The action's form controls, by element name. */
  inputs: Map<string, WebMCPElement>;
  /** A GET form: calling it twice is harmless, so a 429 may be retried. */
  idempotent: boolean;
}

/** Whether a value already has the shape of a compact JWE. */
export function looksLikeJwe(value: string): boolean {
  return value.length < 16 * 1024 && COMPACT_JWE.test(value);
}

/** Finds an action element and its inputs; throws `ERR_NOT_FOUND`-style input errors otherwise. */
export function actionInputs(doc: WebMCPDocument, name: string): ActionInputs {
  const action = doc.elements.find((e) => e.name === name && e.role.startsWith('action.'));
  if (!action) throw new WebMCPInputError('ERR_NOT_FOUND', `the page has no action named ${quote(name)}`);
  const inputs = new Map<string, WebMCPElement>();
  if (action.form) {
    const form = doc.forms?.find((f) => f.name === action.form);
    const members = form ? new Set(form.elements) : null;
    for (const e of doc.elements) {
      const inForm = members ? members.has(e.name) : e.form === action.form;
      if (inForm && e.role.startsWith('input.') && !e.disabled) inputs.set(e.name, e);
    }
  }
  const form = doc.forms?.find((f) => f.name === action.form);
  const method = (action.method ?? form?.method ?? 'POST').toUpperCase();
  return { action, inputs, idempotent: method === 'GET' };
}

/**
 * Validates `params` for the action and returns them keyed by element name, with every field
 * marked `encryption: required` replaced by `encrypt(value)` (a compact JWE). Values that already
 * are a JWE are passed through. Throws {@link WebMCPInputError} (`ERR_INPUT`) naming the param,
 * never its value.
 */
export async function prepareParams(
  spec: ActionInputs,
  params: unknown,
  encrypt: (plaintext: string) => Promise<string>,
): Promise<Record<string, unknown>> {
  if (!params || typeof params !== 'object' || Array.isArray(params)) throw invalid('params must be an object');
  const given = expandGroupParams(spec.inputs.values(), params as Record<string, unknown>);
  for (const key of Object.keys(given)) {
    if (!spec.inputs.has(key)) throw invalid(`unknown parameter ${quote(key)}`);
  }
  const out: Record<string, unknown> = {};
  const radioTaken = new Set<string>();
  const sealed: [string, string][] = [];
  for (const [name, element] of spec.inputs) {
    const raw = given[name];
    if (raw === undefined || raw === null) {
      if (element.required && !groupSatisfied(element, given, spec.inputs)) throw invalid(`${name} is required`);
      continue;
    }
    if (element.role === 'input.checkbox' || element.role === 'input.radio') {
      checkChoice(name, element, raw);
      if (element.role === 'input.radio' && raw !== false) {
        const group = element.field ?? name;
        if (radioTaken.has(group)) throw invalid(`two options of one group were given (${name})`);
        radioTaken.add(group);
      }
      out[name] = raw;
      continue;
    }
    const sensitive = element.security?.encryption === 'required';
    if (Array.isArray(raw) && element.validation?.multiple && !sensitive) {
      if (!raw.every((v) => typeof v === 'string')) throw invalid(`${name} must be a list of strings`);
      for (const v of raw as string[]) checkValue(name, element, v);
      out[name] = raw;
      continue;
    }
    let value: string;
    if (typeof raw === 'string') value = raw;
    else if ((typeof raw === 'number' && Number.isFinite(raw)) || typeof raw === 'boolean') value = String(raw);
    else throw invalid(`${name} has the wrong type`);
    if (sensitive && looksLikeJwe(value)) {
      out[name] = value;
      continue;
    }
    if (element.required && value === '') throw invalid(`${name} is required`);
    checkValue(name, element, value);
    if (sensitive) sealed.push([name, value]);
    else out[name] = raw;
  }
  // Only once every param passed: nothing is encrypted (or fetched for it) for a call that fails.
  for (const [name, value] of sealed) out[name] = await encrypt(value);
  return out;
}

function groupSatisfied(element: WebMCPElement, params: Record<string, unknown>, inputs: Map<string, WebMCPElement>): boolean {
  if (element.role !== 'input.radio' || !element.field) return false;
  for (const [name, other] of inputs) {
    if (other.role === 'input.radio' && other.field === element.field && params[name] !== undefined && params[name] !== null && params[name] !== false) {
      return true;
    }
  }
  return false;
}

function checkChoice(name: string, element: WebMCPElement, raw: unknown): void {
  if (typeof raw === 'boolean') return;
  if (typeof raw === 'string') {
    const allowed = element.validation?.options?.map((o) => o.value) ?? [element.value ?? 'on'];
    if (allowed.includes(raw)) return;
    throw invalid(`${name} must be one of its options`);
  }
  throw invalid(`${name} must be true or false`);
}

function checkValue(name: string, element: WebMCPElement, value: string): void {
  if (value.length > MAX_VALUE) throw invalid(`${name} is too long`);
  const v = element.validation;
  if (!v || value === '') return;
  if (v.minLength !== undefined && value.length < v.minLength) throw invalid(`${name} must have at least ${v.minLength} characters`);
  if (v.maxLength !== undefined && value.length > v.maxLength) throw invalid(`${name} must have at most ${v.maxLength} characters`);
  if (v.pattern !== undefined && !matchesPattern(v.pattern, value)) throw invalid(`${name} does not match the page's pattern`);
  if (element.role === 'input.email' && !EMAIL.test(value)) throw invalid(`${name} must be an email address`);
  if (element.role === 'input.number' || element.role === 'input.range') {
    const n = Number(value);
    if (!Number.isFinite(n)) throw invalid(`${name} must be a number`);
    if (v.min !== undefined && Number.isFinite(Number(v.min)) && n < Number(v.min)) throw invalid(`${name} must be at least ${v.min}`);
    if (v.max !== undefined && Number.isFinite(Number(v.max)) && n > Number(v.max)) throw invalid(`${name} must be at most ${v.max}`);
  }
  if (element.role === 'input.select' && v.options && v.options.length > 0 && !v.options.some((o) => o.value === value)) {
    throw invalid(`${name} must be one of its options`);
  }
}

const patterns = new Map<string, RegExp | null>();

/** HTML `pattern` semantics: the whole value must match, `v` flag; an invalid pattern is ignored, as browsers do. */
function matchesPattern(pattern: string, value: string): boolean {
  let re = patterns.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`, 'v');
    } catch {
      // Browsers ignore a pattern they cannot compile; the gateway does too.
      re = null;
    }
    if (patterns.size < 500) patterns.set(pattern, re);
  }
  return re === null || re.test(value);
}

function invalid(message: string): WebMCPInputError {
  return new WebMCPInputError('ERR_INPUT', message);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
