import { toMcpTools, toolName, type McpTool } from '../core/tools.js';
import type { WebMCPDocument } from '../core/types.js';

/** An MCP tool that runs one page action through a gateway. */
export interface PageTool extends McpTool {
  page: string;
  action: string;
}

/**
 * Who encrypts sensitive fields. `client`: the bridge encrypts them on the agent's machine, so the
 * agent gives plaintext. `agent`: the caller must send compact JWE itself (the gateway's `/mcp`).
 */
export type SensitiveFieldMode = 'client' | 'agent';

export const ANALYZE_TOOL = 'analyze_page';

/**
 * The MCP tools of one page: `toMcpTools(doc)` (names `<page>_<action>`, schemas, annotations),
 * limited to the actions the gateway runs for it.
 */
export function pageTools(page: string, doc: WebMCPDocument, actions: readonly string[], mode: SensitiveFieldMode): PageTool[] {
  const byName = new Map(toMcpTools(doc, { page }).map((tool) => [tool.name, tool]));
  const out: PageTool[] = [];
  for (const action of actions) {
    const tool = byName.get(toolName(page, action));
    if (!tool) continue;
    out.push({ ...tool, inputSchema: mode === 'client' ? plaintextSensitive(tool.inputSchema) : tool.inputSchema, page, action });
  }
  return out;
}

/** Through the bridge an agent passes plaintext: the client encrypts before anything leaves. */
function plaintextSensitive(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  if (!properties) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(properties)) {
    if (prop['x-webmcp-encryption'] !== 'required') {
      out[key] = prop;
      continue;
    }
    const label = typeof prop.description === 'string' ? prop.description.replace(/\.?\s*Sensitive:.*$/s, '') : '';
    out[key] = {
      ...prop,
      description: `${label ? `${label}. ` : ''}Sensitive: give the plain value; it is encrypted (JWE) on this machine before it is sent.`,
    };
  }
  return { ...schema, properties: out };
}

/** `analyze_page`: the compact description of any page, from its HTML or its URL. */
export function analyzeTool(options: { urlFetch: boolean }): McpTool {
  return {
    name: ANALYZE_TOOL,
    title: 'Analyze a web page',
    description:
      'Describes what can be done on a web page: its forms, fields, buttons and links with CSS selectors, as compact text. ' +
      (options.urlFetch ? 'Give the page HTML, or a URL to fetch.' : 'Give the page HTML (and its URL); this server does not fetch URLs.') +
      ' Optional: a goal (e.g. "log in") to rank what matters first, max_tokens to bound the answer, scope to see one part.' +
      ' Asking again for the same url answers with what changed since, when that is shorter.',
    inputSchema: {
      type: 'object',
      properties: {
        html: { type: 'string', description: 'The page HTML.' },
        url: { type: 'string', description: 'The page URL (absolute http or https).' },
        goal: { type: 'string', description: 'What the agent wants to do on the page.' },
        max_tokens: { type: 'integer', minimum: 50, maximum: 200000, description: 'Token budget of the answer (o200k_base).' },
        scope: { type: 'string', description: 'Only this part: a form, element or group name, or a selector from an earlier answer.' },
      },
      additionalProperties: false,
    },
    annotations: { title: 'Analyze a web page', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  };
}
