import { compactDecrypt } from 'jose';
import { describe, expect, it } from 'vitest';
import { WebMCPSecurityError } from '../../errors.js';
import { createMemoryStore } from '../../store/memory/index.js';
import { Keyring, KEY_SPECS, createMasterKeyWrapper, randomMasterKey } from '../keyring/index.js';
import { silentLogger } from '../logger.js';
import { aesGcmDecrypt, aesGcmEncrypt, createFieldEncryption, requireEncrypted } from './index.js';

async function setup() {
  const clock = { t: Date.UTC(2030, 0, 1) };
  const now = () => clock.t;
  const store = createMemoryStore({ now });
  const keyring = new Keyring({
    store,
    wrapper: createMasterKeyWrapper(randomMasterKey()),
    now,
    logger: silentLogger,
    rotationInterval: 86_400,
    graceSeconds: () => 3600,
  });
  await keyring.start();
  return { clock, keyring, fields: createFieldEncryption(keyring) };
}

const where = { tenant: 'acme', record: 'user-42', field: 'ssn' };

async function refused(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebMCPSecurityError);
  expect((err as WebMCPSecurityError).code).toBe('ERR_DECRYPT');
  expect((err as Error).message).toBe('decryption failed');
}

describe('field encryption', () => {
  it('round-trips, with a fresh data key and IV per value', async () => {
    const { fields } = await setup();
    const a = await fields.encrypt('078-05-1120', where);
    const b = await fields.encrypt('078-05-1120', where);
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(a).not.toContain('078');
    expect(await fields.decrypt(a, where)).toBe('078-05-1120');
    expect(await fields.decrypt(await fields.encrypt('', where), where)).toBe('');
    expect(await fields.decrypt(await fields.encrypt('ünïcødé 🔐', where), where)).toBe('ünïcødé 🔐');
  });

  it('is a standard JWE: jose decrypts it with the field key', async () => {
    const { fields, keyring } = await setup();
    const jwe = await fields.encrypt('standard', where);
    const key = await keyring.current(KEY_SPECS.field);
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, Buffer.from(String(key.jwk.k), 'base64url'));
    expect(new TextDecoder().decode(plaintext)).toBe('standard');
    expect(protectedHeader).toMatchObject({ alg: 'A256GCMKW', enc: 'A256GCM', kid: key.kid });
    expect(JSON.stringify(protectedHeader)).not.toContain('user-42');
  });

  it('a ciphertext moved to another tenant, record or field is refused', async () => {
    const { fields } = await setup();
    const jwe = await fields.encrypt('secret', where);
    await refused(fields.decrypt(jwe, { ...where, tenant: 'other' }));
    await refused(fields.decrypt(jwe, { ...where, record: 'user-43' }));
    await refused(fields.decrypt(jwe, { ...where, field: 'password' }));
    // separators cannot be shuffled between parts
    const tricky = await fields.encrypt('x', { tenant: 'a|b', record: 'c', field: 'd' });
    await refused(fields.decrypt(tricky, { tenant: 'a', record: 'b|c', field: 'd' }));
  });

  it('rewriting the binding tag in the header breaks the authentication', async () => {
    const { fields } = await setup();
    const mine = await fields.encrypt('mine', where);
    const theirs = await fields.encrypt('theirs', { ...where, record: 'user-43' });
    const [, ...rest] = theirs.split('.');
    const [myHeader] = mine.split('.');
    // their ciphertext under my header (binding) fails the content AEAD
    await refused(fields.decrypt([myHeader, ...rest].join('.'), where));
  });

  it('tampering with any part is refused', async () => {
    const { fields } = await setup();
    const parts = (await fields.encrypt('value', where)).split('.');
    for (let i = 0; i < 5; i++) {
      const copy = [...parts];
      copy[i] = (copy[i]![0] === 'A' ? 'B' : 'A') + copy[i]!.slice(1);
      await refused(fields.decrypt(copy.join('.'), where));
    }
    for (const junk of ['', 'a.b.c.d.e', null, 5, parts.slice(0, 4).join('.'), parts.join('.') + '.', 'x'.repeat(2_000_000)]) {
      await refused(fields.decrypt(junk, where));
    }
  });

  it('values encrypted before a key rotation still decrypt afterwards (field keys are never retired)', async () => {
    const { fields, keyring, clock } = await setup();
    const old = await fields.encrypt('kept', where);
    await keyring.rotate(KEY_SPECS.field);
    clock.t += 400 * 86_400_000;
    const fresh = await fields.encrypt('new', where);
    expect(fresh.split('.')[0]).not.toBe(old.split('.')[0]);
    expect(await fields.decrypt(old, where)).toBe('kept');
  });

  it('requireEncrypted refuses plaintext where encryption is required', () => {
    const required = { encryption: 'required' };
    for (const plain of ['hunter2', '', 'a.b.c', undefined, 42, 'a.b.c.d.e']) {
      expect(() => requireEncrypted(required, plain)).toThrow(expect.objectContaining({ code: 'ERR_ENCRYPTION_REQUIRED' }));
    }
    const jweLike = `${Buffer.from('{"alg":"ECDH-ES","enc":"A256GCM"}').toString('base64url')}..AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA`;
    expect(() => requireEncrypted(required, jweLike)).not.toThrow();
    expect(() => requireEncrypted({ encryption: 'optional' }, 'plain')).not.toThrow();
    expect(() => requireEncrypted(undefined, 'plain')).not.toThrow();
  });
});

describe('AES-256-GCM primitive', () => {
  it('refuses wrong key/IV sizes and reports failures as ERR_DECRYPT', () => {
    const key = new Uint8Array(32);
    const iv = new Uint8Array(12);
    const sealed = aesGcmEncrypt(key, iv, Buffer.from('x'), Buffer.from('aad'));
    expect(aesGcmDecrypt(key, iv, sealed.ciphertext, sealed.tag, Buffer.from('aad')).toString()).toBe('x');
    expect(() => aesGcmDecrypt(key, iv, sealed.ciphertext, sealed.tag, Buffer.from('other'))).toThrow(WebMCPSecurityError);
    expect(() => aesGcmDecrypt(key, iv, sealed.ciphertext, sealed.tag.subarray(0, 12), Buffer.from('aad'))).toThrow(WebMCPSecurityError);
    expect(() => aesGcmEncrypt(new Uint8Array(16), iv, Buffer.from('x'), Buffer.alloc(0))).toThrow(TypeError);
    expect(() => aesGcmEncrypt(key, new Uint8Array(16), Buffer.from('x'), Buffer.alloc(0))).toThrow(TypeError);
  });
});
