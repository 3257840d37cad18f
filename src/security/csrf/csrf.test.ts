import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WebMCPSecurityError } from '../../errors.js';
import { createCsrf } from './csrf.js';

const secret = randomBytes(32);
const origin = 'https://shop.example';

function clock(start = 1_750_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

async function refusal(p: Promise<unknown>): Promise<WebMCPSecurityError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebMCPSecurityError);
  expect((error as WebMCPSecurityError).code).toBe('ERR_CSRF');
  expect((error as Error).message).toBe('CSRF check failed');
  return error as WebMCPSecurityError;
}

function post(headers: Record<string, string> = {}): Request {
  return new Request(`${origin}/webmcp/actions/login/LOGIN`, { method: 'POST', headers });
}

describe('csrf tokens', () => {
  it('accepts a fresh token for its session, repeatedly until it expires', async () => {
    const c = clock();
    const csrf = createCsrf({ csrfTokenExpiry: 600 }, { secrets: secret, now: c.now });
    const token = await csrf.issue('session-a');
    await csrf.verify('session-a', token);
    c.advance(599_000);
    await csrf.verify('session-a', token); // reusable, not single-use
    c.advance(1_000);
    const e = await refusal(csrf.verify('session-a', token));
    expect(e.cause).toBe('token expired');
  });

  it('refuses a token issued to another session', async () => {
    const csrf = createCsrf({ csrfTokenExpiry: 600 }, { secrets: secret });
    const token = await csrf.issue('attacker-session');
    await refusal(csrf.verify('victim-session', token));
  });

  it('refuses tokens signed with another secret, tampered or dated in the future', async () => {
    const c = clock();
    const csrf = createCsrf({ csrfTokenExpiry: 600 }, { secrets: secret, now: c.now });
    const other = createCsrf({ csrfTokenExpiry: 600 }, { secrets: randomBytes(32), now: c.now });
    await refusal(csrf.verify('s', await other.issue('s')));

    const token = await csrf.issue('s');
    const [v, issued, nonce, mac] = token.split('.') as [string, string, string, string];
    const flipped = mac.slice(0, -2) + (mac.at(-2) === 'A' ? 'B' : 'A') + mac.at(-1);
    await refusal(csrf.verify('s', [v, issued, nonce, flipped].join('.')));
    // Pushing the issue time forward to extend the lifetime breaks the MAC.
    const later = (parseInt(issued, 36) + 3600).toString(36);
    await refusal(csrf.verify('s', [v, later, nonce, mac].join('.')));

    const future = createCsrf({ csrfTokenExpiry: 600 }, { secrets: secret, now: () => c.now() + 3_600_000 });
    await refusal(csrf.verify('s', await future.issue('s')));
  });

  it('refuses missing, empty and malformed tokens and session ids', async () => {
    const csrf = createCsrf({ csrfTokenExpiry: 600 }, { secrets: secret });
    const token = await csrf.issue('s');
    for (const bad of ['', 'x', token + 'x', token.replace('c1.', 'c2.'), ` ${token}`]) await refusal(csrf.verify('s', bad));
    await refusal(csrf.verify('', token));
    await refusal(csrf.verify('s', undefined as unknown as string));
    await refusal(csrf.verify(undefined as unknown as string, token));
  });

  it('verifies with rotated-out secrets while signing with the first', async () => {
    const old = randomBytes(32);
    const before = createCsrf({ csrfTokenExpiry: 600 }, { secrets: old });
    const token = await before.issue('s');
    const after = createCsrf({ csrfTokenExpiry: 600 }, { secrets: async () => [secret, old] });
    await after.verify('s', token);
    const retired = createCsrf({ csrfTokenExpiry: 600 }, { secrets: [secret] });
    await refusal(retired.verify('s', token));
  });

  it('refuses short secrets and bad expiry at creation', () => {
    expect(() => createCsrf({ csrfTokenExpiry: 600 }, { secrets: 'short' })).toThrow(TypeError);
    expect(() => createCsrf({ csrfTokenExpiry: 0 }, { secrets: secret })).toThrow(TypeError);
    expect(() => createCsrf({ csrfTokenExpiry: 600 }, { secrets: [] })).toThrow(TypeError);
  });
});

describe('csrf request checks (Fetch Metadata, Origin, double-submit cookie)', () => {
  const csrf = createCsrf({ csrfTokenExpiry: 600 }, { secrets: secret, allowedOrigins: ['https://public.example'] });

  it('accepts same-origin requests and requests without either header', async () => {
    const token = await csrf.issue('s');
    await csrf.verify('s', token, post({ 'sec-fetch-site': 'same-origin', origin }));
    await csrf.verify('s', token, post({ 'sec-fetch-site': 'none' }));
    await csrf.verify('s', token, post());
    await csrf.verify('s', token, post({ origin: 'https://public.example' }));
  });

  it.each(['cross-site', 'same-site', 'bogus'])('refuses Sec-Fetch-Site: %s', async (site) => {
    const token = await csrf.issue('s');
    await refusal(csrf.verify('s', token, post({ 'sec-fetch-site': site, origin })));
  });

  it.each(['null', 'https://evil.example', 'http://shop.example', 'https://shop.example:8443', 'not a url'])('refuses Origin: %s', async (o) => {
    const token = await csrf.issue('s');
    await refusal(csrf.verify('s', token, post({ origin: o })));
  });

  it('refuses a CSRF cookie that differs from the header token, accepts a matching one', async () => {
    const token = await csrf.issue('s');
    await csrf.verify('s', token, post({ cookie: `__Host-webmcp-csrf=${token}` }));
    await csrf.verify('s', token, post({ cookie: `webmcp-csrf=${token}` }));
    const other = await csrf.issue('s');
    await refusal(csrf.verify('s', token, post({ cookie: `__Host-webmcp-csrf=${other}` })));
  });

  it('sets the double-submit cookie with the pinned names and attributes', async () => {
    const token = await csrf.issue('s');
    expect(csrf.cookie(token, { https: true })).toBe(`__Host-webmcp-csrf=${token}; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Strict`);
    expect(csrf.cookie(token, { https: false })).toBe(`webmcp-csrf=${token}; Max-Age=600; Path=/; HttpOnly; SameSite=Strict`);
    expect(csrf.cookieName(true)).toBe('__Host-webmcp-csrf');
    expect(csrf.headerName).toBe('X-CSRF-Token');
  });
});

describe('csrf.verify on arbitrary input', () => {
  it('throws nothing but ERR_CSRF', async () => {
    const csrf = createCsrf({ csrfTokenExpiry: 600 }, { secrets: secret });
    const real = await csrf.issue('s');
    const token = fc.oneof(
      fc.string(),
      fc.constant(real),
      fc.string().map((s) => real.slice(0, Math.max(0, real.length - s.length)) + s),
      fc.anything(),
    );
    const headers = fc.dictionary(fc.constantFrom('origin', 'sec-fetch-site', 'cookie'), fc.string({ unit: 'grapheme-ascii' }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.anything()), token, headers, async (sid, tok, h) => {
        let request: Request | undefined;
        try {
          request = post(h);
        } catch {
          request = undefined; // header values the Fetch API itself refuses: not our input
        }
        try {
          await csrf.verify(sid as string, tok as string, request);
        } catch (error) {
          expect(error).toBeInstanceOf(WebMCPSecurityError);
          expect((error as WebMCPSecurityError).code).toBe('ERR_CSRF');
        }
      }),
      { numRuns: 300 },
    );
  });
});
