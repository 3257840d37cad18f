import { describe, expect, it } from 'vitest';
import { WebMCPConfigError } from '../../errors.js';
import { createMemoryStore } from '../../store/memory/index.js';
import type { Store } from '../../store/types.js';
import { silentLogger } from '../logger.js';
import {
  KEY_SPECS,
  Keyring,
  createKmsWrapper,
  createMasterKeyWrapper,
  parseMasterKey,
  randomMasterKey,
  signingKeySpec,
  type KeyWrapper,
} from './index.js';

const DAY = 86_400_000;

function clock(start = Date.UTC(2030, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function keyring(store: Store, wrapper: KeyWrapper, now: () => number, rotationDays = 30, graceDays = 7) {
  return new Keyring({
    store,
    wrapper,
    now,
    logger: silentLogger,
    rotationInterval: rotationDays * 86_400,
    graceSeconds: () => graceDays * 86_400,
  });
}

describe('master key wrapping', () => {
  it('parses base64url and refuses wrong sizes without echoing the value', () => {
    const key = randomMasterKey();
    expect(parseMasterKey(Buffer.from(key).toString('base64url'))).toEqual(key);
    expect(() => parseMasterKey('c2hvcnQ')).toThrow(WebMCPConfigError);
    expect(() => parseMasterKey(new Uint8Array(16))).toThrow(/32 bytes/);
    try {
      parseMasterKey('not base64 at all!');
    } catch (err) {
      expect((err as Error).message).not.toContain('not base64');
    }
  });

  it('round-trips, binds the label and detects the wrong master key', async () => {
    const wrapper = createMasterKeyWrapper(randomMasterKey());
    const wrapped = await wrapper.wrap(new Uint8Array([1, 2, 3]), 'kid-a');
    expect(await wrapper.unwrap(wrapped, 'kid-a')).toEqual(new Uint8Array([1, 2, 3]));
    await expect(wrapper.unwrap(wrapped, 'kid-b')).rejects.toThrow(WebMCPConfigError);
    await expect(createMasterKeyWrapper(randomMasterKey()).unwrap(wrapped, 'kid-a')).rejects.toThrow(/different master key/);
    const parts = wrapped.split('.');
    parts[3] = parts[3]!.startsWith('A') ? 'B' + parts[3]!.slice(1) : 'A' + parts[3]!.slice(1);
    await expect(wrapper.unwrap(parts.join('.'), 'kid-a')).rejects.toThrow(WebMCPConfigError);
    await expect(wrapper.unwrap('garbage', 'kid-a')).rejects.toThrow(WebMCPConfigError);
  });

  it('wraps through a KMS hook and checks the label', async () => {
    const vault = new Map<string, Uint8Array>();
    const kms = createKmsWrapper({
      async wrap(bytes) {
        const id = `kms-${vault.size}`;
        vault.set(id, bytes);
        return id;
      },
      async unwrap(id) {
        const bytes = vault.get(id);
        if (!bytes) throw new Error('unknown handle');
        return bytes;
      },
    });
    const handle = await kms.wrap(new Uint8Array([9, 9]), 'kid-x');
    expect(await kms.unwrap(handle, 'kid-x')).toEqual(new Uint8Array([9, 9]));
    await expect(kms.unwrap(handle, 'kid-y')).rejects.toThrow(WebMCPConfigError);
    await expect(kms.unwrap('nope', 'kid-x')).rejects.toThrow(WebMCPConfigError);
  });
});

describe('Keyring', () => {
  it('creates a key on first use and stores only wrapped material', async () => {
    const store = createMemoryStore();
    const ring = keyring(store, createMasterKeyWrapper(randomMasterKey()), Date.now);
    await ring.start();
    const key = await ring.current(KEY_SPECS.enc);
    expect(key.kid).toMatch(/^enc-/);
    expect(key.jwk.d).toBeTypeOf('string');
    expect(key.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: key.kid, use: 'enc', alg: 'ECDH-ES+A256KW' });
    expect(key.publicJwk).not.toHaveProperty('d');
    const [record] = await store.keyring.list();
    expect(record!.wrapped).not.toContain(String(key.jwk.d));
    expect(JSON.stringify(record)).not.toContain(String(key.jwk.d));
    expect((await ring.current(KEY_SPECS.enc)).kid).toBe(key.kid);
    await ring.close();
  });

  it('rotates after the interval; old sig keys verify through the grace period, then are deleted', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now });
    const ring = keyring(store, createMasterKeyWrapper(randomMasterKey()), c.now);
    await ring.start();
    const spec = signingKeySpec('ES256');
    const first = await ring.current(spec);
    c.advance(29 * DAY);
    expect((await ring.current(spec)).kid).toBe(first.kid);
    c.advance(2 * DAY);
    const second = await ring.current(spec);
    expect(second.kid).not.toBe(first.kid);
    expect(await ring.find(first.kid, spec)).not.toBeNull();
    expect((await ring.list(spec)).map((k) => k.kid)).toEqual([second.kid, first.kid]);
    c.advance(7 * DAY + 1);
    expect(await ring.find(first.kid, spec)).toBeNull();
    await ring.reload();
    expect((await store.keyring.list()).map((r) => r.kid)).toEqual([second.kid]);
    await ring.close();
  });

  it('never retires field keys: old ciphertexts must stay readable', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now });
    const ring = keyring(store, createMasterKeyWrapper(randomMasterKey()), c.now);
    await ring.start();
    const first = await ring.current(KEY_SPECS.field);
    c.advance(400 * DAY);
    const later = await ring.current(KEY_SPECS.field);
    expect(later.kid).not.toBe(first.kid);
    expect((await ring.find(first.kid, KEY_SPECS.field))?.jwk.k).toBe(first.jwk.k);
    await ring.close();
  });

  it('forced rotation makes a new current key', async () => {
    const store = createMemoryStore();
    const ring = keyring(store, createMasterKeyWrapper(randomMasterKey()), Date.now);
    await ring.start();
    const a = await ring.current(KEY_SPECS.enc);
    const b = await ring.rotate(KEY_SPECS.enc);
    expect(b.kid).not.toBe(a.kid);
    expect((await ring.current(KEY_SPECS.enc)).kid).toBe(b.kid);
    expect((await store.keyring.list()).find((r) => r.kid === a.kid)?.retireAt).toBeTypeOf('number');
    await ring.close();
  });

  it('two processes on one store agree on one key, and see each other’s rotations', async () => {
    const store = createMemoryStore();
    const master = randomMasterKey();
    const a = keyring(store, createMasterKeyWrapper(master), Date.now);
    const b = keyring(store, createMasterKeyWrapper(master), Date.now);
    await Promise.all([a.start(), b.start()]);
    const [ka, kb] = await Promise.all([a.current(KEY_SPECS.enc), b.current(KEY_SPECS.enc)]);
    expect(ka.kid).toBe(kb.kid);
    expect((await store.keyring.list()).filter((r) => r.use === 'enc')).toHaveLength(1);
    const rotated = await a.rotate(KEY_SPECS.enc);
    // b learns the new kid on demand (unknown kid -> reload) ...
    expect((await b.find(rotated.kid, KEY_SPECS.enc))?.kid).toBe(rotated.kid);
    // ... and switches its current key after the invalidation event.
    await new Promise((r) => setTimeout(r, 20));
    expect((await b.current(KEY_SPECS.enc)).kid).toBe(rotated.kid);
    await Promise.all([a.close(), b.close()]);
  });

  it('concurrent fixed() calls create one shared key', async () => {
    const store = createMemoryStore();
    const master = randomMasterKey();
    const rings = [0, 1, 2].map(() => keyring(store, createMasterKeyWrapper(master), Date.now));
    const keys = await Promise.all(rings.map((r) => r.fixed('api-key-pepper', KEY_SPECS.pepper)));
    expect(new Set(keys.map((k) => k.jwk.k)).size).toBe(1);
  });

  it('refuses to start signing with a different master key than the store was written with', async () => {
    const store = createMemoryStore();
    const first = keyring(store, createMasterKeyWrapper(randomMasterKey()), Date.now);
    await first.start();
    await first.current(KEY_SPECS.enc);
    const second = keyring(store, createMasterKeyWrapper(randomMasterKey()), Date.now);
    await expect(second.start()).rejects.toThrow(WebMCPConfigError);
    await first.close();
  });

  it('refuses a wrapped blob moved onto another record', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now });
    const master = randomMasterKey();
    const ring = keyring(store, createMasterKeyWrapper(master), c.now);
    await ring.start();
    const enc = await ring.current(KEY_SPECS.enc);
    c.advance(1000);
    const field = await ring.current(KEY_SPECS.field);
    const records = await store.keyring.list();
    const encRecord = records.find((r) => r.kid === enc.kid)!;
    await store.keyring.update(field.kid, { wrapped: encRecord.wrapped });
    const fresh = keyring(store, createMasterKeyWrapper(master), c.now);
    // start() unwraps the newest record (the field key) and notices the swap at once
    await expect(fresh.start()).rejects.toThrow(/belongs to another key/);
    await ring.close();
  });
});
