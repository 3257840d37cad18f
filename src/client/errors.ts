import { WebMCPError, type WebMCPErrorCode } from '../errors.js';

/** What the gateway said about a refused request (RFC 9457 problem or RFC 6749 error). */
export interface GatewayProblem {
  type?: string;
  title?: string;
  detail?: string;
  code?: string;
  /** RFC 6749 error code from the token endpoint (`invalid_grant`, `invalid_client`, ...). */
  error?: string;
  error_description?: string;
}

const KNOWN_CODES = new Set<string>([
  'ERR_INPUT', 'ERR_DECLARATION', 'ERR_FETCH', 'ERR_JWT_INVALID', 'ERR_JWT_EXPIRED', 'ERR_JWT_REVOKED', 'ERR_SCOPE',
  'ERR_FORBIDDEN', 'ERR_UNAUTHENTICATED', 'ERR_CSRF', 'ERR_RATE_LIMITED', 'ERR_DECRYPT', 'ERR_ENCRYPTION_REQUIRED',
  'ERR_API_KEY', 'ERR_REFRESH_INVALID', 'ERR_REFRESH_REUSED', 'ERR_STORE_UNAVAILABLE', 'ERR_NOT_FOUND',
]);

const BY_STATUS: Record<number, WebMCPErrorCode> = {
  400: 'ERR_INPUT',
  401: 'ERR_UNAUTHENTICATED',
  403: 'ERR_FORBIDDEN',
  404: 'ERR_NOT_FOUND',
  413: 'ERR_INPUT',
  415: 'ERR_INPUT',
  429: 'ERR_RATE_LIMITED',
  503: 'ERR_STORE_UNAVAILABLE',
};

/** The gateway refused a request. `status` is its HTTP status; `problem` what it said. */
export class WebMCPRequestError extends WebMCPError {
  readonly status: number;
  readonly problem: GatewayProblem | null;
  /** From `Retry-After` on a 429/503, in milliseconds. */
  readonly retryAfterMs: number | null;
  constructor(status: number, problem: GatewayProblem | null, retryAfterMs: number | null) {
    const code = problem?.code && KNOWN_CODES.has(problem.code) ? (problem.code as WebMCPErrorCode) : (BY_STATUS[status] ?? 'ERR_FETCH');
    const said = problem?.error ? `${problem.error}${problem.error_description ? `: ${problem.error_description}` : ''}` : problem?.detail ?? problem?.title;
    super(code, `the gateway answered ${status}${said ? ` (${oneLine(said)})` : ''}`);
    this.status = status;
    this.problem = problem;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Builds the error for a non-2xx response (consumes the body). */
export async function requestError(res: Response, now: number): Promise<WebMCPRequestError> {
  let problem: GatewayProblem | null = null;
  const type = res.headers.get('content-type') ?? '';
  if (/json/.test(type)) {
    const parsed: unknown = await res.json().catch(() => null);
    if (parsed && typeof parsed === 'object') problem = pickProblem(parsed as Record<string, unknown>);
  } else {
    await res.body?.cancel();
  }
  return new WebMCPRequestError(res.status, problem, retryAfterMs(res.headers.get('retry-after'), now));
}

/** `Retry-After` as delay-seconds or an HTTP date, in milliseconds (null when absent or bad). */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function pickProblem(body: Record<string, unknown>): GatewayProblem {
  const out: GatewayProblem = {};
  for (const key of ['type', 'title', 'detail', 'code', 'error', 'error_description'] as const) {
    const value = body[key];
    if (typeof value === 'string') (out as Record<string, string>)[key] = value.slice(0, 300);
  }
  return out;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 200);
}
