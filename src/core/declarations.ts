import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { WebMCPDeclarationError } from '../errors.js';
import { querySelectorAll } from './css.js';
import { declarationSchema } from './declaration-schema.js';
import type { Described } from './describe.js';
import { getAttr, type ElementNode } from './dom.js';
import { NameRegistry } from './naming.js';
import { cleanText, toUpperSnake } from './text.js';
import type { Diagnostic, ElementValidation, WebMCPDocument, WebMCPElement, WebMCPRole } from './types.js';
import type { PageModel } from './walk.js';

/**
 * Pages that describe themselves win over detection: `<script type="application/webmcp+json">`
 * (webMCP 0.1/0.2) and W3C WebMCP declarative forms (`toolname`, `tooldescription`,
 * `toolparamdescription`). Invalid declarations are refused with an error naming the JSON path.
 */
let validator: ValidateFunction | null = null;

function validate(value: unknown): ErrorObject | null {
  validator ??= new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true }).compile(declarationSchema);
  return validator(value) ? null : (validator.errors?.[0] ?? null);
}

interface DeclaredElement {
  selector: string;
  role: WebMCPRole;
  name: string;
  label?: string;
  description?: string;
  context?: string;
  form?: string;
  required?: boolean;
  validation?: string | (Omit<ElementValidation, 'options'> & { options?: Array<string | { value: string; label?: string; selected?: boolean }> });
  security?: { csrf_token?: boolean | string; encryption?: 'required' | 'optional'; jwt_scope?: string[] };
  method?: string;
  url?: string;
  examples?: string[];
}

interface Declaration {
  version: '0.1' | '0.2';
  context?: string | { title?: string; url?: string; purpose?: string; language?: string; description?: string };
  elements: DeclaredElement[];
  security?: { csrf?: { token_field?: string; header_name?: string }; jwt?: { header_name?: string; encryption?: 'JWE' | 'none' } };
}

const FORMAT_WORDS = new Set(['email', 'uri', 'url', 'date', 'date-time', 'time', 'number', 'integer', 'tel', 'phone']);

export function parseDeclaration(text: string, index: number): Declaration {
  const where = index === 0 ? '' : `script ${index + 1} `;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) throw new WebMCPDeclarationError(`${where}$`, 'is not valid JSON', { cause: err });
    throw err;
  }
  const error = validate(value);
  if (error) {
    const path = `${where}${error.instancePath || '/'}`;
    const detail = error.keyword === 'additionalProperties' ? `has unknown property "${String((error.params as { additionalProperty?: string }).additionalProperty)}"` : (error.message ?? 'is invalid');
    throw new WebMCPDeclarationError(path, detail);
  }
  return value as Declaration;
}

export function applyDeclarations(doc: WebMCPDocument, page: PageModel, described: Described, diagnostics: Diagnostic[]): void {
  let declared = false;
  page.declarations.forEach((text, i) => {
    applyJsonDeclaration(doc, page, described, parseDeclaration(text, i), diagnostics, i);
    declared = true;
  });
  if (applyToolForms(doc, page, described)) declared = true;
  if (declared) doc.metadata.declared = true;
}

function applyJsonDeclaration(doc: WebMCPDocument, page: PageModel, described: Described, decl: Declaration, diagnostics: Diagnostic[], scriptIndex: number): void {
  const where = scriptIndex === 0 ? '' : `script ${scriptIndex + 1} `;
  if (typeof decl.context === 'string') {
    const d = cleanText(decl.context, 500);
    if (d) doc.context.description = d;
  } else if (decl.context) {
    for (const key of ['title', 'url', 'purpose', 'language', 'description'] as const) {
      const v = cleanText(decl.context[key], key === 'description' ? 500 : 200);
      if (v) (doc.context as Record<string, string>)[key] = v;
    }
  }
  if (decl.security?.csrf) {
    doc.security.csrf = { header_name: cleanText(decl.security.csrf.header_name, 100) || doc.security.csrf?.header_name || 'X-CSRF-Token' };
    const field = cleanText(decl.security.csrf.token_field, 100);
    if (field) doc.security.csrf.token_field = field;
  }
  if (decl.security?.jwt) {
    doc.security.jwt = {
      header_name: cleanText(decl.security.jwt.header_name, 100) || 'Authorization',
      encryption: decl.security.jwt.encryption ?? doc.security.jwt?.encryption ?? 'JWE',
    };
  }

  const seen = new Set<string>();
  decl.elements.forEach((d, i) => {
    const path = `${where}/elements/${i}`;
    if (seen.has(d.name)) throw new WebMCPDeclarationError(`${path}/name`, `duplicates the name "${d.name}"`);
    seen.add(d.name);
    const matches = querySelectorAll(d.selector, page.document);
    if (matches === null) throw new WebMCPDeclarationError(`${path}/selector`, 'is not a valid CSS selector');
    if (matches.length !== 1) {
      // The page may build this element with script; a static analysis cannot vouch for it.
      diagnostics.push({ code: 'DECLARED_SELECTOR_NOT_UNIQUE', path: `${path}/selector`, message: `matches ${matches.length} elements in the page; element left out` });
      return;
    }
    mergeElement(doc, described, matches[0], d);
  });
  renameClashes(doc);
}

