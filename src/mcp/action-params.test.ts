import { describe, expect, it } from 'vitest';
import { actionInputSchema, findAction } from '../core/tools.js';
import type { WebMCPDocument, WebMCPElement } from '../core/types.js';
import { actionParamsModel, checkActionParams, normalizeActionParams, upstreamFields, type ActionParamsModel } from './action-params.js';

const el = (e: Partial<WebMCPElement> & Pick<WebMCPElement, 'name' | 'role'>): WebMCPElement => ({ selector: `#${e.name}`, form: 'F', ...e });

const doc = {
  version: '0.2',
  context: {},
  elements: [
    el({ name: 'EMAIL', role: 'input.email', field: 'email', required: true, validation: { format: 'email', maxLength: 40 } }),
    el({ name: 'PIN', role: 'input.password', field: 'pin', security: { encryption: 'required' }, validation: { pattern: '\\d{4}' } }),
    el({ name: 'QTY', role: 'input.number', field: 'qty', validation: { min: 1, max: 5 } }),
    el({ name: 'WHEN', role: 'input.text', field: 'when', validation: { format: 'date-time' } }),
    el({ name: 'CODE', role: 'input.text', field: 'code', validation: { pattern: '[a-z-]+' } }),
    el({
      name: 'COUNTRY',
      role: 'input.select',
      field: 'country',
      validation: { options: [{ value: 'de', label: 'Germany' }, { value: 'fr', label: 'France' }, { value: 'x1', label: 'Other' }, { value: 'x2', label: 'Other' }] },
    }),
    el({ name: 'LANGS', role: 'input.select', field: 'langs', validation: { multiple: true, options: [{ value: 'en', label: 'English' }, { value: 'de', label: 'German' }] } }),
    el({ name: 'PLAN_BASIC', role: 'input.radio', group: 'PLAN', field: 'plan', value: 'basic', label: 'Basic', required: true }),
    el({ name: 'PLAN_PRO', role: 'input.radio', group: 'PLAN', field: 'plan', value: 'pro', label: 'Pro plan' }),
    el({ name: 'TOPIC_NEWS', role: 'input.checkbox', group: 'TOPICS', field: 'topics[]', value: 'news', label: 'News' }),
    el({ name: 'TOPIC_DEALS', role: 'input.checkbox', group: 'TOPICS', field: 'topics[]', value: 'deals', label: 'Deals' }),
    el({ name: 'TERMS', role: 'input.checkbox', field: 'terms', value: 'yes', required: true }),
    el({ name: 'SEND', role: 'action.submit', field: 'op', value: 'send' }),
  ],
  forms: [
    {
      name: 'F',
      purpose: 'signup',
      selector: 'form',
      method: 'POST',
      elements: ['EMAIL', 'PIN', 'QTY', 'WHEN', 'CODE', 'COUNTRY', 'LANGS', 'PLAN_BASIC', 'PLAN_PRO', 'TOPIC_NEWS', 'TOPIC_DEALS', 'TERMS', 'SEND'],
    },
  ],
  security: {},
  metadata: { generated_at: '', optimization_level: 'standard', tokens: { encoding: 'o200k_base', html: 0, document: 0 } },
} as unknown as WebMCPDocument;

const model = actionParamsModel(doc, 'SEND')!;
const base = { EMAIL: 'ann@example.com', PLAN: 'basic', TERMS: true };

/** normalize + check, as the gateway does (sensitive values already decrypted). */
function accept(m: ActionParamsModel, params: Record<string, unknown>): Record<string, unknown> {
  const canonical = normalizeActionParams(m, params);
  checkActionParams(m, canonical);
  return canonical;
}
const refuse = (params: Record<string, unknown>) => {
  try {
    accept(model, params);
  } catch (error) {
    return error as { code: string; rule: string; key: string | null; message: string; detail: string };
  }
  throw new Error('accepted');
};

