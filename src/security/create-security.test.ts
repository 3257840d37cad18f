import { describe, expect, it } from 'vitest';
import { WebMCPConfigError, WebMCPSecurityError } from '../errors.js';
import { createMemoryStore } from '../store/memory/index.js';
import type { Store } from '../store/types.js';
import { createSecurity, generateSecret } from './index.js';

const SECRET = generateSecret();

describe('createSecurity', () => {
  it('works with defaults: generated ES256 keys, JWKS with sig and enc keys', async () => {
    const sec = await createSecurity();
    expect(sec.config.jwt.algorithm).toBe('ES256');
    const token = await sec.jwt.issue({ sub: 'agent-1', scope: 'webmcp:read' });
    expect((await sec.jwt.verify(token, { scope: 'webmcp:read' })).sub).toBe('agent-1');
    const { keys } = await sec.jwks();
    expect(keys.map((k) => k.use).sort()).toEqual(['enc', 'sig']);
    expect(keys.find((k) => k.use === 'enc')).toMatchObject({ alg: 'ECDH-ES+A256KW', crv: 'P-256' });
    expect(JSON.stringify(keys)).not.toMatch(/"d":/);
    expect(await sec.jwt.jwks()).toEqual({ keys });
    await sec.close();
  });

  it('generates EdDSA or HS256 keyring keys when asked, without any key material in the config', async () => {
    const ed = await createSecurity({ jwt: { algorithm: 'EdDSA' } });
    const edToken = await ed.jwt.issue({ sub: 'a', scope: 'webmcp:read' });
    await expect(ed.jwt.verify(edToken)).resolves.toMatchObject({ sub: 'a' });
    expect((await ed.jwks()).keys.find((k) => k.use === 'sig')).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    await ed.close();
    const hs = await createSecurity({ jwt: { algorithm: 'HS256' } });
    await expect(hs.jwt.verify(await hs.jwt.issue({ sub: 'a', scope: 'webmcp:read' }))).resolves.toBeTruthy();
    // a symmetric signing key is never published
    expect((await hs.jwks()).keys.map((k) => k.use)).toEqual(['enc']);
    await hs.close();
  });

  it('refuses a bad config with a path', async () => {
    await expect(createSecurity({ jwt: { secret: 'short' } })).rejects.toMatchObject({ path: 'security.jwt.secret' });
    await expect(createSecurity({ rateLimit: { maxRequests: 0 } })).rejects.toBeInstanceOf(WebMCPConfigError);
  });

  it('API key -> access + refresh token -> rotate -> revoke, end to end', async () => {
    const sec = await createSecurity({ jwt: { secret: SECRET } });
    const created = await sec.apiKeys.create({ name: 'ci agent', role: 'agent' });
    expect(created.key).toBe(`${created.id}.${created.secret}`);
    expect(created.scopes).toEqual(['webmcp:read', 'webmcp:write']);
    const who = await sec.apiKeys.verify(created.key);
    const access = await sec.jwt.issue({ sub: who.id, scope: who.scopes });
    const refresh = await sec.refresh.issue({ subject: who.id, apiKeyId: who.id, scopes: who.scopes });
    const next = await sec.refresh.rotate(refresh.token);
    expect(next.scopes).toEqual(who.scopes);
    expect(await sec.apiKeys.revoke(created.id)).toBe(true);
    await expect(sec.apiKeys.verify(created.key)).rejects.toMatchObject({ code: 'ERR_API_KEY' });
    await expect(sec.refresh.rotate(next.token)).rejects.toMatchObject({ code: 'ERR_REFRESH_INVALID' });
    expect(await sec.jwt.revoke(access)).toBe(true);
    await expect(sec.jwt.verify(access)).rejects.toMatchObject({ code: 'ERR_JWT_REVOKED' });
    await sec.close();
  });

  it('fields and client JWE work through the composed object', async () => {
    const sec = await createSecurity();
    const binding = { tenant: 't', record: 'r', field: 'f' };
    expect(await sec.fields.decrypt(await sec.fields.encrypt('v', binding), binding)).toBe('v');
    const enc = (await sec.jwks()).keys.find((k) => k.use === 'enc')!;
    expect(await sec.jwe.decrypt(await sec.jwe.encryptFor(enc, 'pw'))).toBe('pw');
    expect(() => sec.fields.requireEncrypted({ encryption: 'required' }, 'pw')).toThrow(WebMCPSecurityError);
    await sec.close();
  });

  it('two instances sharing a store (and master key) trust each other’s tokens and keys', async () => {
    const store = createMemoryStore();
    const masterKey = generateSecret();
    const a = await createSecurity({}, { store, masterKey });
    const b = await createSecurity({}, { store, masterKey });
    const token = await a.jwt.issue({ sub: 'x', scope: 'webmcp:read' });
    await expect(b.jwt.verify(token)).resolves.toMatchObject({ sub: 'x' });
    const key = await a.apiKeys.create({ name: 'k', role: 'reader' });
    await expect(b.apiKeys.verify(key.key)).resolves.toMatchObject({ id: key.id });
    const binding = { tenant: 't', record: 'r', field: 'f' };
    expect(await b.fields.decrypt(await a.fields.encrypt('shared', binding), binding)).toBe('shared');
    const csrf = await a.csrf.issue('session-1');
    await expect(b.csrf.verify('session-1', csrf)).resolves.toBeUndefined();
    await a.apiKeys.revoke(key.id);
    await expect(b.apiKeys.verify(key.key)).rejects.toMatchObject({ code: 'ERR_API_KEY' });
    await a.close();
    await b.close();
    await store.close();
  });

  it('a memory store needs no master key; instances on it share one automatically', async () => {
    const store = createMemoryStore();
    const a = await createSecurity({}, { store });
    const b = await createSecurity({}, { store });
    await expect(b.jwt.verify(await a.jwt.issue({ sub: 'x', scope: 'webmcp:read' }))).resolves.toBeTruthy();
    await Promise.all([a.close(), b.close()]);
    expect(() => store.kv).not.toThrow();
    await store.close();
  });

  it('persistent stores require a master key or KMS, and the wrong master key is refused', async () => {
    const memory = createMemoryStore();
    const persistent = new Proxy(memory, {
      get: (target, prop) => (prop === 'kind' ? 'sqlite' : Reflect.get(target, prop)),
    }) as Store;
    await expect(createSecurity({}, { store: persistent })).rejects.toMatchObject({ path: 'masterKey' });
    const sec = await createSecurity({}, { store: persistent, masterKey: generateSecret() });
    await sec.jwks();
    await sec.close();
    await expect(createSecurity({}, { store: persistent, masterKey: generateSecret() })).rejects.toBeInstanceOf(WebMCPConfigError);
    await expect(createSecurity({}, { store: persistent, masterKey: 'c2hvcnQ' })).rejects.toMatchObject({ path: 'masterKey' });
    await memory.close();
  });

  it('protects a Web-standard handler: public by default, require(scope) demands a token', async () => {
    const sec = await createSecurity({ jwt: { secret: SECRET } });
    const ok = () => new Response('ok');
    const open = await sec.handle(new Request('https://app.example/'), ok, { ip: '192.0.2.1' });
    expect(open.status).toBe(200);
    expect(open.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const guarded = sec.require('webmcp:write')(ok);
    expect((await guarded(new Request('https://app.example/x', { method: 'POST' }), { ip: '192.0.2.1' })).status).toBe(401);
    const reader = await sec.jwt.issue({ sub: 'r', scope: 'webmcp:read' });
    const writer = await sec.jwt.issue({ sub: 'w', scope: 'webmcp:write' });
    const call = (token: string) =>
      sec.handle(new Request('https://app.example/x', { method: 'POST', headers: { authorization: `Bearer ${token}` } }), guarded, { ip: '192.0.2.1' });
    expect((await call(reader)).status).toBe(403);
    expect((await call(writer)).status).toBe(200);
    expect((await call(writer + 'x')).status).toBe(401);
    await sec.close();
  });
});

describe('createSecurity on a persistent (SQLite) store', () => {
  it('keeps keys, API keys and revocations across a restart; refuses the wrong master key', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createSqliteStore } = await import('../store/sqlite/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'webmcp-sec-'));
    const file = join(dir, 'webmcp.db');
    const masterKey = generateSecret();
    try {
      let store = createSqliteStore(file);
      await expect(createSecurity({}, { store })).rejects.toMatchObject({ path: 'masterKey' });
      let sec = await createSecurity({}, { store, masterKey });
      const token = await sec.jwt.issue({ sub: 'agent', scope: 'webmcp:read' });
      const revoked = await sec.jwt.issue({ sub: 'agent', scope: 'webmcp:read' });
      await sec.jwt.revoke(revoked);
      const key = await sec.apiKeys.create({ name: 'persisted', role: 'agent' });
      const binding = { tenant: 't', record: 'r', field: 'f' };
      const sealed = await sec.fields.encrypt('survives', binding);
      const { keys } = await sec.jwks();
      await sec.close();
      await store.close();
      // the database holds no key material in the clear
      const { readFileSync } = await import('node:fs');
      const raw = readFileSync(file).toString('latin1');
      expect(raw).not.toContain('"d":');
      expect(raw).not.toContain(key.secret);

      store = createSqliteStore(file);
      sec = await createSecurity({}, { store, masterKey });
      await expect(sec.jwt.verify(token)).resolves.toMatchObject({ sub: 'agent' });
      await expect(sec.jwt.verify(revoked)).rejects.toMatchObject({ code: 'ERR_JWT_REVOKED' });
      await expect(sec.apiKeys.verify(key.key)).resolves.toMatchObject({ id: key.id });
      expect(await sec.fields.decrypt(sealed, binding)).toBe('survives');
      expect((await sec.jwks()).keys.map((k) => k.kid).sort()).toEqual(keys.map((k) => k.kid).sort());
      await sec.close();

      await expect(createSecurity({}, { store, masterKey: generateSecret() })).rejects.toMatchObject({ path: 'masterKey' });
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
