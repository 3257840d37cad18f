import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WebMCPInputError } from '../../errors.js';
import { validateInput, WebMCPValidationError } from './validate.js';

describe('validateInput', () => {
  const schema = z.strictObject({ html: z.string().max(10), url: z.url() });

  it('returns the parsed value', () => {
    expect(validateInput(schema, { html: '<p>', url: 'https://a.example/' })).toEqual({ html: '<p>', url: 'https://a.example/' });
  });

  it('names failing paths, never values', () => {
    try {
      validateInput(schema, { html: 'secret-value-too-long', url: 'nope', extra: 1 });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(WebMCPValidationError);
      expect(error).toBeInstanceOf(WebMCPInputError);
      const e = error as WebMCPValidationError;
      expect(e.code).toBe('ERR_INPUT');
      expect(e.issues.map((i) => i.path).sort()).toEqual(['', 'html', 'url']);
      expect(e.message).not.toContain('secret-value');
      expect(JSON.stringify(e.issues)).not.toContain('secret-value');
    }
  });
});
