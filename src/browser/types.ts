/**
 * Types of the in-browser script. Structural on purpose: any WebMCP document (section 2 of the
 * spec) is assignable to {@link PageDescription}, and the script has no runtime imports.
 */

/** The parts of a WebMCP element the browser script reads. */
export interface DescribedElement {
  name: string;
  role: string;
  selector: string;
  label?: string;
  form?: string;
  required?: boolean;
  method?: string;
  url?: string;
  validation?: { pattern?: string; minLength?: number; maxLength?: number };
  security?: { encryption?: string; csrf_token?: boolean };
}

/** The parts of a WebMCP document the browser script reads. */
export interface PageDescription {
  version?: string;
  context?: { title?: string; url?: string; purpose?: string };
  elements: DescribedElement[];
}

/** JSON Schema subset used for tool inputs. */
export interface JsonSchema {
  type?: 'object' | 'string' | 'number' | 'boolean' | 'array';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  enum?: string[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
}

/** What `execute` resolves to: an MCP-style tool result. */
export interface ToolResult {
  content: { type: 'text'; text: string }[];
  isError?: boolean;
}

/** A W3C WebMCP tool descriptor as passed to `registerTool`. */
export interface ModelContextTool {
  name: string;
  description: string;
  inputSchema: JsonSchema;
  annotations?: { readOnlyHint?: boolean };
  execute(input: Record<string, unknown>): Promise<ToolResult>;
}

/** `document.modelContext` (Chromium 156+) and `navigator.modelContext` (earlier drafts, polyfills). */
export interface ModelContextLike {
  registerTool(tool: ModelContextTool, options?: { signal?: AbortSignal }): unknown;
  unregisterTool?(name: string): unknown;
}

/** Where the page's WebMCP description comes from. */
export interface GatewaySource {
  /** Gateway base URL, e.g. `https://gw.example` (the page is read from `GET /webmcp/pages/:page`). */
  baseUrl: string;
  /** Bearer access token; without one the request carries the gateway session cookie. */
  token?: string | (() => string | Promise<string>);
}

export interface RegisterPageToolsOptions {
  /**
   * The description to use. Default: the page's `<script type="application/webmcp+json">`, else the
   * gateway (when `gateway` is given).
   */
  description?: PageDescription;
  /** Read the description from a webmcp gateway. Needs `page`. */
  gateway?: GatewaySource;
  /** Page id: the gateway page to read, and the tool name prefix (`<page>_<action>`). */
  page?: string;
  /** The document to work on. Default: `globalThis.document`. */
  document?: Document;
  /** Registration surface. Default: `document.modelContext`, else `navigator.modelContext`. */
  modelContext?: ModelContextLike;
  /** Aborting this signal unregisters the tools too. */
  signal?: AbortSignal;
}

/** What {@link registerPageTools} returns: abort it to unregister every tool it registered. */
export interface PageToolsController extends AbortController {
  /**
   * Resolves to the names of the registered tools once they are registered (an empty list when the
   * browser has no WebMCP surface); rejects when the description cannot be read or is invalid.
   */
  readonly ready: Promise<string[]>;
}
