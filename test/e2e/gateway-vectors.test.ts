/**
 * Attack catalogue, part 4: every public JOSE object in ../shared/vectors (Wycheproof and the
 * JOSE cookbook, none made with a gateway key) sent to a running gateway over HTTP — each JWS as
 * a Bearer token, each JWE as the value of an encryption-required field — is refused with a
 * problem, and nothing reaches the upstream.
 */
import { CompactEncrypt, importJWK, type JWK } from 'jose';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, startUpstream, type Gateway, type Upstream } from './gateway-harness.js';

const SHARED_VECTORS = '/work/shared/vectors/jose-vectors.json';
const PASSWORD = 'correct-horse-battery-staple-4711';

interface Vectors {
  jws: { id: string; value: string }[];
  jwe: { id: string; value: string }[];
}

describe.runIf(existsSync(SHARED_VECTORS))('public JOSE vectors over HTTP', () => {
  const vectors = existsSync(SHARED_VECTORS) ? (JSON.parse(readFileSync(SHARED_VECTORS, 'utf8')) as Vectors) : { jws: [], jwe: [] };
  let gw: Gateway;
  let upstream: Upstream;
  let token: string;

  beforeAll(async () => {
    upstream = await startUpstream();
    gw = await startGateway({ upstream, security: { rateLimit: { windowMs: 60_000, maxRequests: 100_000 } } });
    token = (await gw.token((await gw.createKey('agent')).key)).access_token;
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  function act(params: unknown, bearer = token): Promise<Response> {
    return gw.fetch('/webmcp/actions/login/LOG_IN', {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
  }

  async function encrypt(value: string): Promise<string> {
    const { keys } = (await (await gw.fetch('/.well-known/jwks.json')).json()) as { keys: (JWK & { use: string })[] };
    const jwk = keys.find((k) => k.use === 'enc')!;
    return new CompactEncrypt(new TextEncoder().encode(value))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: jwk.kid })
      .encrypt(await importJWK(jwk, 'ECDH-ES+A256KW'));
  }

  it('refuses every JWS as a Bearer token with 401, and every JWE field value with 400', async () => {
    expect(vectors.jws.length + vectors.jwe.length).toBeGreaterThan(200);
    const valid = await encrypt(PASSWORD);
    for (const { id, value } of vectors.jws) {
      const res = await act({ EMAIL: 'ann@example.com', PASSWORD: valid }, value);
      expect([id, res.status, res.headers.get('content-type')]).toEqual([id, 401, 'application/problem+json']);
      await res.body?.cancel();
    }
    const codes = new Set<string>();
    for (const { id, value } of vectors.jwe) {
      const res = await act({ EMAIL: 'ann@example.com', PASSWORD: value });
      const { code } = (await res.json()) as { code: string };
      // A JWE with an empty segment (no tag, say) is not compact JWE at all: refused as plaintext.
      expect([id, res.status, ['ERR_DECRYPT', 'ERR_ENCRYPTION_REQUIRED'].includes(code)]).toEqual([id, 400, true]);
      codes.add(code);
    }
    expect(codes.has('ERR_DECRYPT')).toBe(true);
    expect(upstream.requests).toEqual([]);
    // The same gateway still acts on a genuine call: the refusals were the vectors', not a broken setup.
    expect((await act({ EMAIL: 'ann@example.com', PASSWORD: valid })).status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
  });
});
