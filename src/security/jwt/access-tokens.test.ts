import { generateKeyPairSync } from 'node:crypto';
import { CompactSign, SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { describe, expect, it, vi } from 'vitest';
import { WebMCPSecurityError } from '../../errors.js';
import { createMemoryStore } from '../../store/memory/index.js';
import { resolveSecurityConfig, type SecurityConfigInput } from '../config/index.js';
import { Keyring, createMasterKeyWrapper, randomMasterKey } from '../keyring/index.js';
import { silentLogger } from '../logger.js';
import { createAccessTokens, createSigningKeys, verifyJws } from './index.js';

const SECRET = 'Zx8s1Q-n4Vb7Lp0Kd3Wm6Tj9Rg2Hf5Yc_Ua-Ee';
const enc = new TextEncoder();

async function setup(input: SecurityConfigInput = { jwt: { secret: SECRET } }, clock = { t: Date.now() }) {
  const now = () => clock.t;
  const config = resolveSecurityConfig(input);
  const store = createMemoryStore({ now });
  const keyring = new Keyring({
    store,
    wrapper: createMasterKeyWrapper(randomMasterKey()),
    now,
    logger: silentLogger,
    rotationInterval: config.encryption.keyRotationInterval,
    graceSeconds: () => config.encryption.gracePeriod,
  });
  await keyring.start();
  const keys = await createSigningKeys(config, keyring);
  const tokens = createAccessTokens({ config, keys, revocations: store.revocations, now });
  return { config, store, keyring, keys, tokens, clock };
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(WebMCPSecurityError);
    expect((err as Error).message).toMatch(/^(invalid token|token expired|token revoked|insufficient scope)$/);
    return (err as WebMCPSecurityError).code;
  }
  throw new Error('expected a refusal');
}

