import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { COMPACT_JWE, actionInputSchema, findAction, plaintextSchema, type ActionParam, type ActionSpec } from '../core/tools.js';
import type { WebMCPDocument, WebMCPElement } from '../core/types.js';
import { WebMCPInputError } from '../errors.js';

/**
 * Action parameters on the core's one model (`findAction(doc, action).params`): what the MCP
 * tools advertise is what the gateway and the client accept. Radio and checkbox groups are keyed
 * by their group name (`PLAN: "pro"`, `TOPICS: ["a", "b"]`); a member may still be given by its
 * own element name (`PLAN_PRO: true`), as the gateway always took it. Selects, radio and checkbox
 * groups take an option's value, or its visible label when that names exactly one option.
 * Values are validated with the advertised JSON Schema (2020-12), sensitive fields against their
 * page constraints once in plaintext.
 */

/** Why a param was refused; the message says the same in words. */
export type ParamRule =
  | 'not-object'
  | 'unknown'
  | 'conflict'
  | 'required'
  | 'type'
  | 'option'
  | 'pattern'
  | 'length'
  | 'range'
  | 'format'
  | 'duplicate';

/** A refused param. `key` is the param's document key (null for a key the document does not have). */
export class ActionParamError extends WebMCPInputError {
  readonly rule: ParamRule;
  readonly key: string | null;
  /** The message without any caller-supplied text (safe to send back from a server). */
  readonly detail: string;
  constructor(rule: ParamRule, key: string | null, message: string, detail = message) {
    super('ERR_INPUT', message);
    this.rule = rule;
    this.key = key;
    this.detail = detail;
  }
}

/** One action's parameters, compiled once per document. */
export interface ActionParamsModel {
  readonly spec: ActionSpec;
  /** Params by key (element name, or group name for radio/checkbox groups). */
  readonly params: ReadonlyMap<string, ActionParam>;
  /** Radio/checkbox group members by element name: the group they belong to. */
  readonly members: ReadonlyMap<string, { param: ActionParam; element: WebMCPElement }>;
  /** Validates canonical params (sensitive values in plaintext) with the advertised schema. */
  readonly validate: ValidateFunction;
}

const MAX_VALUE = 64 * 1024;
// The same pattern the tools' schemas advertise, so what a client is told and what is checked cannot drift.
const COMPACT_JWE_RE = new RegExp(COMPACT_JWE);

/** Whether a string has the shape of a compact JWE (five base64url parts). */
export function looksLikeJwe(value: string): boolean {
  return value.length < 16 * 1024 && COMPACT_JWE_RE.test(value);
}

/** The encryption a param's element asks for, if any. */
export function encryptionOf(param: ActionParam): 'required' | 'optional' | undefined {
  if (param.kind !== 'value') return undefined;
  return param.elements[0]?.security?.encryption;
}

/** HTML `pattern` semantics: `v` flag; a pattern the browser cannot compile is ignored, as browsers do. */
function htmlPattern(pattern: string): { test: (s: string) => boolean } {
  try {
    return new RegExp(pattern, 'v');
  } catch {
    // Browsers skip an invalid pattern; the page's bug must not block its users.
    return { test: () => true };
  }
}
htmlPattern.code = 'htmlPattern';

/** Formats as HTML controls produce them (not RFC 3339's stricter forms: `datetime-local` has no zone). */
const FORMATS: Record<string, RegExp | ((s: string) => boolean)> = {
  email: /^[^\s@]+@[^\s@]+$/,
  uri: (s) => URL.canParse(s),
  date: /^\d{4,}-\d{2}-\d{2}$/,
  'date-time': /^\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/i,
  time: /^\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?$/,
  number: (s) => s.trim() !== '' && Number.isFinite(Number(s)),
  integer: /^[+-]?\d+$/,
  tel: () => true,
  phone: () => true,
};

const FORMAT_WORDS: Record<string, string> = {
  email: 'an email address',
  uri: 'an absolute URL',
  date: 'a date (YYYY-MM-DD)',
  'date-time': 'a date and time (YYYY-MM-DDTHH:MM)',
  time: 'a time (HH:MM)',
  number: 'a number',
  integer: 'a whole number',
};

let ajv: Ajv2020 | null = null;
function compiler(): Ajv2020 {
  if (ajv) return ajv;
  // Not strict: documents may carry formats or keywords (x-webmcp-encryption) it does not know.
  ajv = new Ajv2020({ strict: false, logger: false, allErrors: true, coerceTypes: true, code: { regExp: htmlPattern } });
  for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check instanceof RegExp ? check : { validate: check });
  return ajv;
}

/** What a sensitive field's plaintext must satisfy: the page's constraints the advertised (JWE) schema leaves out. */

const models = new WeakMap<WebMCPDocument, Map<string, ActionParamsModel | null>>();

