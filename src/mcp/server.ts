import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { viewSince } from '../core/diff.js';
import { formatForModel } from '../core/format.js';
import type { WebMCPDocument } from '../core/types.js';
import { isWebMCPError } from '../errors.js';
import { ANALYZE_TOOL, analyzeTool, type PageTool } from './tools.js';

/** Where the MCP tools get their pages and run their calls: the client SDK, or the gateway itself. */
/** `analyze_page` given HTML without a URL: the analyser still wants an absolute URL to resolve links against. */
export const UNKNOWN_PAGE_URL = 'https://page.invalid/';

export interface McpBackend {
  /** The page tools the caller may use now. */
  tools(): Promise<PageTool[]>;
  /** Runs a page action; resolves to the upstream's answer. */
  act(page: string, action: string, args: Record<string, unknown>): Promise<{ status: number; body: unknown }>;
  /** Analyses a page: HTML (with its URL), or a URL when `fetchesUrls`. */
  analyze(input: { html?: string; url?: string }): Promise<WebMCPDocument>;
  /** Whether `analyze` can fetch a URL itself (the local bridge can; the gateway does not). */
  readonly fetchesUrls: boolean;
}

export interface McpServerInfo {
  name: string;
  version: string;
}

/**
 * The documents `analyze_page` answered with earlier in this session, by page URL: a repeated
 * analysis of the same URL answers with what changed, when that is smaller than the full view.
 */
export interface AnalysisHistory {
  get(url: string): WebMCPDocument | undefined;
  set(url: string, doc: WebMCPDocument): void;
}

/** A session's history: the last document of each of the most recent `max` URLs. */
export function createAnalysisHistory(max = 32): AnalysisHistory {
  const docs = new Map<string, WebMCPDocument>();
  return {
    get: (url) => docs.get(url),
    set(url, doc) {
      docs.delete(url);
      docs.set(url, doc);
      if (docs.size > max) docs.delete(docs.keys().next().value as string);
    },
  };
}

/**
 * An MCP server (official SDK, low-level `Server`, JSON Schema tool inputs) exposing each page
 * action as a tool `<page>_<action>` plus `analyze_page`. Results carry the upstream's answer;
 * every failure is an MCP tool error (`isError`) with a clear message, never a stack.
 */
export function createMcpServer(backend: McpBackend, info: McpServerInfo, history: AnalysisHistory | undefined = createAnalysisHistory()): Server {
  const server = new Server(info, {
    capabilities: { tools: {} },
    instructions:
      'Each page tool runs one form action of a web page through a webmcp gateway and returns the site answer as JSON {status, body}. ' +
      'Use analyze_page to see what any page offers.',
  });

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const tools = await backend.tools();
    return { tools: [...tools.map(publicTool), analyzeTool({ urlFetch: backend.fetchesUrls })] };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name } = request.params;
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    try {
      if (name === ANALYZE_TOOL) return await runAnalyze(backend, args, history);
      const tool = (await backend.tools()).find((t) => t.name === name);
      if (!tool) return failure(`unknown tool "${name.slice(0, 64)}"`);
      const answer = await backend.act(tool.page, tool.action, args);
      const text = JSON.stringify({ status: answer.status, body: answer.body });
      if (answer.status >= 400) return failure(`the site answered ${answer.status}: ${text}`);
      return { content: [{ type: 'text', text }] };
    } catch (error) {
      return failure(messageOf(error));
    }
  });

  return server;
}

const ANALYZE_ARGS = ['html', 'url', 'goal', 'max_tokens', 'scope'];

async function runAnalyze(backend: McpBackend, args: Record<string, unknown>, history: AnalysisHistory | undefined): Promise<CallToolResult> {
  const { html, url, goal, max_tokens: maxTokens, scope } = args;
  for (const key of Object.keys(args)) {
    if (!ANALYZE_ARGS.includes(key)) return failure(`unknown argument "${key.slice(0, 64)}"`);
  }
  if (scope !== undefined && typeof scope !== 'string') return failure('scope must be a string');
  if (html !== undefined && typeof html !== 'string') return failure('html must be a string');
  if (url !== undefined && typeof url !== 'string') return failure('url must be a string');
  if (goal !== undefined && typeof goal !== 'string') return failure('goal must be a string');
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || (maxTokens as number) < 50)) return failure('max_tokens must be an integer of at least 50');
  if (html === undefined && url === undefined) return failure('give the page html or its url');
  if (html === undefined && !backend.fetchesUrls) return failure('this server does not fetch URLs: give the page html');
  const doc = await backend.analyze({ ...(html !== undefined ? { html } : {}), ...(url !== undefined ? { url } : {}) });
  const options = { ...(goal ? { goal } : {}), ...(scope ? { scope } : {}), ...(maxTokens !== undefined ? { maxTokens: maxTokens as number } : {}) };
  // Same page again in this session: what changed, when that says it in fewer tokens.
  const key = typeof url === 'string' ? url : undefined;
  const before = key ? history?.get(key) : undefined;
  if (key) history?.set(key, doc);
  const text = before ? viewSince(before, doc, options).text : formatForModel(doc, options);
  return { content: [{ type: 'text', text }] };
}

/** The tool as MCP clients see it (without the routing fields). */
function publicTool(tool: PageTool): Omit<PageTool, 'page' | 'action'> {
  const { page: _page, action: _action, ...rest } = tool;
  return rest;
}

function failure(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** WebMCP errors have safe, specific messages; anything else is reported without internals. */
function messageOf(error: unknown): string {
  if (isWebMCPError(error)) return error.message;
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' ? `the gateway could not be reached (${code})` : 'the call failed unexpectedly';
}
