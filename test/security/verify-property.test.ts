/**
 * Property: no input to any verify/parse/decrypt entry point of webmcp/security throws anything
 * but WebMCPSecurityError / WebMCPConfigError (and the pure parsers never throw at all).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMCPConfigError, WebMCPSecurityError } from '../../src/errors.js';
import { createSecurity, decryptJwe, generateSecret, parseDuration, resolveSecurityConfig, verifyJws, type Security } from '../../src/security/index.js';

const RUNS = 150;
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Things shaped like JOSE objects: random JSON headers (often with real algorithm names), random segments. */
const headerArb = fc.record(
  {
    alg: fc.constantFrom('none', 'HS256', 'ES256', 'EdDSA', 'RS256', 'ECDH-ES', 'ECDH-ES+A256KW', 'A256GCMKW', 'dir', 'PBES2-HS512+A256KW'),
    enc: fc.constantFrom('A256GCM', 'A128GCM', 'A256CBC-HS512'),
    kid: fc.string({ maxLength: 40 }),
    typ: fc.constantFrom('at+jwt', 'JWT', 'webmcp-field+jwe'),
    epk: fc.anything(),
    crit: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    zip: fc.constant('DEF'),
    iv: fc.string({ maxLength: 20 }),
    tag: fc.string({ maxLength: 30 }),
    wfb: fc.string({ maxLength: 50 }),
  },
  { requiredKeys: [] },
);
const segmentArb = fc.oneof(fc.string({ maxLength: 60 }).map(b64), fc.base64String({ maxLength: 80 }), fc.constant(''));
const joseLike = fc.oneof(
  fc.tuple(headerArb, segmentArb, segmentArb).map(([h, p, s]) => `${b64(h)}.${p}.${s}`),
  fc.tuple(headerArb, segmentArb, segmentArb, segmentArb, segmentArb).map(([h, ...rest]) => [b64(h), ...rest].join('.')),
);
const anyInput = fc.oneof(joseLike, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.anything());

async function onlyTypedErrors(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (!(err instanceof WebMCPSecurityError) && !(err instanceof WebMCPConfigError)) {
      throw new Error(`untyped error: ${(err as Error)?.name}: ${(err as Error)?.message}`);
    }
  }
}

describe('no untyped errors from verify/parse/decrypt', () => {
  let sec: Security;
  let tokens: string[];
  let fieldJwe: string;
  let clientJwe: string;
  beforeAll(async () => {
    sec = await createSecurity({ jwt: { secret: generateSecret() } });
    tokens = [await sec.jwt.issue({ sub: 'u', scope: 'webmcp:read' })];
    fieldJwe = await sec.fields.encrypt('v', { tenant: 't', record: 'r', field: 'f' });
    const enc = (await sec.jwks()).keys.find((k) => k.use === 'enc')!;
    clientJwe = await sec.jwe.encryptFor(enc, 'v');
  });
  afterAll(() => sec.close());

  /** Valid objects with one character changed: the hardest inputs for a parser. */
  const mutated = (source: () => string) =>
    fc.tuple(fc.nat(), fc.constantFrom(...'AZaz09-_.=+/ {}"'.split(''))).map(([i, c]) => {
      const s = source();
      const at = i % s.length;
      return s.slice(0, at) + c + s.slice(at + 1);
    });

  it('jwt.verify / jwt.revoke', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyInput, mutated(() => tokens[0]!)), async (input) => {
        await onlyTypedErrors(() => sec.jwt.verify(input, { scope: 'webmcp:read' }));
        await onlyTypedErrors(() => sec.jwt.revoke(input as string));
      }),
      { numRuns: RUNS },
    );
  });

  it('jwe.decrypt and fields.decrypt', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyInput, mutated(() => clientJwe), mutated(() => fieldJwe)), async (input) => {
        await onlyTypedErrors(() => sec.jwe.decrypt(input));
        await onlyTypedErrors(() => sec.fields.decrypt(input, { tenant: 't', record: 'r', field: 'f' }));
      }),
      { numRuns: RUNS },
    );
  });

  it('apiKeys.verify, refresh.rotate, csrf.verify', async () => {
    await fc.assert(
      fc.asyncProperty(anyInput, fc.string({ maxLength: 40 }), async (input, session) => {
        await onlyTypedErrors(() => sec.apiKeys.verify(input));
        await onlyTypedErrors(() => sec.refresh.rotate(input));
        await onlyTypedErrors(() => sec.csrf.verify(session || 's', input as string));
      }),
      { numRuns: RUNS },
    );
  });

  it('low-level verifyJws / decryptJwe with fixed keys', async () => {
    const hmac = { kty: 'oct', k: generateSecret() };
    await fc.assert(
      fc.asyncProperty(anyInput, async (input) => {
        await onlyTypedErrors(() => verifyJws(input, hmac, { algorithms: ['HS256'] }));
        await onlyTypedErrors(() => decryptJwe(input, { kty: 'oct', k: generateSecret() }, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] }));
      }),
      { numRuns: RUNS },
    );
  });

  it('resolveSecurityConfig only throws WebMCPConfigError; parseDuration never throws', () => {
    const configArb = fc.oneof(
      fc.anything(),
      fc.record(
        {
          enableCSRF: fc.anything(),
          csrfTokenExpiry: fc.oneof(fc.integer(), fc.string({ maxLength: 6 })),
          jwt: fc.record({ secret: fc.string({ maxLength: 64 }), algorithm: fc.string({ maxLength: 6 }), expiresIn: fc.oneof(fc.double(), fc.string({ maxLength: 5 })), privateKey: fc.anything() }, { requiredKeys: [] }),
          rateLimit: fc.record({ windowMs: fc.double(), maxRequests: fc.integer() }, { requiredKeys: [] }),
          csp: fc.record({ directives: fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string(), fc.array(fc.string()), fc.boolean())) }, { requiredKeys: [] }),
          headers: fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string(), fc.constant(false))),
          audit: fc.record({ retention: fc.anything(), sensitiveFields: fc.array(fc.string()) }, { requiredKeys: [] }),
          roles: fc.dictionary(fc.string({ maxLength: 8 }), fc.array(fc.string({ maxLength: 12 }))),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(configArb, (input) => {
        try {
          resolveSecurityConfig(input as never);
        } catch (err) {
          expect(err).toBeInstanceOf(WebMCPConfigError);
        }
        expect(() => parseDuration(input)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
