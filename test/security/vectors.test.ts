/**
 * Public test vectors against webmcp/security:
 * - every JWS/JWE object in /work/shared/vectors/jose-vectors.json (Wycheproof + JOSE cookbook,
 *   none made with a webmcp key) is refused by our verifiers and decrypters;
 * - RFC 7520 cookbook examples verify/decrypt through our low-level primitives given the
 *   cookbook keys (the primitives are standards-correct), while the configured verifiers still
 *   refuse the very same objects;
 * - Wycheproof AES-GCM (256-bit key) vectors run through the AES-256-GCM primitive under field
 *   encryption.
 */
import { existsSync, readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMCPSecurityError } from '../../src/errors.js';
import { aesGcmDecrypt, aesGcmEncrypt } from '../../src/security/fields/index.js';
import { createSecurity, decryptJwe, generateSecret, verifyJws, type Security } from '../../src/security/index.js';

const SHARED_VECTORS = '/work/shared/vectors/jose-vectors.json';
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

interface JoseVectors {
  jws: Array<{ id: string; value: string }>;
  jwe: Array<{ id: string; value: string }>;
  invalid_curve_epk: Array<{ id: string; epk: JWK }>;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error('accepted a vector that must be refused');
  expect(outcome.error).toBeInstanceOf(WebMCPSecurityError);
  return (outcome.error as WebMCPSecurityError).code;
}

const binding = { tenant: 't', record: 'r', field: 'f' };

describe.runIf(existsSync(SHARED_VECTORS))('shared JOSE vectors are all refused', () => {
  const vectors = existsSync(SHARED_VECTORS) ? (JSON.parse(readFileSync(SHARED_VECTORS, 'utf8')) as JoseVectors) : null;
  const instances: Record<string, Security> = {};

  beforeAll(async () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    instances.hs256 = await createSecurity({ jwt: { secret: generateSecret() } });
    instances.es256 = await createSecurity({});
    instances.eddsa = await createSecurity({ jwt: { privateKey: ed } });
  });
  afterAll(async () => {
    await Promise.all(Object.values(instances).map((s) => s.close()));
  });

  it('has vectors', () => {
    expect(vectors!.jws.length).toBeGreaterThan(100);
    expect(vectors!.jwe.length).toBeGreaterThan(100);
  });

  it('every JWS is refused as an access token (HS256, ES256 and EdDSA configurations)', async () => {
    for (const { id, value } of vectors!.jws) {
      for (const [name, sec] of Object.entries(instances)) {
        const code = await refusal(sec.jwt.verify(value)).catch((err: Error) => {
          throw new Error(`${name} ${id}: ${err.message}`);
        });
        expect(code, `${name} ${id}`).toBe('ERR_JWT_INVALID');
      }
    }
  });

  it('every JWS is also refused as an API key, refresh token and revocation target', async () => {
    const sec = instances.hs256!;
    for (const { value } of vectors!.jws) {
      expect(await refusal(sec.apiKeys.verify(value))).toBe('ERR_API_KEY');
      expect(await refusal(sec.refresh.rotate(value))).toBe('ERR_REFRESH_INVALID');
      expect(await sec.jwt.revoke(value)).toBe(false);
    }
  });

  it('every JWE is refused by client decryption and field decryption', async () => {
    const sec = instances.es256!;
    await sec.jwks();
    for (const { id, value } of vectors!.jwe) {
      expect(await refusal(sec.jwe.decrypt(value)), id).toBe('ERR_DECRYPT');
      expect(await refusal(sec.fields.decrypt(value, binding)), id).toBe('ERR_DECRYPT');
    }
  });

  it('the invalid-curve ephemeral key is refused even with our kid', async () => {
    const sec = instances.es256!;
    const enc = (await sec.jwks()).keys.find((k) => k.use === 'enc')!;
    for (const { epk } of vectors!.invalid_curve_epk) {
      const header = { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: enc.kid, epk };
      const forged = [
        Buffer.from(JSON.stringify(header)).toString('base64url'),
        'A'.repeat(54),
        'A'.repeat(16),
        'AAAA',
        'A'.repeat(22),
      ].join('.');
      expect(await refusal(sec.jwe.decrypt(forged))).toBe('ERR_DECRYPT');
    }
  });
});

