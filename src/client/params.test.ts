import { describe, expect, it } from 'vitest';
import type { WebMCPDocument, WebMCPElement } from '../core/types.js';
import { actionInputs, prepareParams } from './params.js';

const el = (e: Partial<WebMCPElement> & Pick<WebMCPElement, 'name' | 'role'>): WebMCPElement => ({ selector: `#${e.name}`, form: 'F', ...e });

const doc = {
  version: '0.2',
  context: {},
  elements: [
    el({ name: 'CODE', role: 'input.text', required: true, validation: { pattern: '[A-Z]{3}-\\d+', maxLength: 10 } }),
    el({ name: 'CARD', role: 'input.text', security: { encryption: 'required' }, validation: { minLength: 12 } }),
    el({ name: 'QTY', role: 'input.number', validation: { min: 1, max: 5 } }),
    el({ name: 'SIZE', role: 'input.select', validation: { options: [{ value: 's' }, { value: 'm' }] } }),
    el({ name: 'TAGS', role: 'input.select', validation: { multiple: true, options: [{ value: 'a' }, { value: 'b' }] } }),
    el({ name: 'SHIP_STD', role: 'input.radio', group: 'SHIP', field: 'ship', value: 'std', required: true }),
    el({ name: 'SHIP_FAST', role: 'input.radio', group: 'SHIP', field: 'ship', value: 'fast', required: true }),
    el({ name: 'OFF', role: 'input.text', disabled: true }),
    el({ name: 'BUY', role: 'action.submit' }),
    el({ name: 'LOOK', role: 'action.submit', form: 'G', method: 'GET' }),
  ],
  forms: [
    { name: 'F', purpose: 'checkout', selector: 'form', method: 'POST', elements: ['CODE', 'CARD', 'QTY', 'SIZE', 'TAGS', 'SHIP_STD', 'SHIP_FAST', 'OFF', 'BUY'] },
    { name: 'G', purpose: 'search', selector: 'form', method: 'GET', elements: ['LOOK'] },
  ],
  security: {},
  metadata: { generated_at: '', optimization_level: 'standard', tokens: { encoding: 'o200k_base', html: 0, document: 0 } },
} as WebMCPDocument;

const encrypt = async (v: string) => `jwe(${v.length})`;
const buy = actionInputs(doc, 'BUY');

describe('actionInputs', () => {
  it('takes the form members that are enabled inputs and says whether the action is idempotent', () => {
    expect([...buy.inputs.keys()]).toEqual(['CODE', 'CARD', 'QTY', 'SIZE', 'TAGS', 'SHIP_STD', 'SHIP_FAST']);
    expect(buy.idempotent).toBe(false);
    expect(actionInputs(doc, 'LOOK').idempotent).toBe(true);
    expect(() => actionInputs(doc, 'CODE')).toThrow(/no action named "CODE"/);
  });
});

describe('prepareParams', () => {
  it('accepts valid params keyed as the tool schema says (groups by group name) and encrypts sensitive values', async () => {
    const out = await prepareParams(buy, { CODE: 'ABC-12', CARD: '4111111111111111', QTY: 2, SIZE: 'm', TAGS: ['a', 'b'], SHIP: 'fast' }, encrypt);
    expect(out).toEqual({ CODE: 'ABC-12', CARD: 'jwe(16)', QTY: 2, SIZE: 'm', TAGS: ['a', 'b'], SHIP: 'fast' });
  });

  it('takes a group member by its element name, and the group by its group name', async () => {
    expect(await prepareParams(buy, { CODE: 'ABC-1', SHIP_FAST: true }, encrypt)).toEqual({ CODE: 'ABC-1', SHIP: 'fast' });
    expect(await prepareParams(buy, { CODE: 'ABC-1', SHIP: 'std', SHIP_STD: true, SHIP_FAST: false }, encrypt)).toEqual({ CODE: 'ABC-1', SHIP: 'std' });
  });

  it('passes a value that already is a JWE through unencrypted and unchecked', async () => {
    const jwe = 'eyJhbGciOiJFQ0RILUVTK0EyNTZLVyJ9.a.b.c.d';
    expect((await prepareParams(buy, { CODE: 'ABC-1', CARD: jwe, SHIP_STD: true }, encrypt)).CARD).toBe(jwe);
  });

  it.each([
    [{ SHIP: 'std' }, /CODE is required/],
    [{ CODE: 'abc-1', SHIP: 'std' }, /CODE does not match the page's pattern/],
    [{ CODE: 'ABC-1234567', SHIP: 'std' }, /CODE must have at most 10 characters/],
    [{ CODE: 'ABC-1', CARD: 'short', SHIP: 'std' }, /CARD must have at least 12 characters/],
    [{ CODE: 'ABC-1', QTY: 9, SHIP: 'std' }, /QTY must be at most 5/],
    [{ CODE: 'ABC-1', QTY: Number.NaN, SHIP: 'std' }, /QTY has the wrong type/],
    [{ CODE: 'ABC-1', SIZE: 'xl', SHIP: 'std' }, /SIZE must be one of its options/],
    [{ CODE: 'ABC-1', TAGS: ['a', 'z'], SHIP: 'std' }, /TAGS must be one of its options/],
    [{ CODE: 'ABC-1' }, /SHIP is required/],
    [{ CODE: 'ABC-1', SHIP: 'slow' }, /SHIP must be one of its options/],
    [{ CODE: 'ABC-1', SHIP: ['std'] }, /SHIP must be one option/],
    [{ CODE: 'ABC-1', SHIP_STD: true, SHIP_FAST: true }, /two options of one group/],
    [{ CODE: 'ABC-1', SHIP: 'std', OFF: 'x' }, /unknown parameter "OFF"/],
    [{ CODE: 'ABC-1', SHIP: 'std', __proto__: { x: 1 } }, null],
  ])('refuses %j', async (params, message) => {
    const result = prepareParams(buy, params, encrypt);
    if (message === null) await expect(result).resolves.toBeTypeOf('object');
    else await expect(result).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(message) });
  });

  it('refuses params that are not an object', async () => {
    for (const bad of [null, [], 'x', 1]) await expect(prepareParams(buy, bad, encrypt)).rejects.toMatchObject({ code: 'ERR_INPUT' });
  });

  it('never encrypts an invalid value, and never names a value in an error', async () => {
    let calls = 0;
    const counting = async (v: string) => (calls++, v);
    const error = await prepareParams(buy, { CODE: 'ABC-1', CARD: 'secret-but-short', SHIP: 'std', QTY: 'x' }, counting).catch((e: Error) => e);
    expect((error as Error).message).not.toContain('secret');
    expect(calls).toBe(0);
  });
});
