import { describe, expect, it } from 'vitest';
import { WebMCPSecurityError } from '../../errors.js';
import { createMemoryStore } from '../../store/memory/index.js';
import { createRefreshTokens, hashRefreshToken } from './index.js';

function setup(isApiKeyActive?: (id: string) => Promise<boolean>) {
  const clock = { t: Date.UTC(2030, 0, 1) };
  const store = createMemoryStore({ now: () => clock.t });
  const refresh = createRefreshTokens({ store: store.refreshTokens, lifetime: 3600, now: () => clock.t, isApiKeyActive });
  return { clock, store, refresh };
}

async function code(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebMCPSecurityError);
  expect((err as Error).message).toBe('invalid refresh token');
  return (err as WebMCPSecurityError).code;
}

describe('refresh tokens', () => {
  it('are opaque, stored only as a SHA-256 hash, and rotate on every use', async () => {
    const { store, refresh } = setup();
    const first = await refresh.issue({ subject: 'key_1', apiKeyId: 'key_1', scopes: ['webmcp:read'] });
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const second = await refresh.rotate(first.token);
    expect(second).toMatchObject({ familyId: first.familyId, subject: 'key_1', apiKeyId: 'key_1', scopes: ['webmcp:read'] });
    expect(second.token).not.toBe(first.token);
    const third = await refresh.rotate(second.token);
    expect(third.familyId).toBe(first.familyId);
    // nothing stored is the token itself
    const found = await store.refreshTokens.consume(first.token, Date.now());
    expect(found).toBeNull();
    expect(hashRefreshToken(first.token)).not.toBe(first.token);
  });

  it('reuse of a used token revokes the whole family, including the newest token', async () => {
    const { refresh } = setup();
    const first = await refresh.issue({ subject: 's', scopes: [] });
    const second = await refresh.rotate(first.token);
    expect(await code(refresh.rotate(first.token))).toBe('ERR_REFRESH_REUSED');
    expect(await code(refresh.rotate(second.token))).toBe('ERR_REFRESH_INVALID');
  });

  it('a race between two presenters of the same token leaves no usable token', async () => {
    const { refresh } = setup();
    const first = await refresh.issue({ subject: 's', scopes: [] });
    const results = await Promise.allSettled([refresh.rotate(first.token), refresh.rotate(first.token)]);
    const won = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ token: string }> | undefined;
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(await code(refresh.rotate(won!.value.token))).toBe('ERR_REFRESH_INVALID');
  });

  it('expired, unknown, malformed and revoked tokens are ERR_REFRESH_INVALID', async () => {
    const { refresh, clock } = setup();
    const a = await refresh.issue({ subject: 's', scopes: [] });
    clock.t += 3_600_001;
    expect(await code(refresh.rotate(a.token))).toBe('ERR_REFRESH_INVALID');
    expect(await code(refresh.rotate('A'.repeat(43)))).toBe('ERR_REFRESH_INVALID');
    for (const bad of ['', 'short', 'x'.repeat(5000), null, 7, {}, 'A'.repeat(42) + '!']) {
      expect(await code(refresh.rotate(bad))).toBe('ERR_REFRESH_INVALID');
    }
    const b = await refresh.issue({ subject: 's', scopes: [] });
    expect(await refresh.revoke(b.token)).toBe(true);
    expect(await code(refresh.rotate(b.token))).toBe('ERR_REFRESH_INVALID');
    expect(await refresh.revoke('B'.repeat(43))).toBe(false);
  });

  it('a family bound to a revoked API key ends', async () => {
    let active = true;
    const { refresh, store } = setup(async () => active);
    const a = await refresh.issue({ subject: 'k', apiKeyId: 'k', scopes: [] });
    const b = await refresh.rotate(a.token);
    active = false;
    expect(await code(refresh.rotate(b.token))).toBe('ERR_REFRESH_INVALID');
    expect(await store.refreshTokens.isFamilyRevoked(a.familyId)).toBe(true);
  });
});
