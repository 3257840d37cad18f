import type { RuntimeTool } from '../core/types.js';

/**
 * Page-registered WebMCP tools are untrusted page data: this keeps only well-formed entries, with
 * bounded sizes, and only the annotation hints the W3C draft defines.
 */
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const MAX_TOOLS = 128;
const MAX_DESCRIPTION = 2000;
const MAX_SCHEMA_CHARS = 32_768;
const MAX_SCHEMA_DEPTH = 32;
const HINTS = ['readOnlyHint', 'untrustedContentHint', 'consequentialHint', 'debugging'] as const;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function cleanText(value: string, max: number): string {
  const s = value.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function depthWithin(v: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length > 0) {
    const [node, d] = stack.pop() as [unknown, number];
    if (d > max) return false;
    if (typeof node === 'object' && node !== null) for (const child of Object.values(node)) stack.push([child, d + 1]);
  }
  return true;
}

/** JSON-safe copy of a schema without prototype-polluting keys, or undefined when it is unusable. */
function cleanSchema(v: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(v)) return undefined;
  let text: string;
  try {
    text = JSON.stringify(v);
  } catch (err) {
    void err; // a schema that cannot be serialised is simply not kept
    return undefined;
  }
  if (text.length > MAX_SCHEMA_CHARS || !depthWithin(v, MAX_SCHEMA_DEPTH)) return undefined;
  const copy = JSON.parse(text, (key, value) => (key === '__proto__' || key === 'constructor' || key === 'prototype' ? undefined : value)) as unknown;
  return isPlainObject(copy) ? copy : undefined;
}

/** Validates what the in-page shim recorded; drops anything malformed, duplicates included. */
export function sanitizeRuntimeTools(raw: unknown): RuntimeTool[] {
  if (!Array.isArray(raw)) return [];
  const out: RuntimeTool[] = [];
  const seen = new Set<string>();
  for (const item of raw) {
    if (out.length >= MAX_TOOLS) break;
    if (!isPlainObject(item) || typeof item.name !== 'string' || !NAME.test(item.name) || seen.has(item.name)) continue;
    seen.add(item.name);
    const tool: RuntimeTool = { name: item.name };
    if (typeof item.description === 'string') {
      const d = cleanText(item.description, MAX_DESCRIPTION);
      if (d) tool.description = d;
    }
    const schema = cleanSchema(item.inputSchema);
    if (schema) tool.inputSchema = schema;
    if (isPlainObject(item.annotations)) {
      const a: Record<string, boolean> = {};
      for (const h of HINTS) if (typeof item.annotations[h] === 'boolean') a[h] = item.annotations[h] as boolean;
      if (Object.keys(a).length > 0) tool.annotations = a;
    }
    out.push(tool);
  }
  return out;
}