/** The compiled parameter model of `action` (an action element name), or undefined when the document has no such action. */
export function actionParamsModel(doc: WebMCPDocument, action: string): ActionParamsModel | undefined {
  let perDoc = models.get(doc);
  if (!perDoc) models.set(doc, (perDoc = new Map()));
  const known = perDoc.get(action);
  if (known !== undefined) return known ?? undefined;
  const spec = findAction(doc, action);
  const model = spec ? compileModel(spec) : null;
  perDoc.set(action, model);
  return model ?? undefined;
}

function compileModel(spec: ActionSpec): ActionParamsModel {
  const params = new Map(spec.params.map((p) => [p.key, p]));
  const members = new Map<string, { param: ActionParam; element: WebMCPElement }>();
  for (const p of spec.params) {
    if (p.kind !== 'choice' && p.kind !== 'choices') continue;
    for (const element of p.elements) if (!params.has(element.name)) members.set(element.name, { param: p, element });
  }
  const schema = actionInputSchema(spec);
  const properties = { ...(schema.properties as Record<string, unknown>) };
  for (const p of spec.params) if (p.encrypted || p.elements[0]?.security?.encryption === 'optional') properties[p.key] = plaintextSchema(p.elements[0]!);
  const plaintext = { ...schema, properties };
  const a = compiler();
  const validate = a.compile(plaintext);
  a.removeSchema(plaintext); // the compiled function is kept per document; don't let ajv's cache pin every document
  return { spec, params, members, validate };
}

function optionsOf(param: ActionParam): Array<{ value: string; label?: string }> {
  if (param.kind === 'choice' || param.kind === 'choices') return param.elements.map((e) => ({ value: e.value ?? 'on', label: e.label }));
  const element = param.elements[0];
  if (element?.role === 'input.select') return element.validation?.options ?? [];
  return [];
}

const fold = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

/** An option's value as given, or the value of the one option whose label it is; else unchanged (the schema refuses it). */
function optionValue(options: Array<{ value: string; label?: string }>, given: string): string {
  if (options.length === 0 || options.some((o) => o.value === given)) return given;
  const exact = options.filter((o) => o.label === given);
  if (exact.length === 1) return exact[0]!.value;
  if (exact.length > 1) return given;
  const wanted = fold(given);
  const loose = options.filter((o) => o.label !== undefined && fold(o.label) === wanted);
  return loose.length === 1 ? loose[0]!.value : given;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

/**
 * Turns params as given into the canonical form the schema describes: keys are param keys
 * (group members given by element name join their group), option labels become option values,
 * null/undefined values are dropped. Throws {@link ActionParamError} for unknown keys and for
 * two different choices of one radio group.
 */
export function normalizeActionParams(model: ActionParamsModel, given: unknown): Record<string, unknown> {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) throw new ActionParamError('not-object', null, 'params must be an object');
  const out: Record<string, unknown> = {};
  const picked = new Map<ActionParam, string[]>();
  const pick = (param: ActionParam, value: string) => {
    const list = picked.get(param) ?? [];
    if (!list.includes(value)) list.push(value);
    picked.set(param, list);
  };
  for (const [key, raw] of Object.entries(given as Record<string, unknown>)) {
    const param = model.params.get(key);
    if (param) {
      if (raw === undefined || raw === null) continue;
      if (param.kind === 'choice' && typeof raw === 'string') pick(param, optionValue(optionsOf(param), raw));
      else if (param.kind === 'choices' && Array.isArray(raw)) {
        for (const v of raw) {
          if (typeof v !== 'string') throw new ActionParamError('type', key, `${key} must be a list of options`);
          pick(param, optionValue(optionsOf(param), v));
        }
        if (raw.length === 0) picked.set(param, picked.get(param) ?? []);
      } else if (param.kind === 'boolean' && typeof raw === 'string' && raw === (param.elements[0]?.value ?? 'on')) out[key] = true;
      else if (param.kind === 'value' && param.elements[0]?.role === 'input.select') {
        const options = optionsOf(param);
        out[key] = typeof raw === 'string' ? optionValue(options, raw) : Array.isArray(raw) ? raw.map((v) => (typeof v === 'string' ? optionValue(options, v) : v)) : raw;
      } else out[key] = raw;
      continue;
    }
    const member = model.members.get(key);
    if (!member) throw new ActionParamError('unknown', null, `unknown parameter ${quote(key)}`, 'unknown parameter');
    if (raw === undefined || raw === null || raw === false) continue;
    const own = member.element.value ?? 'on';
    if (raw !== true && raw !== own) {
      throw typeof raw === 'string'
        ? new ActionParamError('option', key, `${key} must be one of its options`)
        : new ActionParamError('type', key, `${key} must be true or false`);
    }
    pick(member.param, own);
  }
  for (const [param, values] of picked) {
    if (param.kind === 'choice') {
      if (values.length > 1) throw new ActionParamError('conflict', param.key, `two options of one group were given (${param.key})`);
      if (param.key in out && out[param.key] !== values[0]) throw new ActionParamError('conflict', param.key, `two options of one group were given (${param.key})`);
      out[param.key] = values[0];
    } else out[param.key] = values;
  }
  return out;
}