function declaredValidation(v: DeclaredElement['validation']): ElementValidation | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') {
    const s = v.trim();
    if (!s) return undefined;
    return FORMAT_WORDS.has(s.toLowerCase()) ? { format: s.toLowerCase() === 'url' ? 'uri' : s.toLowerCase() } : { pattern: s };
  }
  const { options, ...rest } = v;
  const out: ElementValidation = { ...rest };
  if (options) out.options = options.map((o) => (typeof o === 'string' ? { value: o } : { ...o }));
  return out;
}

function mergeElement(doc: WebMCPDocument, described: Described, target: ElementNode, d: DeclaredElement): void {
  const existing = described.elementOf.get(target);
  const e: WebMCPElement = existing ?? { name: d.name, role: d.role, selector: d.selector };
  e.name = d.name;
  e.role = d.role;
  e.selector = d.selector;
  const label = cleanText(d.label, 200);
  if (label) e.label = label;
  const description = cleanText(d.description ?? d.context, 500);
  if (description) e.context = description;
  if (d.required !== undefined) e.required = d.required;
  const validation = declaredValidation(d.validation);
  if (validation) e.validation = validation;
  if (d.security) {
    e.security = {};
    if (d.security.encryption) e.security.encryption = d.security.encryption;
    if (d.security.csrf_token !== undefined) e.security.csrf_token = Boolean(d.security.csrf_token);
    if (d.security.jwt_scope) e.security.jwt_scope = [...d.security.jwt_scope];
  }
  if (d.method) e.method = d.method.toUpperCase();
  if (d.url) e.url = d.url;
  if (d.form) e.form = d.form;
  // What the page declares secret never carries a value.
  if (e.security?.encryption === 'required') delete e.value;
  e.source = 'declared';
  if (!existing) {
    doc.elements.push(e);
    described.elementOf.set(target, e);
  }
}

/** Declared names win: a detected element that had the same name takes the next free one. */
function renameClashes(doc: WebMCPDocument): void {
  const registry = new NameRegistry();
  for (const e of doc.elements) if (e.source === 'declared') registry.reserve(e.name);
  const renamed = new Map<string, string>();
  for (const e of doc.elements) {
    if (e.source === 'declared') continue;
    const fresh = registry.take(e.name, 'ELEMENT');
    if (fresh !== e.name) renamed.set(e.name, fresh);
    e.name = fresh;
  }
  if (renamed.size) for (const f of doc.forms) f.elements = f.elements.map((n) => renamed.get(n) ?? n);
}

/** W3C WebMCP declarative forms: `<form toolname tooldescription [toolautosubmit]>` and `toolparamdescription`. */
function applyToolForms(doc: WebMCPDocument, page: PageModel, described: Described): boolean {
  let any = false;
  const formNames = new NameRegistry();
  for (const f of doc.forms) formNames.reserve(f.name);
  for (const formEl of page.forms) {
    const toolname = getAttr(formEl, 'toolname');
    if (toolname === undefined) continue;
    const form = described.formOf.get(formEl);
    const path = form ? `${form.selector} [toolname]` : 'form[toolname]';
    const name = cleanText(toolname, 64);
    if (!name) throw new WebMCPDeclarationError(path, 'toolname must not be empty');
    if (!form) continue;
    any = true;
    const tool: NonNullable<typeof form.tool> = { name };
    const description = cleanText(getAttr(formEl, 'tooldescription'), 500);
    if (description) tool.description = description;
    if (getAttr(formEl, 'toolautosubmit') !== undefined) tool.autosubmit = true;
    form.tool = tool;
    const newName = toUpperSnake(name, 6);
    if (newName && newName !== form.name) {
      const old = form.name;
      form.name = formNames.take(newName, 'FORM');
      for (const e of doc.elements) if (e.form === old) e.form = form.name;
    }
    for (const e of doc.elements) {
      if (e.form !== form.name) continue;
      e.source = 'declared';
    }
  }
  for (const [el, e] of described.elementOf) {
    const pd = getAttr(el, 'toolparamdescription');
    const pt = getAttr(el, 'toolparamtitle');
    if (pd === undefined && pt === undefined) continue;
    any = true;
    const d = cleanText(pd, 500);
    if (d) e.context = d;
    const t = cleanText(pt, 200);
    if (t) e.label = t;
  }
  return any;
}
