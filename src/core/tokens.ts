import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';

/**
 * Exact o200k_base token count (the GPT-4o / o-series encoding), special-token text counted as
 * ordinary text — page content must never be read as control tokens.
 */
export function countTokens(text: string): number {
  return countO200k(text, { disallowedSpecial: new Set() });
}
