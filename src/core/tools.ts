import type { WebMCPDocument, WebMCPElement, WebMCPForm } from './types.js';

/**
 * What an action takes and sends: the one model behind MCP tools, W3C WebMCP tools, the client's
 * validation and the gateway's forwarding. Parameters are keyed by element name (radio and
 * checkbox groups by group name) and say which HTML field they are submitted as.
 */
export interface ActionParam {
  /** The parameter name agents use: an element name, or a group name. */
  key: string;
  /** JSON Schema (2020-12) of the value. */
  schema: Record<string, unknown>;
  required: boolean;
  /** The HTML field name the value is submitted under, when the control has one. */
  field?: string;
  /** Value must travel as compact JWE (element marked `encryption: required`). */
  encrypted: boolean;
  kind: 'value' | 'boolean' | 'choice' | 'choices';
  /** The elements this parameter fills. */
  elements: WebMCPElement[];
}

export interface ActionSpec {
  /** The action element's name (what the gateway's `/webmcp/actions/:page/:action` takes). */
  action: string;
  element: WebMCPElement;
  form?: WebMCPForm;
  method: string;
  url?: string;
  params: ActionParam[];
  readOnly: boolean;
  destructive: boolean;
}

const JSON_SCHEMA_2020 = 'https://json-schema.org/draft/2020-12/schema';
const STRING_ROLES = new Set(['input.text', 'input.email', 'input.password', 'input.tel', 'input.url', 'input.search', 'input.date', 'input.color', 'input.textarea', 'input.hidden']);

function describeParam(e: WebMCPElement): string | undefined {
  const parts = [e.context, e.label].filter((s): s is string => !!s);
  return parts.length ? parts[0] : undefined;
}

/** A compact JWE (five base64url parts), for fields that travel encrypted: advertised in schemas and checked by the bridges. */
export const COMPACT_JWE = '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$';

/**
 * The constraints a text field's plaintext must meet, as the page states them (format, pattern,
 * lengths). The gateway checks a decrypted value against these; `valueSchema` advertises them.
 */
export function plaintextSchema(e: WebMCPElement): Record<string, unknown> {
  const v = e.validation ?? {};
  const s: Record<string, unknown> = { type: 'string' };
  if (v.format && v.format !== 'color' && v.format !== 'month' && v.format !== 'week') s.format = v.format;
  if (v.pattern) s.pattern = `^(?:${v.pattern})$`;
  if (v.minLength !== undefined) s.minLength = v.minLength;
  if (v.maxLength !== undefined) s.maxLength = v.maxLength;
  return s;
}

function valueSchema(e: WebMCPElement): Record<string, unknown> {
  const v = e.validation ?? {};
  const description = describeParam(e);
  const head: Record<string, unknown> = description ? { description } : {};
  if (e.role === 'input.number' || e.role === 'input.range') {
    const s: Record<string, unknown> = { ...head, type: 'number' };
    if (typeof v.min === 'number') s.minimum = v.min;
    if (typeof v.max === 'number') s.maximum = v.max;
    return s;
  }
  if (e.role === 'input.select') {
    const values = (v.options ?? []).map((o) => o.value);
    const item: Record<string, unknown> = { type: 'string' };
    if (values.length) item.enum = [...new Set(values)];
    if (v.multiple) return { ...head, type: 'array', items: item, uniqueItems: true };
    return { ...head, ...item };
  }
  const encryption = e.security?.encryption;
  if (encryption === 'required') {
    // The schema describes what is sent: a JWE, whatever the plaintext's own constraints.
    return {
      type: 'string',
      pattern: COMPACT_JWE,
      description: `${description ? description + '. ' : ''}Sensitive: send as compact JWE (ECDH-ES+A256KW, A256GCM) to the gateway's enc key.`,
      'x-webmcp-encryption': 'required',
    };
  }
  if (encryption === 'optional') {
    // Either the plain value, meeting the page's constraints, or that value as a compact JWE.
    return {
      ...head,
      anyOf: [plaintextSchema(e), { type: 'string', pattern: COMPACT_JWE }],
      'x-webmcp-encryption': 'optional',
    };
  }
  return { ...head, ...plaintextSchema(e) };
}

/** Parameters of a form's elements (inputs only), grouping radios and checkbox groups. */
export function formParams(elements: readonly WebMCPElement[]): ActionParam[] {
  const params: ActionParam[] = [];
  const groups = new Map<string, ActionParam>();
  for (const e of elements) {
    if (!e.role.startsWith('input.') || e.role === 'input.file' || e.disabled) continue;
    if (e.group && (e.role === 'input.radio' || e.role === 'input.checkbox')) {
      let p = groups.get(e.group);
      if (!p) {
        p = {
          key: e.group,
          schema: {},
          required: false,
          field: e.field,
          encrypted: false,
          kind: e.role === 'input.radio' ? 'choice' : 'choices',
          elements: [],
        };
        groups.set(e.group, p);
        params.push(p);
      }
      p.elements.push(e);
      if (e.required) p.required = true;
      continue;
    }
    if (e.role === 'input.checkbox' || (e.role === 'input.radio' && !e.group)) {
      const s: Record<string, unknown> = { type: 'boolean' };
      const d = describeParam(e);
      if (d) s.description = d;
      params.push({ key: e.name, schema: s, required: !!e.required, field: e.field, encrypted: false, kind: 'boolean', elements: [e] });
      continue;
    }
    if (!STRING_ROLES.has(e.role) && e.role !== 'input.number' && e.role !== 'input.range' && e.role !== 'input.select') continue;
    params.push({
      key: e.name,
      schema: valueSchema(e),
      required: !!e.required,
      field: e.field,
      encrypted: e.security?.encryption === 'required',
      kind: 'value',
      elements: [e],
    });
  }
  for (const p of groups.values()) {
    const values = [...new Set(p.elements.map((e) => e.value ?? 'on'))];
    const labels = p.elements.map((e) => e.label).filter(Boolean);
    const description = labels.length ? `One of: ${labels.slice(0, 20).join(', ')}` : undefined;
    const item = { type: 'string', enum: values };
    p.schema = p.kind === 'choice' ? { ...item, ...(description ? { description } : {}) } : { type: 'array', items: item, uniqueItems: true, ...(description ? { description } : {}) };
  }
  return params;
}

