import { describe, expect, it } from 'vitest';
import { sanitizeRuntimeTools } from './runtime-tools.js';

describe('sanitizeRuntimeTools', () => {
  it('keeps well-formed tools with their schema and known annotation hints', () => {
    const tools = sanitizeRuntimeTools([
      { name: 'search', description: '  Find\nthings  ', inputSchema: { type: 'object', properties: { q: { type: 'string' } } }, annotations: { readOnlyHint: true, evil: 'x', consequentialHint: 'yes' } },
    ]);
    expect(tools).toEqual([{ name: 'search', description: 'Find things', inputSchema: { type: 'object', properties: { q: { type: 'string' } } }, annotations: { readOnlyHint: true } }]);
  });

  it('drops malformed entries, bad names and duplicates', () => {
    const tools = sanitizeRuntimeTools([null, 'x', { description: 'no name' }, { name: 'bad name' }, { name: 'a'.repeat(129) }, { name: 'ok' }, { name: 'ok', description: 'dup' }]);
    expect(tools).toEqual([{ name: 'ok' }]);
    expect(sanitizeRuntimeTools({ name: 'not-an-array' })).toEqual([]);
  });

  it('strips control and bidi characters and caps descriptions', () => {
    const [tool] = sanitizeRuntimeTools([{ name: 't', description: 'a\u0000b\u202ec' + 'x'.repeat(5000) }]);
    expect(tool.description?.startsWith('abc')).toBe(true);
    expect(tool.description?.length).toBeLessThanOrEqual(2000);
  });

  it('refuses oversized, too deep or non-object schemas, and prototype keys', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 40; i++) {
      const next = {};
      deep.p = next;
      deep = next;
    }
    const tools = sanitizeRuntimeTools([
      { name: 'big', inputSchema: { type: 'object', description: 'x'.repeat(40_000) } },
      { name: 'deep', inputSchema: root },
      { name: 'array', inputSchema: [1, 2] },
      { name: 'proto', inputSchema: JSON.parse('{"type":"object","__proto__":{"polluted":true},"properties":{}}') },
    ]);
    expect(tools.map((t) => [t.name, t.inputSchema])).toEqual([
      ['big', undefined],
      ['deep', undefined],
      ['array', undefined],
      ['proto', { type: 'object', properties: {} }],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('caps the number of tools', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ name: `t${i}` }));
    expect(sanitizeRuntimeTools(many)).toHaveLength(128);
  });
});
