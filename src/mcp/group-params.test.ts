import { describe, expect, it } from 'vitest';
import type { WebMCPElement } from '../core/types.js';
import { expandGroupParams } from './group-params.js';

const inputs: WebMCPElement[] = [
  { name: 'PLAN_FREE', role: 'input.radio', selector: '#a', group: 'PLAN', value: 'free' },
  { name: 'PLAN_PRO', role: 'input.radio', selector: '#b', group: 'PLAN', value: 'pro' },
  { name: 'TOPIC_A', role: 'input.checkbox', selector: '#c', group: 'TOPICS', value: 'a' },
  { name: 'TOPIC_B', role: 'input.checkbox', selector: '#d', group: 'TOPICS', value: 'b' },
  { name: 'EMAIL', role: 'input.email', selector: '#e' },
];

describe('expandGroupParams', () => {
  it('turns group params into the chosen elements and leaves the rest', () => {
    expect(expandGroupParams(inputs, { PLAN: 'pro', TOPICS: ['a', 'b'], EMAIL: 'x@y.z', OTHER: 1 })).toEqual({
      PLAN_PRO: true,
      TOPIC_A: true,
      TOPIC_B: true,
      EMAIL: 'x@y.z',
      OTHER: 1,
    });
    expect(expandGroupParams(inputs, { PLAN: null, TOPICS: [] })).toEqual({});
  });

  it('refuses values that are not options of the group', () => {
    expect(() => expandGroupParams(inputs, { PLAN: 'gold' })).toThrow(/PLAN must be one of its options/);
    expect(() => expandGroupParams(inputs, { PLAN: ['pro'] })).toThrow(/PLAN must be one option/);
    expect(() => expandGroupParams(inputs, { TOPICS: 'a' })).toThrow(/TOPICS must be a list of options/);
    expect(() => expandGroupParams(inputs, { TOPICS: ['a', 3] })).toThrow(/TOPICS must be a list/);
  });
});
