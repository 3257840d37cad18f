import type { z } from 'zod';
import { WebMCPInputError } from '../../errors.js';

/** One refused field: where, and a generic reason (never the offending value). */
export interface InputIssue {
  path: string;
  reason: string;
}

/** A validation failure; `issues` lists paths and zod issue codes. */
export class WebMCPValidationError extends WebMCPInputError {
  readonly issues: readonly InputIssue[];
  constructor(issues: InputIssue[]) {
    super('ERR_INPUT', `invalid input at ${issues.map((i) => i.path || '(root)').slice(0, 5).join(', ')}`);
    this.issues = issues;
  }
}

/**
 * Validates `value` against a zod schema and returns the parsed result, or throws a
 * {@link WebMCPValidationError} naming the failing paths (values are never echoed).
 *
 * @example const body = validateInput(z.strictObject({ html: z.string().max(1e6) }), safeJsonParse(text));
 */
export function validateInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new WebMCPValidationError(
    result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), reason: issue.code })),
  );
}
