import type { WebMCPDocument } from './types.js';

/**
 * The `<script type="application/webmcp+json">` block a site owner can paste into a page so the
 * page declares itself (webMCP 0.2). It round-trips: the core reads it back as a declaration.
 */
export function toDeclaration(doc: WebMCPDocument): Record<string, unknown> {
  const context: Record<string, string> = {};
  for (const key of ['title', 'url', 'purpose', 'language', 'description'] as const) {
    const v = doc.context?.[key];
    if (typeof v === 'string' && v) context[key] = v;
  }
  const elements = doc.elements.map((e) => {
    const out: Record<string, unknown> = { selector: e.selector, role: e.role, name: e.name };
    if (e.label) out.label = e.label;
    if (e.context) out.context = e.context;
    if (e.form) out.form = e.form;
    if (e.required) out.required = true;
    if (e.validation) out.validation = e.validation;
    if (e.security) {
      const s: Record<string, unknown> = {};
      if (e.security.encryption) s.encryption = e.security.encryption;
      if (e.security.csrf_token) s.csrf_token = true;
      if (e.security.jwt_scope) s.jwt_scope = e.security.jwt_scope;
      out.security = s;
    }
    if (e.method && e.method !== 'DIALOG') out.method = e.method;
    if (e.url) out.url = e.url;
    return out;
  });
  const decl: Record<string, unknown> = { version: '0.2', context, elements };
  const security: Record<string, unknown> = {};
  if (doc.security?.csrf) security.csrf = { ...doc.security.csrf };
  if (doc.security?.jwt) security.jwt = { ...doc.security.jwt };
  if (Object.keys(security).length) decl.security = security;
  return decl;
}

/** The declaration as a script element. `<`, `>` and `&` are escaped so page text can never close the script. */
export function toDeclarationScript(doc: WebMCPDocument): string {
  const json = JSON.stringify(toDeclaration(doc), null, 2)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
  return `<script type="application/webmcp+json">\n${json}\n</script>\n`;
}
