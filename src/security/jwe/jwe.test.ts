import { CompactEncrypt, exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { WebMCPSecurityError } from '../../errors.js';
import { createMemoryStore } from '../../store/memory/index.js';
import { Keyring, KEY_SPECS, createMasterKeyWrapper, randomMasterKey } from '../keyring/index.js';
import { silentLogger } from '../logger.js';
import { createClientJwe, encryptFor } from './index.js';

async function setup(clock = { t: Date.UTC(2030, 0, 1) }) {
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
  const jwe = createClientJwe(keyring);
  const [published] = await jwe.publicJwks();
  return { clock, keyring, jwe, published: published as JWK };
}

async function refused(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebMCPSecurityError);
  expect((err as WebMCPSecurityError).code).toBe('ERR_DECRYPT');
  expect((err as Error).message).toBe('decryption failed');
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('client JWE (ECDH-ES to the published enc key)', () => {
  it('publishes a P-256 use:enc key and round-trips both ECDH-ES+A256KW and ECDH-ES', async () => {
    const { jwe, published } = await setup();
    expect(published).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'enc', alg: 'ECDH-ES+A256KW' });
    expect(published).not.toHaveProperty('d');
    expect(await jwe.decrypt(await encryptFor(published, 'hunter2 ✓'))).toBe('hunter2 ✓');
    expect(await jwe.decrypt(await encryptFor(published, '', { alg: 'ECDH-ES' }))).toBe('');
  });

  it('refuses other algorithms, other enc, zip and key-bearing headers', async () => {
    const { jwe, published } = await setup();
    const pub = await import('jose').then((j) => j.importJWK({ kty: 'EC', crv: 'P-256', x: published.x, y: published.y }, 'ECDH-ES+A128KW'));
    const kid = published.kid!;
    const plaintext = new TextEncoder().encode('secret');
    await refused(jwe.decrypt(await new CompactEncrypt(plaintext).setProtectedHeader({ alg: 'ECDH-ES+A128KW', enc: 'A256GCM', kid }).encrypt(pub)));
    const pub256 = await import('jose').then((j) => j.importJWK({ kty: 'EC', crv: 'P-256', x: published.x, y: published.y }, 'ECDH-ES+A256KW'));
    await refused(jwe.decrypt(await new CompactEncrypt(plaintext).setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A128GCM', kid }).encrypt(pub256)));
    await refused(jwe.decrypt(await new CompactEncrypt(plaintext).setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256CBC-HS512', kid }).encrypt(pub256)));
    const dir = await new CompactEncrypt(plaintext).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid }).encrypt(new Uint8Array(32));
    await refused(jwe.decrypt(dir));
    const a256kw = await new CompactEncrypt(plaintext).setProtectedHeader({ alg: 'A256KW', enc: 'A256GCM', kid }).encrypt(new Uint8Array(32));
    await refused(jwe.decrypt(a256kw));
    for (const extra of [{ zip: 'DEF' }, { jku: 'https://evil.example' }, { jwk: published }, { x5u: 'https://evil.example' }, { crit: ['exp'] }, { p2c: 1000000 }]) {
      const good = await encryptFor(published, 'x');
      const [h, ...rest] = good.split('.');
      const header = JSON.parse(Buffer.from(h!, 'base64url').toString());
      await refused(jwe.decrypt([b64({ ...header, ...extra }), ...rest].join('.')));
    }
  });

  it('refuses unknown kids, wrong recipients and retired keys', async () => {
    const { jwe, published, keyring, clock } = await setup();
    const other = await exportJWK((await generateKeyPair('ECDH-ES+A256KW', { extractable: true })).publicKey);
    await refused(jwe.decrypt(await encryptFor({ ...other, kid: 'someone-else' }, 'x')));
    await refused(jwe.decrypt(await encryptFor({ ...other, kid: published.kid }, 'x')));
    const beforeRotation = await encryptFor(published, 'old');
    await keyring.rotate(KEY_SPECS.enc);
    expect(await jwe.decrypt(beforeRotation)).toBe('old');
    clock.t += 3_600_001;
    await refused(jwe.decrypt(beforeRotation));
  });

  it('refuses invalid-curve and malformed ephemeral keys before any ECDH', async () => {
    const { jwe, published } = await setup();
    const good = await encryptFor(published, 'x');
    const [h, ...rest] = good.split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString());
    const badEpks = [
      { kty: 'EC', crv: 'P-256', x: 'gTli65eTQ7z-Bh147ff8K3m7k2UiDiG2LpYkWAaFJCc', y: 'cLAnjKa4bzjD7DJVPwa9EPrRzMG7rONgsiUD-kf30Fs' },
      { ...header.epk, crv: 'P-384' },
      { ...header.epk, d: header.epk.x },
      { ...header.epk, kty: 'OKP' },
      { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' },
      'not-an-object',
      null,
    ];
    for (const epk of badEpks) await refused(jwe.decrypt([b64({ ...header, epk }), ...rest].join('.')));
  });

  it('refuses tampering, JSON serialization, oversize, garbage and non-UTF-8 plaintext', async () => {
    const { jwe, published } = await setup();
    const good = await encryptFor(published, 'value');
    const parts = good.split('.');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const i of [1, 2, 3, 4]) {
      const copy = [...parts];
      copy[i] = flip(copy[i]!);
      await refused(jwe.decrypt(copy.join('.')));
    }
    await refused(jwe.decrypt(JSON.stringify({ protected: parts[0], encrypted_key: parts[1], iv: parts[2], ciphertext: parts[3], tag: parts[4] })));
    await refused(jwe.decrypt(`${parts[0]}.${parts[1]}.${parts[2]}.${'A'.repeat(300_000)}.${parts[4]}`));
    for (const junk of [undefined, null, 1, {}, '', '....', 'a.b.c.d.e', good + '.x']) await refused(jwe.decrypt(junk));
    const pub = await import('jose').then((j) => j.importJWK({ kty: 'EC', crv: 'P-256', x: published.x, y: published.y }, 'ECDH-ES+A256KW'));
    const latin1 = await new CompactEncrypt(new Uint8Array([0xff, 0xfe, 0x00])).setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: published.kid! }).encrypt(pub);
    await refused(jwe.decrypt(latin1));
  });

  it('encryptFor refuses keys that are not P-256 encryption keys', async () => {
    const { published } = await setup();
    await expect(encryptFor({ ...published, use: 'sig' }, 'x')).rejects.toThrow(TypeError);
    await expect(encryptFor({ kty: 'OKP', crv: 'X25519', x: 'x', kid: 'k' }, 'x')).rejects.toThrow(TypeError);
    await expect(encryptFor({ ...published, kid: undefined }, 'x')).rejects.toThrow(TypeError);
  });
});
