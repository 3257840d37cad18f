import { WebMCPError } from '../../errors.js';
import { safeJsonParse } from '../../security/sanitize/json.js';
import { HttpError } from '../http/problem.js';
import type { UpstreamField } from './params.js';

/** Text answers are capped at 64 KiB (spec section 6). */
export const MAX_TEXT_BODY = 64 * 1024;
/** JSON answers are read up to 1 MiB; larger ones come back as capped text. */
export const MAX_JSON_BODY = 1024 * 1024;

export interface UpstreamRequest {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  encoding: 'form' | 'json' | 'multipart';
  fields: UpstreamField[];
  timeoutMs: number;
  requestId: string;
}

export interface UpstreamAnswer {
  status: number;
  body: unknown;
  /** Whether a text body was cut at {@link MAX_TEXT_BODY}. */
  truncated: boolean;
}

/**
 * Sends an action's fields to its upstream: form-encoded (or JSON / multipart when the form says
 * so), in the query string for GET. Redirects are not followed (the 3xx is the answer), the
 * caller's credentials are never forwarded, and the whole exchange is bounded by `timeoutMs`.
 */
export async function forwardToUpstream(doFetch: typeof fetch, req: UpstreamRequest): Promise<UpstreamAnswer> {
  const url = new URL(req.url);
  const headers: Record<string, string> = {
    accept: 'application/json, text/plain;q=0.9, */*;q=0.1',
    'user-agent': 'webmcp-gateway',
    'x-request-id': req.requestId,
  };
  let body: BodyInit | undefined;
  if (req.method === 'GET') {
    for (const f of req.fields) url.searchParams.append(f.name, f.value);
  } else if (req.encoding === 'json') {
    const obj: Record<string, string | string[]> = Object.create(null);
    for (const f of req.fields) {
      const prev = obj[f.name];
      obj[f.name] = prev === undefined ? f.value : Array.isArray(prev) ? [...prev, f.value] : [prev, f.value];
    }
    body = JSON.stringify(obj);
    headers['content-type'] = 'application/json';
  } else if (req.encoding === 'multipart') {
    const form = new FormData();
    for (const f of req.fields) form.append(f.name, f.value);
    body = form;
  } else {
    const form = new URLSearchParams();
    for (const f of req.fields) form.append(f.name, f.value);
    body = form.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }

  const signal = AbortSignal.timeout(req.timeoutMs);
  let response: Response;
  try {
    response = await doFetch(url, { method: req.method, headers, body, redirect: 'manual', signal });
  } catch (error) {
    throw upstreamFailure(error, signal);
  }
  try {
    return await readAnswer(response);
  } catch (error) {
    if (error instanceof WebMCPError) throw error;
    throw upstreamFailure(error, signal);
  }
}

async function readAnswer(response: Response): Promise<UpstreamAnswer> {
  const type = (response.headers.get('content-type') ?? '').toLowerCase();
  const isJson = /^application\/(?:[\w.+-]+\+)?json\b/.test(type);
  const { bytes, complete } = await readCapped(response, isJson ? MAX_JSON_BODY : MAX_TEXT_BODY);
  if (isJson && complete && bytes.length > 0) {
    try {
      return { status: response.status, body: safeJsonParse(bytes, { maxBytes: MAX_JSON_BODY }), truncated: false };
    } catch {
      // Not the JSON it claimed to be: hand it back as (capped) text instead.
    }
  }
  const text = new TextDecoder('utf-8').decode(bytes.subarray(0, MAX_TEXT_BODY));
  const truncated = !complete || bytes.length > MAX_TEXT_BODY;
  return { status: response.status, body: truncated ? text.slice(0, MAX_TEXT_BODY) : text, truncated };
}

async function readCapped(response: Response, limit: number): Promise<{ bytes: Uint8Array; complete: boolean }> {
  if (!response.body) return { bytes: new Uint8Array(0), complete: true };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let complete = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total > limit) {
      complete = false;
      await reader.cancel().catch(() => undefined); // we have what we keep; the rest is dropped
      break;
    }
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return { bytes: out.subarray(0, Math.min(total, limit)), complete };
}

function upstreamFailure(error: unknown, signal: AbortSignal): HttpError {
  if (signal.aborted) {
    return new HttpError(504, 'upstream-timeout', 'the upstream did not answer in time', { code: 'ERR_FETCH', cause: error });
  }
  return new HttpError(502, 'upstream', 'the upstream could not be reached', { code: 'ERR_FETCH', cause: error });
}
