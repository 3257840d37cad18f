import type { WebMCPErrorCode } from '../../errors.js';

/** An RFC 9457 problem document, plus webmcp's stable error `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: WebMCPErrorCode;
  [extension: string]: unknown;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Builds an `application/problem+json` response. `type` is `about:blank`, so `title` is the
 * status phrase (RFC 9457 §4.2.1); the stable `code` member tells problems apart.
 */
export function problemResponse(
  status: number,
  detail: string,
  options: { code?: WebMCPErrorCode; headers?: HeadersInit; extensions?: Record<string, unknown> } = {},
): Response {
  const body: Problem = {
    ...options.extensions,
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(options.code ? { code: options.code } : {}),
  };
  const headers = new Headers(options.headers);
  headers.set('content-type', 'application/problem+json');
  return new Response(JSON.stringify(body), { status, headers });
}
