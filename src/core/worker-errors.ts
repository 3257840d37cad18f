import { WebMCPDeclarationError, WebMCPError, WebMCPInputError, type WebMCPErrorCode } from '../errors.js';

/** A typed error as plain data, to cross from the analysis thread. */
export interface EncodedError {
  kind: 'declaration' | 'input' | 'webmcp' | 'other';
  code?: WebMCPErrorCode;
  message: string;
  path?: string;
  reason?: string;
}

export function encodeError(err: unknown): EncodedError {
  if (err instanceof WebMCPDeclarationError) {
    return { kind: 'declaration', code: err.code, message: err.message, path: err.path, reason: err.message.slice(err.path.length + 2) };
  }
  if (err instanceof WebMCPInputError) return { kind: 'input', code: err.code, message: err.message };
  if (err instanceof WebMCPError) return { kind: 'webmcp', code: err.code, message: err.message };
  return { kind: 'other', message: err instanceof Error ? err.message : String(err) };
}

/** The same error class and code on this side. */
export function decodeError(e: EncodedError): Error {
  switch (e.kind) {
    case 'declaration':
      return new WebMCPDeclarationError(e.path ?? '', e.reason ?? e.message);
    case 'input':
      return new WebMCPInputError(e.code ?? 'ERR_INPUT', e.message);
    case 'webmcp':
      return new WebMCPError(e.code ?? 'ERR_INPUT', e.message);
    case 'other':
      return new Error(e.message);
  }
}
