import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../store/memory/index.js';
import { createSessions } from './session.js';

const record = { apiKeyId: 'wmk_abc', sub: 'user-1', role: 'agent', scopes: ['webmcp:read'], jti: 'j1' };

describe('sessions', () => {
  it('creates, reads and deletes a session behind an opaque id; the store holds only its hash', async () => {
    const store = createMemoryStore();
    const sessions = createSessions(store.kv, 3600);
    const { id, record: stored } = await sessions.create(record);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await sessions.get(id)).toEqual(stored);
    expect(await store.kv.get(`session:${id}`)).toBeNull();
    await sessions.delete(id);
    expect(await sessions.get(id)).toBeNull();
  });

  it('expires sessions and ignores malformed ids and corrupted records', async () => {
    let t = 1_000_000;
    const store = createMemoryStore({ now: () => t });
    const sessions = createSessions(store.kv, 60, () => t);
    const { id } = await sessions.create(record);
    t += 60_000;
    expect(await sessions.get(id)).toBeNull();
    expect(await sessions.get('../../etc')).toBeNull();
    expect(await sessions.get(undefined as unknown as string)).toBeNull();
    const { createHash } = await import('node:crypto');
    const live = await sessions.create(record);
    await store.kv.set(`session:${createHash('sha256').update(live.id).digest('base64url')}`, '{broken', 60_000);
    expect(await sessions.get(live.id)).toBeNull();
  });

  it('uses the pinned cookie names and attributes and reads the id back from a request', async () => {
    const sessions = createSessions(createMemoryStore().kv, 3600);
    const { id } = await sessions.create(record);
    expect(sessions.cookie(id, true)).toBe(`__Host-webmcp-session=${id}; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Strict`);
    expect(sessions.cookie(id, false, 10)).toBe(`webmcp-session=${id}; Max-Age=10; Path=/; HttpOnly; SameSite=Strict`);
    expect(sessions.clearCookie(true)).toContain('__Host-webmcp-session=; Max-Age=0');
    const req = (cookie: string) => new Request('https://gw.example/', { headers: { cookie } });
    expect(sessions.idFrom(req(`__Host-webmcp-session=${id}`), true)).toBe(id);
    // The plain-HTTP name is not honoured on HTTPS (it lacks the __Host- guarantees).
    expect(sessions.idFrom(req(`webmcp-session=${id}`), true)).toBeNull();
    expect(sessions.idFrom(req('__Host-webmcp-session=short'), true)).toBeNull();
  });
});
