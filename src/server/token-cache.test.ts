import { describe, expect, it } from 'vitest';
import { WebMCPSecurityError } from '../errors.js';
import type { AccessTokenClaims } from '../security/jwt/index.js';
import { createCachedVerify } from './token-cache.js';

function setup() {
  let clock = 1_000_000_000_000;
  const revoked = new Set<string>();
  let verifies = 0;
  const claims: AccessTokenClaims = { iss: 'webmcp', aud: 'webmcp', sub: 'k', scope: 'webmcp:read', scopes: ['webmcp:read'], jti: 'j1', iat: 0, exp: clock / 1000 + 60 };
  const jwt = {
    async verify(token: unknown) {
      verifies++;
      if (token !== 'good') throw new WebMCPSecurityError('ERR_JWT_INVALID', 'bad');
      if (revoked.has('j1')) throw new WebMCPSecurityError('ERR_JWT_REVOKED', 'revoked');
      if (claims.exp * 1000 <= clock) throw new WebMCPSecurityError('ERR_JWT_EXPIRED', 'expired');
      return claims;
    },
  };
  const verify = createCachedVerify(jwt, { isRevoked: async (jti) => revoked.has(jti) }, { now: () => clock, ttlMs: 10_000 });
  return { verify, revoked, advance: (ms: number) => (clock += ms), verifies: () => verifies };
}

describe('createCachedVerify', () => {
  it('checks a signature once per token string within the TTL', async () => {
    const t = setup();
    await t.verify('good');
    await t.verify('good');
    expect(t.verifies()).toBe(1);
    t.advance(11_000);
    await t.verify('good');
    expect(t.verifies()).toBe(2);
  });

  it('never caches a refusal', async () => {
    const t = setup();
    await expect(t.verify('bad')).rejects.toThrow(WebMCPSecurityError);
    await expect(t.verify('bad')).rejects.toThrow(WebMCPSecurityError);
    expect(t.verifies()).toBe(2);
  });

  it('still refuses a remembered token once it is revoked or expired', async () => {
    const t = setup();
    await t.verify('good');
    t.revoked.add('j1');
    await expect(t.verify('good')).rejects.toMatchObject({ code: 'ERR_JWT_REVOKED' });
    const u = setup();
    await u.verify('good');
    u.advance(61_000);
    await expect(u.verify('good')).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });
});
