import type { WebMCPDocument, WebMCPElement, WebMCPForm } from '../../core/types.js';
import {
  ActionParamError,
  actionParamsModel,
  checkActionParams,
  encryptionOf,
  looksLikeJwe,
  normalizeActionParams,
  upstreamFields,
  type UpstreamField,
} from '../../mcp/action-params.js';
import { HttpError } from '../http/problem.js';

export type { UpstreamField };

export interface PreparedParams {
  fields: UpstreamField[];
  /** Param keys that were given (for the audit entry; never values). */
  given: string[];
  /** Param keys that arrived encrypted. */
  encrypted: string[];
}

/** Decrypts one compact JWE into the field's raw string value (throws `ERR_DECRYPT`). */
export type Decrypt = (jwe: string, element: WebMCPElement) => Promise<string>;

function bad(detail: string, code: 'ERR_INPUT' | 'ERR_ENCRYPTION_REQUIRED' = 'ERR_INPUT', cause?: unknown): HttpError {
  return new HttpError(400, code === 'ERR_INPUT' ? 'invalid-params' : 'encryption-required', detail, { code, cause });
}

/** The form an action submits, if any. */
export function formOf(document: WebMCPDocument, action: WebMCPElement): WebMCPForm | null {
  if (!action.form) return null;
  return document.forms.find((f) => f.name === action.form) ?? null;
}

/**
 * Validates action params on the core's action model (what `toMcpTools` advertises): keys are
 * param keys (element names; radio/checkbox groups by group name, members also by element name),
 * options by value or unambiguous label, values checked with the advertised JSON Schema and the
 * page's own constraints, and JWE required for `encryption: required` fields (plaintext is
 * refused, never forwarded). Returns the values to send upstream under their original field names.
 * Refusals are 400 problems whose detail names only the document's own param keys.
 */
export async function prepareParams(
  document: WebMCPDocument,
  action: WebMCPElement,
  params: Record<string, unknown>,
  decrypt: Decrypt,
): Promise<PreparedParams> {
  const model = actionParamsModel(document, action.name);
  const button = action.field && action.value !== undefined ? [{ name: action.field, value: action.value }] : [];
  if (!model) {
    // An action outside the core's model (no form to fill): it takes no params.
    if (Object.keys(params).length > 0) throw bad('unknown parameter');
    return { fields: button, given: [], encrypted: [] };
  }
  try {
    const canonical = normalizeActionParams(model, params);
    const encrypted: string[] = [];
    for (const [key, param] of model.params) {
      const value = canonical[key];
      const encryption = encryptionOf(param);
      if (value === undefined || !encryption) continue;
      if (typeof value !== 'string') throw new ActionParamError('type', key, `${key} has the wrong type`);
      if (looksLikeJwe(value)) {
        canonical[key] = await decrypt(value, param.elements[0]!);
        encrypted.push(key);
      } else if (encryption === 'required') {
        throw bad(`a sensitive parameter must be sent as JWE (${key})`, 'ERR_ENCRYPTION_REQUIRED');
      }
    }
    checkActionParams(model, canonical);
    // A named submit button sends its own name=value, as a browser click would.
    return { fields: [...upstreamFields(model, canonical), ...button], given: Object.keys(canonical), encrypted };
  } catch (error) {
    if (error instanceof ActionParamError) throw bad(error.detail, 'ERR_INPUT', error);
    throw error;
  }
}
