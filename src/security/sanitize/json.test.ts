import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WebMCPInputError } from '../../errors.js';
import { safeJsonParse } from './json.js';

function refused(fn: () => unknown): WebMCPInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WebMCPInputError);
    expect((error as WebMCPInputError).code).toBe('ERR_INPUT');
    return error as WebMCPInputError;
  }
  throw new Error('expected a refusal');
}

describe('safeJsonParse', () => {
  it('parses ordinary JSON from text and UTF-8 bytes', () => {
    expect(safeJsonParse('{"a":[1,{"b":"é"}]}')).toEqual({ a: [1, { b: 'é' }] });
    expect(safeJsonParse(new TextEncoder().encode('\uFEFF{"x":"ü"}'))).toEqual({ x: 'ü' });
    expect(safeJsonParse(new TextEncoder().encode('[1]').buffer as ArrayBuffer)).toEqual([1]);
  });

  it('refuses nesting deeper than 64, at exactly 65', () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(safeJsonParse(nest(64))).toBeDefined();
    refused(() => safeJsonParse(nest(65)));
    refused(() => safeJsonParse('{"a":'.repeat(65) + '1' + '}'.repeat(65)));
    refused(() => safeJsonParse(nest(200_000))); // never reaches JSON.parse's own recursion
    expect(safeJsonParse('["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"["]')).toHaveLength(1);
  });

  it('refuses prototype keys at any depth, escaped or not', () => {
    for (const text of ['{"__proto__":{"admin":true}}', '{"a":[{"constructor":{"prototype":1}}]}', '{"prototype":1}', '{"\\u005f_proto__":1}']) {
      refused(() => safeJsonParse(text));
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses invalid UTF-8, lone surrogates, malformed and oversized input', () => {
    refused(() => safeJsonParse(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d])));
    refused(() => safeJsonParse(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]))); // CESU-encoded surrogate
    refused(() => safeJsonParse('"\uD800"'));
    refused(() => safeJsonParse('{"a":'));
    refused(() => safeJsonParse('x'.repeat(10), { maxBytes: 5 }));
    refused(() => safeJsonParse(123 as unknown as string));
  });

  it('throws nothing but ERR_INPUT for any input (fast-check)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array(), fc.anything()), (input) => {
        try {
          safeJsonParse(input as string);
        } catch (error) {
          expect(error).toBeInstanceOf(WebMCPInputError);
          expect((error as WebMCPInputError).code).toBe('ERR_INPUT');
        }
      }),
      { numRuns: 1000 },
    );
  });
});
