import type { WebMCPDocument, WebMCPElement } from '../core/types.js';
import { WebMCPInputError } from '../errors.js';
import {
  actionParamsModel,
  checkActionParams,
  encryptionOf,
  looksLikeJwe,
  normalizeActionParams,
  type ActionParamsModel,
} from '../mcp/action-params.js';

/**
 * Client-side checks of action params against the page's document, so a bad call fails here with
 * a clear message instead of as a 400 from the gateway. The rules are the gateway's, on the core's
 * action model (what the MCP tools advertise): params keyed by element name, radio and checkbox
 * groups by group name (members also by element name), options by value or unambiguous label.
 */

export { looksLikeJwe };

/** What the client learned about one action of a document. */
export interface ActionInputs {
  action: WebMCPElement;
  /** The action's form controls, by element name. */
  inputs: Map<string, WebMCPElement>;
  /** A GET form: calling it twice is harmless, so a 429 may be retried. */
  idempotent: boolean;
  /** The action's params (core model), or null for an action without a form to fill. */
  model: ActionParamsModel | null;
}

/** Finds an action element and its inputs; throws `ERR_NOT_FOUND`-style input errors otherwise. */
export function actionInputs(doc: WebMCPDocument, name: string): ActionInputs {
  const action = doc.elements.find((e) => e.name === name && e.role.startsWith('action.'));
  if (!action) throw new WebMCPInputError('ERR_NOT_FOUND', `the page has no action named ${quote(name)}`);
  const inputs = new Map<string, WebMCPElement>();
  const form = action.form ? doc.forms?.find((f) => f.name === action.form) : undefined;
  if (action.form) {
    const members = form ? new Set(form.elements) : null;
    for (const e of doc.elements) {
      const inForm = members ? members.has(e.name) : e.form === action.form;
      if (inForm && e.role.startsWith('input.') && !e.disabled) inputs.set(e.name, e);
    }
  }
  const method = (action.method ?? form?.method ?? 'POST').toUpperCase();
  return { action, inputs, idempotent: method === 'GET', model: actionParamsModel(doc, name) ?? null };
}

/**
 * Validates `params` for the action and returns them in canonical form (param keys, option
 * values), with every field marked `encryption: required` replaced by `encrypt(value)` (a compact
 * JWE). Values that already are a JWE are passed through. Throws {@link WebMCPInputError}
 * (`ERR_INPUT`) naming the param, never its value.
 */
export async function prepareParams(
  spec: ActionInputs,
  params: unknown,
  encrypt: (plaintext: string) => Promise<string>,
): Promise<Record<string, unknown>> {
  if (!params || typeof params !== 'object' || Array.isArray(params)) throw invalid('params must be an object');
  if (!spec.model) {
    // An action without a form to fill takes no params.
    const [key] = Object.keys(params);
    if (key !== undefined) throw invalid(`unknown parameter ${quote(key)}`);
    return {};
  }
  const model = spec.model;
  const out = normalizeActionParams(model, params);
  const opaque = new Set<string>();
  const sealed: string[] = [];
  for (const [key, param] of model.params) {
    const value = out[key];
    const encryption = encryptionOf(param);
    if (value === undefined || !encryption) continue;
    if (typeof value === 'string' && looksLikeJwe(value)) opaque.add(key);
    else if (encryption === 'required') sealed.push(key);
  }
  checkActionParams(model, out, { opaque });
  // Only once every param passed: nothing is encrypted (or fetched for it) for a call that fails.
  for (const key of sealed) out[key] = await encrypt(String(out[key]));
  return out;
}

function invalid(message: string): WebMCPInputError {
  return new WebMCPInputError('ERR_INPUT', message);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
