import { describe, expect, it } from 'vitest';
import { requestError, retryAfterMs } from './errors.js';

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
  });
});

describe('requestError', () => {
  it('takes the code from the problem, else from the status', async () => {
    const problem = new Response(JSON.stringify({ title: 'Forbidden', detail: 'the request failed the CSRF check', code: 'ERR_CSRF' }), {
      status: 403,
      headers: { 'content-type': 'application/problem+json' },
    });
    expect(await requestError(problem, 0)).toMatchObject({ status: 403, code: 'ERR_CSRF', message: 'the gateway answered 403 (the request failed the CSRF check)' });
    const oauth = new Response(JSON.stringify({ error: 'invalid_client', error_description: 'client authentication failed' }), {
      status: 401,
      headers: { 'content-type': 'application/json' },
    });
    expect(await requestError(oauth, 0)).toMatchObject({ code: 'ERR_UNAUTHENTICATED', message: 'the gateway answered 401 (invalid_client: client authentication failed)' });
    const odd = new Response(JSON.stringify({ code: 'ERR_SOMETHING_NEW' }), { status: 502, headers: { 'content-type': 'application/json' } });
    expect((await requestError(odd, 0)).code).toBe('ERR_FETCH');
    const text = new Response('<html>gateway timeout</html>', { status: 504, headers: { 'content-type': 'text/html' } });
    expect(await requestError(text, 0)).toMatchObject({ code: 'ERR_FETCH', problem: null, message: 'the gateway answered 504' });
  });
});
