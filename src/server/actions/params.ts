import { WebMCPSecurityError } from '../../errors.js';
import type { WebMCPDocument, WebMCPElement, WebMCPForm } from '../../core/types.js';
import { HttpError } from '../http/problem.js';

/** One value to send upstream under the page's original field name. */
export interface UpstreamField {
  name: string;
  value: string;
}

export interface PreparedParams {
  fields: UpstreamField[];
  /** Element names that were given (for the audit entry; never values). */
  given: string[];
  /** Element names that arrived encrypted. */
  encrypted: string[];
}

/** Decrypts one compact JWE into the field's raw string value (throws `ERR_DECRYPT`). */
export type Decrypt = (jwe: string, element: WebMCPElement) => Promise<string>;

const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAX_VALUE = 64 * 1024;

function bad(detail: string, code: 'ERR_INPUT' | 'ERR_ENCRYPTION_REQUIRED' = 'ERR_INPUT'): HttpError {
  return new HttpError(400, code === 'ERR_INPUT' ? 'invalid-params' : 'encryption-required', detail, { code });
}

/** Whether a string has the shape of a compact JWE (five base64url parts). */
export function looksLikeJwe(value: string): boolean {
  return value.length < 16 * 1024 && COMPACT_JWE.test(value);
}

/** The form an action submits, if any. */
export function formOf(document: WebMCPDocument, action: WebMCPElement): WebMCPForm | null {
  if (!action.form) return null;
  return document.forms.find((f) => f.name === action.form) ?? null;
}

/** The input elements an action accepts as params: the controls of its form. */
export function inputsOf(document: WebMCPDocument, action: WebMCPElement): Map<string, WebMCPElement> {
  const out = new Map<string, WebMCPElement>();
  const form = formOf(document, action);
  if (!form) return out;
  const members = new Set(form.elements);
  for (const element of document.elements) {
    if (members.has(element.name) && element.role.startsWith('input.') && !element.disabled) out.set(element.name, element);
  }
  return out;
}

/**
 * Validates action params against the document: only the action's form controls, values of the
 * right type, required fields present, the page's own constraints (pattern, lengths, options,
 * min/max), and JWE for `encryption: required` fields (plaintext is refused, never forwarded).
 * Returns the values to send upstream under their original field names.
 */
export async function prepareParams(
  document: WebMCPDocument,
  action: WebMCPElement,
  params: Record<string, unknown>,
  decrypt: Decrypt,
): Promise<PreparedParams> {
  const inputs = inputsOf(document, action);
  for (const name of Object.keys(params)) {
    if (!inputs.has(name)) throw bad('unknown parameter');
  }
  const fields: UpstreamField[] = [];
  const given: string[] = [];
  const encrypted: string[] = [];
  const choiceTaken = new Set<string>();

  for (const [name, element] of inputs) {
    const raw = params[name];
    if (raw === undefined || raw === null) {
      if (element.required && !isGroupSatisfied(element, params, inputs)) throw bad('a required parameter is missing');
      continue;
    }
    given.push(name);
    const fieldName = element.field ?? name;
    const encryption = element.security?.encryption;

    if (element.role === 'input.checkbox' || element.role === 'input.radio') {
      const value = choiceValue(element, raw);
      if (value === null) continue; // unchecked: browsers send nothing
      if (element.role === 'input.radio') {
        if (choiceTaken.has(fieldName)) throw bad('two choices of one group were given');
        choiceTaken.add(fieldName);
      }
      fields.push({ name: fieldName, value });
      continue;
    }

    let value: string;
    if (typeof raw === 'string') value = raw;
    else if (typeof raw === 'number' && Number.isFinite(raw) && !encryption) value = String(raw);
    else if (typeof raw === 'boolean' && !encryption) value = String(raw);
    else if (Array.isArray(raw) && element.validation?.multiple && !encryption) {
      if (!raw.every((v) => typeof v === 'string')) throw bad('a parameter has the wrong type');
      for (const v of raw as string[]) {
        checkValue(element, v);
        fields.push({ name: fieldName, value: v });
      }
      continue;
    } else throw bad('a parameter has the wrong type');

    if (looksLikeJwe(value) && encryption) {
      value = await decrypt(value, element);
      encrypted.push(name);
    } else if (encryption === 'required') {
      throw bad('a sensitive parameter must be sent as JWE', 'ERR_ENCRYPTION_REQUIRED');
    }
    if (element.required && value === '') throw bad('a required parameter is empty');
    checkValue(element, value);
    fields.push({ name: fieldName, value });
  }

  // A named submit button sends its own name=value, as a browser click would.
  if (action.field && action.value !== undefined) fields.push({ name: action.field, value: action.value });
  return { fields, given, encrypted };
}

function isGroupSatisfied(element: WebMCPElement, params: Record<string, unknown>, inputs: Map<string, WebMCPElement>): boolean {
  if (element.role !== 'input.radio' || !element.field) return false;
  for (const [name, other] of inputs) {
    if (other.role === 'input.radio' && other.field === element.field && params[name] !== undefined && params[name] !== null && params[name] !== false) {
      return true;
    }
  }
  return false;
}

/** Checkbox/radio: `true` selects the element's own value, a string must be one of the allowed values. */
function choiceValue(element: WebMCPElement, raw: unknown): string | null {
  const own = element.value ?? 'on';
  if (raw === false) return null;
  if (raw === true) return own;
  if (typeof raw === 'string') {
    const allowed = element.validation?.options?.map((o) => o.value) ?? [own];
    if (!allowed.includes(raw)) throw bad('a parameter is not one of the allowed values');
    return raw;
  }
  throw bad('a parameter has the wrong type');
}

function checkValue(element: WebMCPElement, value: string): void {
  if (value.length > MAX_VALUE) throw bad('a parameter is too long');
  const v = element.validation;
  if (!v || value === '') return;
  if (v.minLength !== undefined && value.length < v.minLength) throw bad('a parameter is too short');
  if (v.maxLength !== undefined && value.length > v.maxLength) throw bad('a parameter is too long');
  if (v.pattern !== undefined && !matchesPattern(v.pattern, value)) throw bad('a parameter does not match its pattern');
  if (element.role === 'input.email' && !EMAIL.test(value)) throw bad('a parameter is not an email address');
  if (element.role === 'input.number' || element.role === 'input.range') {
    const n = Number(value);
    if (!Number.isFinite(n)) throw bad('a parameter is not a number');
    if (v.min !== undefined && Number.isFinite(Number(v.min)) && n < Number(v.min)) throw bad('a parameter is below its minimum');
    if (v.max !== undefined && Number.isFinite(Number(v.max)) && n > Number(v.max)) throw bad('a parameter is above its maximum');
  }
  if (element.role === 'input.select' && v.options && v.options.length > 0) {
    if (!v.options.some((o) => o.value === value)) throw bad('a parameter is not one of the allowed values');
  }
}

const patternCache = new Map<string, RegExp | null>();

/** HTML `pattern` semantics: the whole value must match, compiled with the `v` flag. */
function matchesPattern(pattern: string, value: string): boolean {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`, 'v');
    } catch {
      // Browsers ignore an invalid pattern; so do we (the page's bug must not block its users).
      re = null;
    }
    if (patternCache.size < 1000) patternCache.set(pattern, re);
  }
  return re === null || re.test(value);
}

/** Thrown by decryption wrappers for a JWE that is not for this field or not ours. */
export function decryptRefused(cause: unknown): WebMCPSecurityError {
  return new WebMCPSecurityError('ERR_DECRYPT', 'an encrypted field could not be decrypted', { cause });
}
