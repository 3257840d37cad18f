import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sanitizeLabel } from './label.js';

describe('sanitizeLabel', () => {
  it('strips tags, control and bidi characters, and joins lines', () => {
    expect(sanitizeLabel('<b>Sign\n in</b>\u202E')).toBe('Sign in');
    expect(sanitizeLabel('<scr<b>ipt>alert(1)</script> Pay')).toBe('alert(1) Pay');
    expect(sanitizeLabel('a\u0000b\u0007c\u200Bd\u2028e\tf')).toBe('abcd e f');
    expect(sanitizeLabel('  Email   address  ')).toBe('Email address');
    expect(sanitizeLabel('Cafe\u0301')).toBe('Café');
    expect(sanitizeLabel(null)).toBe('');
  });

  it('caps at 200 code points without splitting surrogate pairs', () => {
    expect(Array.from(sanitizeLabel('😀'.repeat(500)))).toHaveLength(200);
    expect(sanitizeLabel('a' + '😀'.repeat(500))).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('always yields a single line of at most 200 code points without angle brackets', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (s) => {
        const out = sanitizeLabel(s);
        expect(Array.from(out).length).toBeLessThanOrEqual(200);
        expect(out).not.toMatch(/[\r\n\u2028\u2029<>\u0000-\u001F\u202A-\u202E]/);
        expect(out).toBe(out.trim());
      }),
      { numRuns: 500 },
    );
  });
});