const READONLY_PURPOSES = new Set(['search']);

/** Every action of a document: each form's submit buttons, and free-standing buttons. Links are navigation, not actions. */
export function listActions(doc: WebMCPDocument): ActionSpec[] {
  const byName = new Map(doc.elements.map((e) => [e.name, e]));
  const forms = new Map((doc.forms ?? []).map((f) => [f.name, f]));
  const out: ActionSpec[] = [];
  const paramsOf = new Map<string, ActionParam[]>();
  for (const e of doc.elements) {
    if (!e.role.startsWith('action.') || e.role === 'action.navigate') continue;
    const form = e.form ? forms.get(e.form) : undefined;
    if (form && e.role !== 'action.submit' && e.role !== 'action.delete') continue;
    let params: ActionParam[] = [];
    if (form) {
      params = paramsOf.get(form.name) ?? formParams(form.elements.map((n) => byName.get(n)).filter((x): x is WebMCPElement => !!x));
      paramsOf.set(form.name, params);
    }
    const method = (e.method ?? form?.method ?? (form ? 'GET' : 'POST')).toUpperCase();
    out.push({
      action: e.name,
      element: e,
      form,
      method,
      url: e.url ?? form?.url,
      params,
      readOnly: !!form && method === 'GET' && READONLY_PURPOSES.has(form.purpose),
      destructive: e.role === 'action.delete',
    });
  }
  return out;
}

/** Looks up one action by element name. */
export function findAction(doc: WebMCPDocument, action: string): ActionSpec | undefined {
  return listActions(doc).find((a) => a.action === action);
}

/** JSON Schema (2020-12) of an action's parameters. */
export function actionInputSchema(spec: ActionSpec): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const p of spec.params) {
    properties[p.key] = p.schema;
    if (p.required) required.push(p.key);
  }
  const schema: Record<string, unknown> = { $schema: JSON_SCHEMA_2020, type: 'object', properties, additionalProperties: false };
  if (required.length) schema.required = required;
  return schema;
}

/** `<page>_<action>` in lower snake case, as MCP tool names must be (`^[a-z0-9_]{1,64}$`). */
export function toolName(page: string, action: string): string {
  const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return `${slug(page) || 'page'}_${slug(action) || 'action'}`.slice(0, 64);
}

/** A page id for a single document: the last path segment of its URL, else its title, else `page`. */
export function pageIdOf(doc: WebMCPDocument): string {
  const url = doc.context?.url;
  if (url) {
    try {
      const segs = new URL(url).pathname.split('/').filter(Boolean);
      const last = segs[segs.length - 1]?.replace(/\.[a-z0-9]+$/i, '');
      if (last && /[a-z]/i.test(last)) return toolName(last, 'x').slice(0, -2);
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
    }
  }
  return 'page';
}

function describeAction(spec: ActionSpec): string {
  const what = spec.form ? `Submits the ${spec.form.name} form${spec.form.purpose !== 'other' ? ` (${spec.form.purpose.replace('_', ' ')})` : ''}` : `Activates ${spec.element.label ? `"${spec.element.label}"` : spec.action}`;
  const parts = [spec.element.context ?? spec.form?.tool?.description, what, spec.url ? `${spec.method} ${spec.url}` : ''].filter(Boolean);
  return parts.join('. ');
}

export interface McpTool {
  name: string;
  title?: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations: { title?: string; readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };
}

/**
 * MCP `tools/list` entries for a page: one tool per action, named `<page>_<action>`.
 *
 * @example
 * toMcpTools(doc, { page: 'login' }).map((t) => t.name) // ['login_log_in']
 */
export function toMcpTools(doc: WebMCPDocument, options: { page?: string } = {}): McpTool[] {
  const page = options.page ?? pageIdOf(doc);
  return listActions(doc).map((spec) => {
    const title = spec.element.label ?? spec.action;
    return {
      name: toolName(page, spec.action),
      title,
      description: describeAction(spec),
      inputSchema: actionInputSchema(spec),
      annotations: {
        title,
        readOnlyHint: spec.readOnly,
        destructiveHint: spec.destructive,
        idempotentHint: spec.readOnly,
        openWorldHint: true,
      },
    };
  });
}

export interface ModelContextToolDescriptor {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations?: { readOnlyHint?: boolean };
  /** Which action of the document the tool runs (for `webmcp/browser`'s execute). */
  action: string;
}

/**
 * W3C WebMCP `registerTool` descriptors (without `execute`, which the page script supplies).
 * Forms that declare themselves with `toolname` are left out: the browser exposes those itself.
 */
export function toModelContextTools(doc: WebMCPDocument, options: { page?: string } = {}): ModelContextToolDescriptor[] {
  const page = options.page ?? pageIdOf(doc);
  return listActions(doc)
    .filter((spec) => !spec.form?.tool)
    .map((spec) => ({
      // Same names as the MCP tools and webmcp/browser: `<page>_<action>`.
      name: toolName(page, spec.action),
      description: describeAction(spec),
      inputSchema: actionInputSchema(spec),
      annotations: { readOnlyHint: spec.readOnly },
      action: spec.action,
    }));
}