/** Signs arbitrary header/payload with the shared secret (what an attacker who had it could do). */
function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>, key: Uint8Array | CryptoKey = enc.encode(SECRET)) {
  return new CompactSign(enc.encode(JSON.stringify(payload))).setProtectedHeader(header as never).sign(key as never);
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('access tokens: issue and verify', () => {
  it('issues a compact JWS with the required claims and kid, and verifies it', async () => {
    const { tokens, keys } = await setup();
    const token = await tokens.issue({ sub: 'key_1', scope: ['webmcp:read', 'webmcp:write'], client_id: 'key_1' });
    const [h, p] = token.split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', kid: (await keys.signer()).kid, typ: 'at+jwt' });
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    expect(payload).toMatchObject({ iss: 'webmcp', aud: 'webmcp', sub: 'key_1', scope: 'webmcp:read webmcp:write', client_id: 'key_1' });
    expect(payload.exp - payload.iat).toBe(900);
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const claims = await tokens.verify(token, { scope: 'webmcp:read' });
    expect(claims.scopes).toEqual(['webmcp:read', 'webmcp:write']);
  });

  it('HS256 tokens verify with jsonwebtoken and the same secret (UTF-8 bytes as the HMAC key)', async () => {
    const { tokens } = await setup();
    const token = await tokens.issue({ sub: 'u', scope: 'webmcp:read' });
    const decoded = jsonwebtoken.verify(token, SECRET, { algorithms: ['HS256'], issuer: 'webmcp', audience: 'webmcp' }) as Record<string, unknown>;
    expect(decoded.sub).toBe('u');
    // ... and a token jsonwebtoken signs with the secret but without our kid/typ is refused.
    const foreign = jsonwebtoken.sign({ sub: 'u', scope: 'webmcp:admin', jti: 'abcdefgh' }, SECRET, { issuer: 'webmcp', audience: 'webmcp', expiresIn: 60 });
    expect(await code(tokens.verify(foreign))).toBe('ERR_JWT_INVALID');
  });

  it('refuses unknown scopes, reserved claims and over-long lifetimes at issue', async () => {
    const { tokens } = await setup();
    await expect(tokens.issue({ sub: 'u', scope: 'webmcp:root' })).rejects.toMatchObject({ code: 'ERR_SCOPE' });
    await expect(tokens.issue({ sub: 'u', scope: 'webmcp:read', exp: 1 })).rejects.toThrow(TypeError);
    await expect(tokens.issue({ sub: 'u', scope: 'webmcp:read', expiresIn: 901 })).rejects.toThrow(TypeError);
    await expect(tokens.issue({ sub: '', scope: 'webmcp:read' })).rejects.toThrow(TypeError);
  });

  it('ERR_SCOPE when a needed scope is missing', async () => {
    const { tokens } = await setup();
    const token = await tokens.issue({ sub: 'u', scope: 'webmcp:read' });
    expect(await code(tokens.verify(token, { scope: 'webmcp:write' }))).toBe('ERR_SCOPE');
    expect(await code(tokens.verify(token, { scope: ['webmcp:read', 'webmcp:admin'] }))).toBe('ERR_SCOPE');
  });

  it('expiry: refused after exp (+ tolerance) with ERR_JWT_EXPIRED, accepted within tolerance', async () => {
    const clock = { t: Date.UTC(2030, 0, 1) };
    const { tokens } = await setup(undefined, clock);
    const token = await tokens.issue({ sub: 'u', scope: 'webmcp:read' });
    clock.t += 903_000;
    await expect(tokens.verify(token)).resolves.toBeTruthy();
    clock.t += 3_000;
    expect(await code(tokens.verify(token))).toBe('ERR_JWT_EXPIRED');
  });

  it('revocation by token and by jti is refused with ERR_JWT_REVOKED, and survives on the store', async () => {
    const { tokens, store, config, keys } = await setup();
    const a = await tokens.issue({ sub: 'u', scope: 'webmcp:read' });
    const b = await tokens.issue({ sub: 'u', scope: 'webmcp:read' });
    expect(await tokens.revoke(a)).toBe(true);
    expect(await code(tokens.verify(a))).toBe('ERR_JWT_REVOKED');
    const jti = (await tokens.verify(b)).jti;
    expect(await tokens.revoke(jti)).toBe(true);
    expect(await code(tokens.verify(b))).toBe('ERR_JWT_REVOKED');
    // another instance on the same store sees the revocation
    const other = createAccessTokens({ config, keys, revocations: store.revocations, now: Date.now });
    expect(await code(other.verify(a))).toBe('ERR_JWT_REVOKED');
    expect(await tokens.revoke('not-a-token.at.all')).toBe(false);
    expect(await tokens.revoke('x')).toBe(false);
  });
});

describe('access tokens: forged tokens are refused', () => {
  const base = () => {
    const iat = Math.floor(Date.now() / 1000);
    return { iss: 'webmcp', aud: 'webmcp', sub: 'attacker', scope: 'webmcp:admin', jti: 'forged-jti-1', iat, exp: iat + 600 };
  };

  it('alg none (any spelling), with and without a signature', async () => {
    const { tokens, keys } = await setup();
    const { kid } = await keys.signer();
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const unsigned = `${b64({ alg, kid, typ: 'at+jwt' })}.${b64(base())}.`;
      expect(await code(tokens.verify(unsigned))).toBe('ERR_JWT_INVALID');
      expect(await code(tokens.verify(unsigned + 'c2ln'))).toBe('ERR_JWT_INVALID');
    }
  });

  it('HS256/ES256 confusion: an HMAC made with our public key is refused', async () => {
    const { tokens, keys } = await setup({});
    expect(keys.algorithm).toBe('ES256');
    const good = await tokens.issue({ sub: 'u', scope: 'webmcp:read' });
    const [jwk] = await keys.publicJwks();
    const kid = jwk!.kid!;
    const { createPublicKey } = await import('node:crypto');
    const spkiPem = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString();
    const publicKeyBytes = [
      spkiPem,
      spkiPem.trim(),
      JSON.stringify(jwk),
      JSON.stringify({ kty: jwk!.kty, crv: jwk!.crv, x: jwk!.x, y: jwk!.y }),
      Buffer.concat([Buffer.from([4]), Buffer.from(jwk!.x!, 'base64url'), Buffer.from(jwk!.y!, 'base64url')]).toString('latin1'),
    ];
    for (const secret of publicKeyBytes) {
      const forged = await signRaw({ alg: 'HS256', kid, typ: 'at+jwt' }, base(), Buffer.from(secret, 'latin1'));
      expect(await code(tokens.verify(forged))).toBe('ERR_JWT_INVALID');
    }
    await expect(tokens.verify(good)).resolves.toBeTruthy();
  });

  it('RS256 / PS256 / ES256 / EdDSA tokens with our kid are refused under HS256', async () => {
    const { tokens, keys } = await setup();
    const { kid } = await keys.signer();
    for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS384', 'HS512'] as const) {
      const { privateKey } = alg.startsWith('HS') ? { privateKey: enc.encode(SECRET) } : await generateKeyPair(alg);
      const forged = await new SignJWT(base()).setProtectedHeader({ alg, kid, typ: 'at+jwt' }).sign(privateKey);
      expect(await code(tokens.verify(forged))).toBe('ERR_JWT_INVALID');
    }
  });

  it('a token signed with another secret is refused', async () => {
    const { tokens, keys } = await setup();
    const { kid } = await keys.signer();
    const forged = await signRaw({ alg: 'HS256', kid, typ: 'at+jwt' }, base(), enc.encode('an-entirely-different-secret-of-32+bytes'));
    expect(await code(tokens.verify(forged))).toBe('ERR_JWT_INVALID');
  });

  it('a token from another ES256 keyring (wrong key, same kid) is refused', async () => {
    const a = await setup({});
    const b = await setup({});
    const token = await b.tokens.issue({ sub: 'u', scope: 'webmcp:read' });
    expect(await code(a.tokens.verify(token))).toBe('ERR_JWT_INVALID');
    const { kid } = await a.keys.signer();
    const [h, p, s] = token.split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString());
    const relabelled = `${b64({ ...header, kid })}.${p}.${s}`;
    expect(await code(a.tokens.verify(relabelled))).toBe('ERR_JWT_INVALID');
  });

  it('nbf in the future, iat in the future, wrong iss, wrong aud (all correctly signed)', async () => {
    const { tokens, keys } = await setup();
    const { kid } = await keys.signer();
    const h = { alg: 'HS256', kid, typ: 'at+jwt' };
    const now = Math.floor(Date.now() / 1000);
    for (const payload of [
      { ...base(), nbf: now + 120 },
      { ...base(), iat: now + 3600, exp: now + 4000 },
      { ...base(), iss: 'https://evil.example' },
      { ...base(), aud: 'someone-else' },
      { ...base(), exp: undefined },
      { ...base(), jti: undefined },
      { ...base(), scope: ['webmcp:admin'] },
    ]) {
      expect(await code(tokens.verify(await signRaw(h, payload)))).toMatch(/ERR_JWT_(INVALID|EXPIRED)/);
    }
    // the same construction with honest claims passes, so the refusals above are about the claims
    await expect(tokens.verify(await signRaw(h, base()))).resolves.toMatchObject({ sub: 'attacker' });
  });

  it('tampered payload or signature', async () => {
    const { tokens } = await setup();
    const token = await tokens.issue({ sub: 'u', scope: 'webmcp:read' });
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const escalated = `${h}.${b64({ ...payload, scope: 'webmcp:admin' })}.${s}`;
    expect(await code(tokens.verify(escalated))).toBe('ERR_JWT_INVALID');
    const flipped = s!.slice(0, -2) + (s!.slice(-2) === 'AA' ? 'AB' : 'AA');
    expect(await code(tokens.verify(`${h}.${p}.${flipped}`))).toBe('ERR_JWT_INVALID');
    expect(await code(tokens.verify(`${h}.${p}.`))).toBe('ERR_JWT_INVALID');
  });

  it('header injection: jwk, jku, x5u, x5c, x5t, crit, b64, unknown kid, path kid — even when validly signed', async () => {
    const { tokens, keys } = await setup();
    const { kid } = await keys.signer();
    const attackerKey = await exportJWK((await generateKeyPair('ES256')).publicKey);
    const headers: Record<string, unknown>[] = [
      { jwk: attackerKey },
      { jku: 'https://evil.example/jwks.json' },
      { x5u: 'https://evil.example/cert.pem' },
      { x5c: ['MIIB'] },
      { x5t: 'abc' },
      { crit: ['exp'], exp: 1 },
      { b64: false, crit: ['b64'] },
      { cty: 'JWT' },
      { zip: 'DEF' },
    ];
    for (const extra of headers) {
      const forged = await signRaw({ alg: 'HS256', kid, typ: 'at+jwt', ...extra }, base()).catch(() => null);
      if (forged) expect(await code(tokens.verify(forged))).toBe('ERR_JWT_INVALID');
    }
    for (const badKid of ['../../../../dev/null', "' OR '1'='1", 'unknown-kid', '', 'x'.repeat(500)]) {
      expect(await code(tokens.verify(await signRaw({ alg: 'HS256', kid: badKid, typ: 'at+jwt' }, base())))).toBe('ERR_JWT_INVALID');
    }
    expect(await code(tokens.verify(await signRaw({ alg: 'HS256', typ: 'at+jwt' }, base())))).toBe('ERR_JWT_INVALID');
    expect(await code(tokens.verify(await signRaw({ alg: 'HS256', kid, typ: 'JWT' }, base())))).toBe('ERR_JWT_INVALID');
  });

  it('an embedded jwk signed with the attacker key is refused under ES256 too', async () => {
    const { tokens, keys } = await setup({});
    const { kid } = await keys.signer();
    const attacker = await generateKeyPair('ES256');
    const jwk = await exportJWK(attacker.publicKey);
    const forged = await new SignJWT(base()).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt', jwk }).sign(attacker.privateKey);
    expect(await code(tokens.verify(forged))).toBe('ERR_JWT_INVALID');
  });

  it('JSON serialization, oversized tokens and garbage never reach the key lookup', async () => {
    const { tokens, keys } = await setup();
    const spy = vi.spyOn(keys, 'verifier');
    const token = await tokens.issue({ sub: 'u', scope: 'webmcp:read' });
    const [h, p, s] = token.split('.');
    const inputs: unknown[] = [
      JSON.stringify({ payload: p, signatures: [{ protected: h, signature: s }] }),
      JSON.stringify({ payload: p, protected: h, signature: s }),
      `${h}.${b64({ pad: 'x'.repeat(9000) })}.${s}`,
      token + '.' + s,
      ` ${token}`,
      `${h}.${p}.${s}=`,
      '',
      '...',
      'a.b',
      null,
      undefined,
      42,
      { token },
      [token],
      'x'.repeat(100_000),
      '\u0000.\u0000.\u0000',
      `${b64([1, 2])}.${p}.${s}`,
      `${Buffer.from('not json').toString('base64url')}.${p}.${s}`,
    ];
    for (const input of inputs) expect(await code(tokens.verify(input))).toBe('ERR_JWT_INVALID');
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('access tokens: asymmetric keys', () => {
  it('EdDSA with a configured private key: verifies, publishes the public key only', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const { tokens, keys } = await setup({ jwt: { privateKey: pem } });
    const token = await tokens.issue({ sub: 'u', scope: 'webmcp:read' });
    await expect(tokens.verify(token)).resolves.toBeTruthy();
    const [jwk] = await keys.publicJwks();
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', use: 'sig', alg: 'EdDSA' });
    expect(jwk).not.toHaveProperty('d');
    // the published JWK verifies the token through the standards layer
    const { payload } = await verifyJws(token, jwk as JWK, { algorithms: ['EdDSA'] });
    expect(JSON.parse(new TextDecoder().decode(payload)).sub).toBe('u');
  });

  it('keyring ES256: tokens signed before a rotation verify during the grace period, not after', async () => {
    const clock = { t: Date.UTC(2030, 0, 1) };
    const { tokens, keyring, keys } = await setup({ encryption: { keyRotationInterval: '1d', gracePeriod: '1h' } }, clock);
    const before = await tokens.issue({ sub: 'u', scope: 'webmcp:read' });
    const oldKid = (await keys.signer()).kid;
    clock.t += 86_400_000 + 1;
    const after = await tokens.issue({ sub: 'u', scope: 'webmcp:read', expiresIn: 600 });
    expect((await keys.signer()).kid).not.toBe(oldKid);
    expect((await keys.publicJwks()).map((k) => k.kid)).toContain(oldKid);
    // within grace, old tokens still verify (if unexpired)
    const freshOld = await (async () => {
      // a token signed with the old key right before rotation
      const loaded = await keyring.find(oldKid, { use: 'sig', alg: 'ES256' });
      const key = await importJWK(loaded!.jwk as JWK, 'ES256');
      const iat = Math.floor(clock.t / 1000);
      return new SignJWT({ scope: 'webmcp:read' })
        .setProtectedHeader({ alg: 'ES256', kid: oldKid, typ: 'at+jwt' })
        .setIssuer('webmcp').setAudience('webmcp').setSubject('u').setJti('old-key-token').setIssuedAt(iat).setExpirationTime(iat + 900)
        .sign(key);
    })();
    await expect(tokens.verify(freshOld)).resolves.toBeTruthy();
    expect(await code(tokens.verify(before))).toBe('ERR_JWT_EXPIRED');
    await expect(tokens.verify(after)).resolves.toBeTruthy();
    clock.t += 3_600_000;
    // the grace period has passed: the old key is gone from the keyring and the JWKS
    expect(await keyring.find(oldKid, { use: 'sig', alg: 'ES256' })).toBeNull();
    expect((await keys.publicJwks()).map((k) => k.kid)).not.toContain(oldKid);
    expect(await code(tokens.verify(freshOld))).toBe('ERR_JWT_INVALID');
  });
});
