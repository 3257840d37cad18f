import type { WebMCPElement } from '../core/types.js';
import { WebMCPInputError } from '../errors.js';

/**
 * MCP tool schemas (core `toMcpTools`) take a radio or checkbox group as one param named after
 * the group (`PLAN: "pro"`, `TOPICS: ["a", "b"]`); the gateway's actions take element names
 * (spec section 6). This turns the former into the latter: each chosen element set to `true`.
 * Keys that are neither stay as they are, for the caller's unknown-parameter check.
 */
export function expandGroupParams(inputs: Iterable<WebMCPElement>, params: Record<string, unknown>): Record<string, unknown> {
  const elements = [...inputs];
  const names = new Set(elements.map((e) => e.name));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const members = names.has(key) ? [] : elements.filter((e) => e.group === key);
    if (members.length === 0) {
      out[key] = value;
      continue;
    }
    if (value === undefined || value === null) continue;
    const radio = members[0]!.role === 'input.radio';
    if (radio ? typeof value !== 'string' : !Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      throw new WebMCPInputError('ERR_INPUT', `${key} must be ${radio ? 'one option' : 'a list of options'}`);
    }
    for (const wanted of (radio ? [value] : value) as string[]) {
      const member = members.find((e) => (e.value ?? 'on') === wanted);
      if (!member) throw new WebMCPInputError('ERR_INPUT', `${key} must be one of its options`);
      out[member.name] = true;
    }
  }
  return out;
}