describe('RFC 7520 (JOSE cookbook) examples', () => {
  const cookbook = fixture('rfc7520-cookbook.json') as {
    jws: Array<{ id: string; alg: string; payload: string; key: JWK; compact: string }>;
    jwe: Array<{ id: string; alg: string; enc: string; plaintext: string; key: JWK; compact: string }>;
  };
  let sec: Security;
  beforeAll(async () => {
    sec = await createSecurity({ jwt: { secret: generateSecret() } });
  });
  afterAll(() => sec.close());

  for (const example of cookbook.jws) {
    it(`${example.id}: verifies through verifyJws with the cookbook key, refused as an access token`, async () => {
      const { payload, header } = await verifyJws(example.compact, example.key, { algorithms: [example.alg] });
      expect(new TextDecoder().decode(payload)).toBe(example.payload);
      expect(header.alg).toBe(example.alg);
      // the primitive still enforces the algorithm list and the key
      expect(await refusal(verifyJws(example.compact, example.key, { algorithms: ['HS384'] }))).toBe('ERR_JWT_INVALID');
      const tampered = example.compact.slice(0, -4) + (example.compact.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      expect(await refusal(verifyJws(tampered, example.key, { algorithms: [example.alg] }))).toBe('ERR_JWT_INVALID');
      expect(await refusal(sec.jwt.verify(example.compact))).toBe('ERR_JWT_INVALID');
    });
  }

  for (const example of cookbook.jwe) {
    it(`${example.id}: decrypts through decryptJwe with the cookbook key, refused by our decrypters`, async () => {
      const { plaintext, header } = await decryptJwe(example.compact, example.key, {
        keyManagementAlgorithms: [example.alg],
        contentEncryptionAlgorithms: [example.enc],
      });
      expect(new TextDecoder().decode(plaintext)).toBe(example.plaintext);
      expect(header).toMatchObject({ alg: example.alg, enc: example.enc });
      expect(
        await refusal(decryptJwe(example.compact, example.key, { keyManagementAlgorithms: [example.alg], contentEncryptionAlgorithms: ['A256GCM'] })),
      ).toBe('ERR_DECRYPT');
      expect(await refusal(sec.jwe.decrypt(example.compact))).toBe('ERR_DECRYPT');
      expect(await refusal(sec.fields.decrypt(example.compact, binding))).toBe('ERR_DECRYPT');
    });
  }
});

describe('Wycheproof AES-GCM through the field-encryption primitive', () => {
  const wycheproof = fixture('wycheproof-aes-gcm-256.json') as {
    tests: Array<{ tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string; unsupported?: string }>;
  };
  const hex = (s: string) => Buffer.from(s, 'hex');

  for (const t of wycheproof.tests) {
    it(`tcId ${t.tcId} (${t.result}${t.unsupported ? `, ${t.unsupported}: refused by design` : ''})`, () => {
      if (t.unsupported) {
        expect(() => aesGcmDecrypt(hex(t.key), hex(t.iv), hex(t.ct), hex(t.tag), hex(t.aad))).toThrow(WebMCPSecurityError);
        expect(() => aesGcmEncrypt(hex(t.key), hex(t.iv), hex(t.msg), hex(t.aad))).toThrow(TypeError);
        return;
      }
      if (t.result === 'valid') {
        expect(aesGcmDecrypt(hex(t.key), hex(t.iv), hex(t.ct), hex(t.tag), hex(t.aad)).toString('hex')).toBe(t.msg);
        const sealed = aesGcmEncrypt(hex(t.key), hex(t.iv), hex(t.msg), hex(t.aad));
        expect(sealed.ciphertext.toString('hex')).toBe(t.ct);
        expect(sealed.tag.toString('hex')).toBe(t.tag);
      } else {
        let thrown: unknown = null;
        try {
          aesGcmDecrypt(hex(t.key), hex(t.iv), hex(t.ct), hex(t.tag), hex(t.aad));
        } catch (err) {
          thrown = err;
        }
        expect(thrown).toBeInstanceOf(WebMCPSecurityError);
        expect((thrown as WebMCPSecurityError).code).toBe('ERR_DECRYPT');
      }
    });
  }
});
