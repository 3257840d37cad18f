import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebMCPInputError, WebMCPSecurityError } from '../../errors.js';
import { createMemoryStore } from '../../store/memory/index.js';
import { resolveSecurityConfig } from '../config/index.js';
import { silentLogger } from '../logger.js';
import { createApiKeys } from './index.js';

function setup() {
  const clock = { t: Date.UTC(2030, 0, 1) };
  const now = () => clock.t;
  const store = createMemoryStore({ now });
  const config = resolveSecurityConfig({ roles: { auditor: ['webmcp:read', 'webmcp:admin'] } });
  const pepper = randomBytes(32);
  const keys = createApiKeys({ store, roles: config.roles, scopes: config.jwt.scopes, pepper: async () => pepper, now, logger: silentLogger });
  return { clock, store, keys, pepper };
}

async function refused(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebMCPSecurityError);
  expect((err as WebMCPSecurityError).code).toBe('ERR_API_KEY');
  expect((err as Error).message).toBe('invalid API key');
}

describe('API keys', () => {
  it('creates id.secret keys, stores only a peppered HMAC, and verifies them', async () => {
    const { keys, store } = setup();
    const created = await keys.create({ name: 'agent one', role: 'agent' });
    expect(created.id).toMatch(/^wmk_[A-Za-z0-9_-]{16}$/);
    expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.key).toBe(`${created.id}.${created.secret}`);
    expect(created.scopes).toEqual(['webmcp:read', 'webmcp:write']);
    const record = await store.apiKeys.get(created.id);
    expect(JSON.stringify(record)).not.toContain(created.secret);
    expect(await keys.verify(created.key)).toEqual({ id: created.id, name: 'agent one', role: 'agent', scopes: ['webmcp:read', 'webmcp:write'] });
    expect(await keys.verify(`${created.id}:${created.secret}`)).toMatchObject({ id: created.id });
  });

  it('list() and get() never expose hashes or secrets', async () => {
    const { keys } = setup();
    const created = await keys.create({ name: 'n', role: 'reader', scopes: ['webmcp:read'] });
    const listed = await keys.list();
    expect(listed).toHaveLength(1);
    const text = JSON.stringify(listed) + JSON.stringify(await keys.get(created.id));
    expect(text).not.toMatch(/secretHash|previousSecretHash/);
    expect(text).not.toContain(created.secret);
  });

  it('refuses wrong, unknown, malformed keys with one generic error', async () => {
    const { keys } = setup();
    const created = await keys.create({ name: 'n', role: 'reader' });
    const otherSecret = randomBytes(32).toString('base64url');
    await refused(keys.verify(`${created.id}.${otherSecret}`));
    await refused(keys.verify(`wmk_AAAAAAAAAAAAAAAA.${created.secret}`));
    for (const bad of ['', created.id, created.secret, `${created.id}.${created.secret}x`, `${created.id}..${created.secret}`, null, 42, { key: created.key }, 'x'.repeat(10_000)]) {
      await refused(keys.verify(bad));
    }
  });

  it('a key from a store with another pepper is refused (hashes are peppered)', async () => {
    const a = setup();
    const created = await a.keys.create({ name: 'n', role: 'reader' });
    const other = createApiKeys({ store: a.store, roles: { reader: ['webmcp:read'] }, scopes: ['webmcp:read'], pepper: async () => randomBytes(32), now: Date.now, logger: silentLogger });
    await refused(other.verify(created.key));
  });

  it('revoked and expired keys are refused; revoking ends the key’s refresh families', async () => {
    const { keys, clock, store } = setup();
    const a = await keys.create({ name: 'a', role: 'agent' });
    await store.refreshTokens.insert({ hash: 'h1', familyId: 'fam', subject: a.id, apiKeyId: a.id, scopes: [], createdAt: clock.t, expiresAt: clock.t + 1e6, usedAt: null });
    expect(await keys.revoke(a.id)).toBe(true);
    await refused(keys.verify(a.key));
    expect(await store.refreshTokens.isFamilyRevoked('fam')).toBe(true);
    expect(await keys.isActive(a.id)).toBe(false);
    expect(await keys.revoke('wmk_unknown')).toBe(false);
    const b = await keys.create({ name: 'b', role: 'agent', expiresAt: clock.t + 60_000 });
    await expect(keys.verify(b.key)).resolves.toBeTruthy();
    clock.t += 60_000;
    await refused(keys.verify(b.key));
  });

  it('rotation: the old secret works during the grace period only; the new one works', async () => {
    const { keys, clock } = setup();
    const original = await keys.create({ name: 'r', role: 'agent' });
    const rotated = await keys.rotate(original.id, { graceMs: 10_000 });
    expect(rotated.id).toBe(original.id);
    expect(rotated.secret).not.toBe(original.secret);
    await expect(keys.verify(original.key)).resolves.toBeTruthy();
    await expect(keys.verify(rotated.key)).resolves.toBeTruthy();
    clock.t += 10_000;
    await refused(keys.verify(original.key));
    await expect(keys.verify(rotated.key)).resolves.toBeTruthy();
    const again = await keys.rotate(original.id);
    await refused(keys.verify(rotated.key));
    await expect(keys.verify(again.key)).resolves.toBeTruthy();
  });

  it('a revoked key cannot be rotated back to life, nor its grace secret used', async () => {
    const { keys } = setup();
    const k = await keys.create({ name: 'x', role: 'agent' });
    const r = await keys.rotate(k.id, { graceMs: 60_000 });
    await keys.revoke(k.id);
    await refused(keys.verify(k.key));
    await refused(keys.verify(r.key));
    await expect(keys.rotate(k.id)).rejects.toBeInstanceOf(WebMCPInputError);
  });

  it('tracks last use, throttled', async () => {
    const { keys, clock } = setup();
    const k = await keys.create({ name: 'x', role: 'reader' });
    expect((await keys.get(k.id))!.lastUsedAt).toBeNull();
    await keys.verify(k.key);
    await new Promise((r) => setImmediate(r));
    const first = (await keys.get(k.id))!.lastUsedAt;
    expect(first).toBe(clock.t);
    clock.t += 1000;
    await keys.verify(k.key);
    await new Promise((r) => setImmediate(r));
    expect((await keys.get(k.id))!.lastUsedAt).toBe(first);
    clock.t += 60_000;
    await keys.verify(k.key);
    await new Promise((r) => setImmediate(r));
    expect((await keys.get(k.id))!.lastUsedAt).toBe(clock.t);
  });

  it('validates create input: role, scopes, name, expiry', async () => {
    const { keys, clock } = setup();
    await expect(keys.create({ name: 'x', role: 'root' })).rejects.toBeInstanceOf(WebMCPInputError);
    await expect(keys.create({ name: 'x', role: 'agent', scopes: ['webmcp:god'] })).rejects.toBeInstanceOf(WebMCPInputError);
    await expect(keys.create({ name: '', role: 'agent' })).rejects.toBeInstanceOf(WebMCPInputError);
    await expect(keys.create({ name: 'x\n', role: 'agent' })).rejects.toBeInstanceOf(WebMCPInputError);
    await expect(keys.create({ name: 'x', role: 'agent', expiresAt: clock.t - 1 })).rejects.toBeInstanceOf(WebMCPInputError);
    expect((await keys.create({ name: 'x', role: 'auditor' })).scopes).toEqual(['webmcp:read', 'webmcp:admin']);
  });
});