/**
 * Validates canonical params (sensitive values in plaintext) against the action's schema and the
 * page's HTML rules the schema cannot say (a required field must not be empty; values up to
 * 64 KiB). Keys in `opaque` (sensitive values already sealed as JWE) count as given and are not
 * inspected. Coerces scalars in place where the schema allows (`"3"` for a number, `3` for text).
 */
export function checkActionParams(model: ActionParamsModel, params: Record<string, unknown>, options: { opaque?: ReadonlySet<string> } = {}): void {
  const opaque = options.opaque ?? new Set<string>();
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new ActionParamError('type', key, `${key} has the wrong type`);
  }
  // A blank text field is HTML's "no value": required or not, but never held to a pattern or format.
  const inspected: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) if (!opaque.has(key) && value !== '') inspected[key] = value;
  if (!model.validate(inspected)) {
    const error = (model.validate.errors ?? []).find((e) => {
      if (e.keyword !== 'required') return true;
      const key = String((e.params as { missingProperty?: string }).missingProperty);
      return !opaque.has(key) && params[key] !== '';
    });
    if (error) throw fromAjv(model, error);
  }
  Object.assign(params, Object.fromEntries(Object.entries(inspected)));
  for (const [key, param] of model.params) {
    const value = params[key];
    if (value === undefined || opaque.has(key)) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'string' && v.length > MAX_VALUE) throw new ActionParamError('length', key, `${key} is too long`);
    }
    // HTML's `required`: a text field must not be empty, a box must be checked, a group must have a choice.
    if (param.required && (value === '' || value === false || (Array.isArray(value) && value.length === 0))) {
      throw new ActionParamError('required', key, `${key} is required`);
    }
  }
}

function fromAjv(model: ActionParamsModel, e: ErrorObject): ActionParamError {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') {
    const key = String(p.missingProperty);
    return new ActionParamError('required', key, `${key} is required`);
  }
  if (e.keyword === 'additionalProperties') return new ActionParamError('unknown', null, 'unknown parameter');
  const key = e.instancePath.split('/')[1]?.replace(/~1/g, '/').replace(/~0/g, '~') ?? '';
  const param = model.params.get(key);
  const name = param ? key : 'a parameter';
  switch (e.keyword) {
    case 'type':
      if (param?.kind === 'choice') return new ActionParamError('type', key, `${name} must be one option`);
      if (param?.kind === 'choices' || (param?.schema as { type?: string } | undefined)?.type === 'array') return new ActionParamError('type', key, `${name} must be a list of options`);
      if (param?.kind === 'boolean') return new ActionParamError('type', key, `${name} must be true or false`);
      return new ActionParamError('type', key, `${name} has the wrong type`);
    case 'enum':
      return new ActionParamError('option', key, `${name} must be one of its options`);
    case 'pattern':
      return new ActionParamError('pattern', key, `${name} does not match the page's pattern`);
    case 'minLength':
      return new ActionParamError('length', key, `${name} must have at least ${p.limit} characters`);
    case 'maxLength':
      return new ActionParamError('length', key, `${name} must have at most ${p.limit} characters`);
    case 'minimum':
      return new ActionParamError('range', key, `${name} must be at least ${p.limit}`);
    case 'maximum':
      return new ActionParamError('range', key, `${name} must be at most ${p.limit}`);
    case 'format':
      return new ActionParamError('format', key, `${name} must be ${FORMAT_WORDS[String(p.format)] ?? `a valid ${String(p.format)}`}`);
    case 'uniqueItems':
      return new ActionParamError('duplicate', key, `${name} lists an option twice`);
    default:
      return new ActionParamError('type', key, `${name} is not valid`);
  }
}

/** One value to send upstream under the page's original field name. */
export interface UpstreamField {
  name: string;
  value: string;
}

/**
 * The HTML fields a browser would submit for validated canonical params (sensitive values in
 * plaintext): original field names, a checked box's own value, one field per selected option.
 */
export function upstreamFields(model: ActionParamsModel, params: Record<string, unknown>): UpstreamField[] {
  const fields: UpstreamField[] = [];
  for (const [key, param] of model.params) {
    const value = params[key];
    if (value === undefined || value === null) continue;
    const element = param.elements[0]!;
    switch (param.kind) {
      case 'boolean':
        if (value === true) fields.push({ name: element.field ?? key, value: element.value ?? 'on' });
        break;
      case 'choice':
      case 'choices':
        for (const v of (Array.isArray(value) ? value : [value]) as string[]) {
          const chosen = param.elements.find((e) => (e.value ?? 'on') === v) ?? element;
          fields.push({ name: chosen.field ?? param.field ?? chosen.name, value: v });
        }
        break;
      default:
        for (const v of Array.isArray(value) ? value : [value]) fields.push({ name: element.field ?? key, value: String(v) });
    }
  }
  return fields;
}
