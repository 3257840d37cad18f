import { WebMCPError, type WebMCPErrorCode } from '../../errors.js';

/** RFC 9457 problem details as the gateway sends them. `code` is the stable webmcp error code. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  instance?: string;
}

/**
 * An error that already knows its HTTP answer. Route code throws it for transport-level refusals
 * (413, 415, 405, ...) that have no security-library code of their own.
 */
export class HttpError extends WebMCPError {
  readonly status: number;
  readonly slug: string;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    slug: string,
    detail: string,
    options: { code?: WebMCPErrorCode; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(options.code ?? 'ERR_INPUT', detail, { cause: options.cause });
    this.status = status;
    this.slug = slug;
    this.headers = options.headers ?? {};
  }
}

interface ProblemKind {
  status: number;
  slug: string;
  title: string;
  /** The outward detail: generic on purpose, the real reason stays in `cause`, logs and audit. */
  detail: string;
}

/** How each webmcp error code is answered. Codes not listed are internal errors (500). */
const CODE_TABLE: Partial<Record<WebMCPErrorCode, ProblemKind>> = {
  ERR_UNAUTHENTICATED: { status: 401, slug: 'unauthenticated', title: 'Unauthorized', detail: 'authentication required' },
  ERR_JWT_INVALID: { status: 401, slug: 'invalid-token', title: 'Unauthorized', detail: 'the access token is invalid' },
  ERR_JWT_EXPIRED: { status: 401, slug: 'invalid-token', title: 'Unauthorized', detail: 'the access token is invalid' },
  ERR_JWT_REVOKED: { status: 401, slug: 'invalid-token', title: 'Unauthorized', detail: 'the access token is invalid' },
  ERR_API_KEY: { status: 401, slug: 'invalid-credentials', title: 'Unauthorized', detail: 'the credentials are invalid' },
  ERR_SCOPE: { status: 403, slug: 'insufficient-scope', title: 'Forbidden', detail: 'the credential does not grant this operation' },
  ERR_FORBIDDEN: { status: 403, slug: 'forbidden', title: 'Forbidden', detail: 'this operation is not allowed' },
  ERR_CSRF: { status: 403, slug: 'csrf', title: 'Forbidden', detail: 'the request failed the CSRF check' },
  ERR_RATE_LIMITED: { status: 429, slug: 'rate-limited', title: 'Too Many Requests', detail: 'rate limit exceeded' },
  ERR_INPUT: { status: 400, slug: 'invalid-request', title: 'Bad Request', detail: 'the request is invalid' },
  ERR_DECLARATION: { status: 400, slug: 'invalid-request', title: 'Bad Request', detail: 'the page declaration is invalid' },
  ERR_ENCRYPTION_REQUIRED: {
    status: 400,
    slug: 'encryption-required',
    title: 'Bad Request',
    detail: 'a sensitive field must be sent as JWE',
  },
  ERR_DECRYPT: { status: 400, slug: 'decrypt-failed', title: 'Bad Request', detail: 'an encrypted field could not be decrypted' },
  ERR_REFRESH_INVALID: { status: 400, slug: 'invalid-grant', title: 'Bad Request', detail: 'the refresh token is invalid' },
  ERR_REFRESH_REUSED: { status: 400, slug: 'invalid-grant', title: 'Bad Request', detail: 'the refresh token is invalid' },
  ERR_NOT_FOUND: { status: 404, slug: 'not-found', title: 'Not Found', detail: 'no such resource' },
  ERR_FETCH: { status: 502, slug: 'upstream', title: 'Bad Gateway', detail: 'the upstream could not be reached' },
  ERR_STORE_UNAVAILABLE: { status: 503, slug: 'unavailable', title: 'Service Unavailable', detail: 'a backing store is unavailable' },
};

const INTERNAL: ProblemKind = {
  status: 500,
  slug: 'internal',
  title: 'Internal Server Error',
  detail: 'the request could not be completed',
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const PROBLEM_TYPE_PREFIX = 'urn:webmcp:problem:';

/** What a thrown value becomes on the wire, plus extra headers (Retry-After, WWW-Authenticate). */
export function problemFor(error: unknown): { problem: Problem; headers: Record<string, string> } {
  if (error instanceof HttpError) {
    return {
      problem: {
        type: PROBLEM_TYPE_PREFIX + error.slug,
        title: TITLES[error.status] ?? 'Error',
        status: error.status,
        detail: error.message,
        code: error.code,
      },
      headers: error.headers,
    };
  }
  if (error instanceof WebMCPError) {
    const kind = CODE_TABLE[error.code] ?? INTERNAL;
    const headers: Record<string, string> = {};
    if (kind.status === 401) headers['www-authenticate'] = 'Bearer realm="webmcp", error="invalid_token"';
    if (kind.status === 403 && error.code === 'ERR_SCOPE') {
      headers['www-authenticate'] = 'Bearer realm="webmcp", error="insufficient_scope"';
    }
    return {
      problem: {
        type: PROBLEM_TYPE_PREFIX + kind.slug,
        title: kind.title,
        status: kind.status,
        detail: kind.detail,
        code: kind === INTERNAL ? 'ERR_INTERNAL' : error.code,
      },
      headers,
    };
  }
  return {
    problem: { type: PROBLEM_TYPE_PREFIX + INTERNAL.slug, title: INTERNAL.title, status: 500, detail: INTERNAL.detail, code: 'ERR_INTERNAL' },
    headers: {},
  };
}

/** A problem+json response (headers common to every response are added later by the app). */
export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers },
  });
}

/** Shorthand for a problem built from a status, slug and outward detail. */
export function problem(status: number, slug: string, detail: string): Problem {
  return { type: PROBLEM_TYPE_PREFIX + slug, title: TITLES[status] ?? 'Error', status, detail };
}

/** The status a thrown value maps to, for metrics and logs. */
export function statusOf(error: unknown): number {
  return problemFor(error).problem.status;
}
