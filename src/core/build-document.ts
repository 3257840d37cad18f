import { applyDeclarations } from './declarations.js';
import { describePage } from './describe.js';
import { parseDocument } from './dom.js';
import { cleanText } from './text.js';
import type { Diagnostic, OptimizationLevel, RuntimeTool, TokenCounts, WebMCPDocument } from './types.js';
import { walkPage } from './walk.js';

/** Everything one analysis needs, as plain data (it crosses to the analysis worker as is). */
export interface BuildRequest {
  html: string;
  url: string | undefined;
  level: OptimizationLevel;
  runtimeTools: RuntimeTool[] | undefined;
  shadowRoots: boolean;
  goal: string | undefined;
  /** `generated_at`, decided by the caller's clock. */
  generatedAt: string;
  csrfHeader: string | null;
  jwe: boolean;
}

/**
 * Page -> document, without the parts that cannot leave the calling thread: token counts (lazy
 * getters over the HTML) and freezing are added by the processor. Throws the core's typed errors.
 */
export function buildDocument(r: BuildRequest): WebMCPDocument {
  const page = walkPage(parseDocument(r.html, { shadowRoots: r.shadowRoots }));
  const described = describePage(page, r.url);
  const diagnostics: Diagnostic[] = [];
  const doc: WebMCPDocument = {
    version: '0.2',
    context: {},
    elements: described.elements,
    forms: described.forms,
    security: {},
    metadata: {
      generated_at: r.generatedAt,
      optimization_level: r.level,
      tokens: undefined as unknown as TokenCounts,
    },
  };
  const title = cleanText(page.title, 200);
  if (title) doc.context.title = title;
  if (r.url) {
    doc.context.url = r.url;
    doc.metadata.page_url = r.url;
  }
  if (described.purpose) doc.context.purpose = described.purpose;
  const lang = cleanText(page.language, 35);
  if (lang) doc.context.language = lang;
  const description = cleanText(page.description, 200);
  if (description) doc.context.description = description;
  if (r.csrfHeader && (described.csrfField || page.csrfMeta)) {
    doc.security.csrf = { header_name: r.csrfHeader };
    const field = cleanText(described.csrfField ?? page.csrfMeta, 100);
    if (field) doc.security.csrf.token_field = field;
  }
  doc.security.jwt = { header_name: 'Authorization', encryption: r.jwe ? 'JWE' : 'none' };
  applyDeclarations(doc, page, described, diagnostics);
  if (r.runtimeTools) doc.tools = r.runtimeTools.map(cleanRuntimeTool);
  if (r.goal) doc.metadata.goal = r.goal;
  if (diagnostics.length) doc.metadata.diagnostics = diagnostics;
  return doc;
}

function cleanRuntimeTool(t: RuntimeTool): RuntimeTool {
  const out: RuntimeTool = { name: cleanText(String(t.name), 64) };
  const d = cleanText(typeof t.description === 'string' ? t.description : '', 500);
  if (d) out.description = d;
  if (t.inputSchema && typeof t.inputSchema === 'object') out.inputSchema = JSON.parse(JSON.stringify(t.inputSchema)) as Record<string, unknown>;
  if (t.annotations && typeof t.annotations === 'object') out.annotations = JSON.parse(JSON.stringify(t.annotations)) as Record<string, unknown>;
  return out;
}