describe('the action param model', () => {
  it('has exactly the keys the MCP tool schema advertises, and caches per document', () => {
    const advertised = actionInputSchema(findAction(doc, 'SEND')!);
    expect([...model.params.keys()]).toEqual(Object.keys(advertised.properties as object));
    expect([...model.params.keys()]).toContain('PLAN');
    expect([...model.members.keys()]).toEqual(['PLAN_BASIC', 'PLAN_PRO', 'TOPIC_NEWS', 'TOPIC_DEALS']);
    expect(actionParamsModel(doc, 'SEND')).toBe(model);
    expect(actionParamsModel(doc, 'NOPE')).toBeUndefined();
  });

  it('takes radio and checkbox groups by group name, or their members by element name', () => {
    expect(accept(model, { ...base, PLAN: 'pro', TOPICS: ['news', 'deals'] })).toMatchObject({ PLAN: 'pro', TOPICS: ['news', 'deals'] });
    expect(accept(model, { ...base, PLAN: undefined, PLAN_PRO: true, TOPIC_DEALS: true, TOPIC_NEWS: false })).toMatchObject({ PLAN: 'pro', TOPICS: ['deals'] });
    expect(accept(model, { ...base, PLAN: undefined, PLAN_PRO: 'pro' })).toMatchObject({ PLAN: 'pro' });
    expect(refuse({ ...base, PLAN_PRO: true })).toMatchObject({ rule: 'conflict', key: 'PLAN' }); // basic and pro
    expect(refuse({ ...base, PLAN: 'gold' })).toMatchObject({ rule: 'option', key: 'PLAN', message: 'PLAN must be one of its options' });
    expect(refuse({ ...base, PLAN: ['pro'] })).toMatchObject({ rule: 'type', message: 'PLAN must be one option' });
    expect(refuse({ ...base, TOPICS: 'news' })).toMatchObject({ rule: 'type', message: 'TOPICS must be a list of options' });
    expect(refuse({ ...base, TOPIC_NEWS: 'deals' })).toMatchObject({ rule: 'option', key: 'TOPIC_NEWS' });
    expect(refuse({ EMAIL: 'ann@example.com', TERMS: true })).toMatchObject({ rule: 'required', key: 'PLAN' });
  });

  it('accepts an option label that names exactly one option, forwarding the value', () => {
    expect(accept(model, { ...base, COUNTRY: 'Germany' })).toMatchObject({ COUNTRY: 'de' });
    expect(accept(model, { ...base, COUNTRY: '  france ' })).toMatchObject({ COUNTRY: 'fr' });
    expect(accept(model, { ...base, COUNTRY: 'de' })).toMatchObject({ COUNTRY: 'de' });
    expect(accept(model, { ...base, LANGS: ['German', 'en'] })).toMatchObject({ LANGS: ['de', 'en'] });
    expect(accept(model, { ...base, PLAN: 'Pro plan', TOPICS: ['News'] })).toMatchObject({ PLAN: 'pro', TOPICS: ['news'] });
    // Two options share the label "Other": ambiguous, so refused rather than guessed.
    expect(refuse({ ...base, COUNTRY: 'Other' })).toMatchObject({ rule: 'option', key: 'COUNTRY' });
    expect(refuse({ ...base, COUNTRY: 'Spain' })).toMatchObject({ rule: 'option' });
    expect(refuse({ ...base, LANGS: ['English', 'en'] })).toMatchObject({ rule: 'duplicate', key: 'LANGS' });
    const fields = upstreamFields(model, accept(model, { ...base, COUNTRY: 'Germany', LANGS: ['English'] }));
    expect(fields).toContainEqual({ name: 'country', value: 'de' });
    expect(fields).toContainEqual({ name: 'langs', value: 'en' });
  });

  it('validates with the schema: types (with scalar coercion), ranges, lengths, formats, HTML patterns', () => {
    expect(accept(model, { ...base, QTY: '3' })).toMatchObject({ QTY: 3 });
    expect(refuse({ ...base, QTY: 9 })).toMatchObject({ rule: 'range', message: 'QTY must be at most 5' });
    expect(refuse({ ...base, QTY: 'lots' })).toMatchObject({ rule: 'type', key: 'QTY' });
    expect(refuse({ ...base, QTY: Number.NaN })).toMatchObject({ rule: 'type', key: 'QTY' });
    expect(refuse({ ...base, EMAIL: 'not-an-address' })).toMatchObject({ rule: 'format', key: 'EMAIL', message: 'EMAIL must be an email address' });
    expect(refuse({ ...base, EMAIL: `${'a'.repeat(40)}@x.y` })).toMatchObject({ rule: 'length', key: 'EMAIL' });
    // datetime-local values have no seconds or zone; HTML accepts them, so do we.
    expect(accept(model, { ...base, WHEN: '2026-11-26T10:30' })).toMatchObject({ WHEN: '2026-11-26T10:30' });
    expect(refuse({ ...base, WHEN: 'tomorrow' })).toMatchObject({ rule: 'format' });
    // `[a-z-]+` is no valid pattern under the v flag browsers use: ignored, as browsers do.
    expect(accept(model, { ...base, CODE: 'ANYTHING 1' })).toMatchObject({ CODE: 'ANYTHING 1' });
    expect(refuse({ ...base, PIN: '12a4' })).toMatchObject({ rule: 'pattern', key: 'PIN', message: "PIN does not match the page's pattern" });
  });

  it('applies HTML required: non-empty text, a checked box', () => {
    expect(refuse({ ...base, EMAIL: '' })).toMatchObject({ rule: 'required', key: 'EMAIL' });
    expect(refuse({ ...base, TERMS: false })).toMatchObject({ rule: 'required', key: 'TERMS' });
    // A blank optional field is "no value": not held to its format or pattern, and forwarded blank.
    expect(accept(model, { ...base, WHEN: '', PIN: '' })).toMatchObject({ WHEN: '', PIN: '' });
    expect(accept(model, { ...base, TERMS: 'yes' })).toMatchObject({ TERMS: true });
    expect(refuse({ ...base, TERMS: 'no' })).toMatchObject({ rule: 'type', key: 'TERMS' });
  });

  it('refuses unknown keys without echoing them in the outward detail', () => {
    const error = refuse({ ...base, '<script>x</script>': 1 });
    expect(error).toMatchObject({ code: 'ERR_INPUT', rule: 'unknown', key: null, detail: 'unknown parameter' });
    expect(error.message).toContain('<script>'); // the local message names it, quoted
    expect(() => normalizeActionParams(model, ['x'])).toThrow(/params must be an object/);
  });

  it('leaves opaque (already sealed) values unchecked but counts them as given', () => {
    const canonical = normalizeActionParams(model, { ...base, PIN: 'a.b.c.d.e' });
    expect(() => checkActionParams(model, canonical)).toThrow(/PIN does not match/);
    expect(() => checkActionParams(model, canonical, { opaque: new Set(['PIN']) })).not.toThrow();
  });

  it('maps canonical params to the fields a browser would submit', () => {
    const fields = upstreamFields(model, accept(model, { EMAIL: 'a@b.c', PIN: '1234', QTY: 2, PLAN: 'pro', TOPICS: ['news', 'deals'], TERMS: true }));
    expect(fields).toEqual([
      { name: 'email', value: 'a@b.c' },
      { name: 'pin', value: '1234' },
      { name: 'qty', value: '2' },
      { name: 'plan', value: 'pro' },
      { name: 'topics[]', value: 'news' },
      { name: 'topics[]', value: 'deals' },
      { name: 'terms', value: 'yes' },
    ]);
  });
});
