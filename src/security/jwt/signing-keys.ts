import { createHmac, createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from 'jose';
import type { JwtAlgorithm, ResolvedSecurityConfig } from '../config/resolve.js';
import type { Keyring, LoadedKey } from '../keyring/keyring.js';
import { signingKeySpec } from '../keyring/specs.js';

/** A key ready for jose: a CryptoKey for every algorithm (imported once, then cached). */
export interface SigningKey {
  kid: string;
  key: CryptoKey;
}

/**
 * Where access tokens are signed and verified. The algorithm is fixed by the configuration,
 * never taken from a token: HS256 with `jwt.secret`, ES256/EdDSA with `jwt.privateKey`, or
 * generated keyring keys (rotated, published in the JWKS).
 */
export interface SigningKeys {
  readonly algorithm: JwtAlgorithm;
  /** The key that signs now. */
  signer(): Promise<SigningKey>;
  /** The key that verifies tokens carrying `kid`, or null when no live key has that kid. */
  verifier(kid: string): Promise<SigningKey | null>;
  /** Public JWKs (`use: sig`) to publish; empty for HS256. */
  publicJwks(): Promise<JWK[]>;
}

/** Builds the signing keys for a resolved config. */
export async function createSigningKeys(config: ResolvedSecurityConfig, keyring: Keyring): Promise<SigningKeys> {
  const { algorithm } = config.jwt;
  if (config.jwt.keySource === 'secret') return secretKeys(config.jwt.secret!);
  if (config.jwt.keySource === 'privateKey') return privateKeyKeys(config.jwt.privateKey!, algorithm);
  return keyringKeys(keyring, algorithm);
}

async function secretKeys(secret: string): Promise<SigningKeys> {
  // Other services verify our tokens with the same secret, so the HMAC key is its UTF-8 bytes.
  const bytes = Buffer.from(secret, 'utf8');
  const key = await webcrypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  // A stable, non-reversible kid: instances sharing the secret agree on it without coordination.
  const kid = 'hs256-' + createHmac('sha256', bytes).update('webmcp kid').digest('base64url').slice(0, 16);
  const signing: SigningKey = { kid, key: key as CryptoKey };
  return {
    algorithm: 'HS256',
    signer: async () => signing,
    verifier: async (k) => (k === kid ? signing : null),
    publicJwks: async () => [],
  };
}

async function privateKeyKeys(privateKey: string | Readonly<Record<string, unknown>>, algorithm: JwtAlgorithm): Promise<SigningKeys> {
  const keyObject =
    typeof privateKey === 'string'
      ? createPrivateKey({ key: privateKey, format: 'pem' })
      : createPrivateKey({ key: privateKey as never, format: 'jwk' });
  const privateJwk = keyObject.export({ format: 'jwk' }) as JWK;
  const publicJwk = createPublicKey(keyObject).export({ format: 'jwk' }) as JWK;
  const configuredKid = typeof privateKey === 'object' && typeof privateKey.kid === 'string' ? privateKey.kid : null;
  const kid = configuredKid ?? (await calculateJwkThumbprint(publicJwk, 'sha256'));
  const signing: SigningKey = { kid, key: (await importJWK(privateJwk, algorithm)) as CryptoKey };
  const verifying: SigningKey = { kid, key: (await importJWK(publicJwk, algorithm)) as CryptoKey };
  const published: JWK = { ...publicJwk, kid, use: 'sig', alg: algorithm };
  return {
    algorithm,
    signer: async () => signing,
    verifier: async (k) => (k === kid ? verifying : null),
    publicJwks: async () => [published],
  };
}

function keyringKeys(keyring: Keyring, algorithm: JwtAlgorithm): SigningKeys {
  const spec = signingKeySpec(algorithm);
  const imported = new WeakMap<LoadedKey, { sign: CryptoKey; verify: CryptoKey }>();
  async function importKey(loaded: LoadedKey) {
    let pair = imported.get(loaded);
    if (!pair) {
      if (algorithm === 'HS256') {
        const raw = Buffer.from(String(loaded.jwk.k), 'base64url');
        const key = (await webcrypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [
          'sign',
          'verify',
        ])) as CryptoKey;
        pair = { sign: key, verify: key };
      } else {
        pair = {
          sign: (await importJWK(loaded.jwk as JWK, algorithm)) as CryptoKey,
          verify: (await importJWK(loaded.publicJwk as JWK, algorithm)) as CryptoKey,
        };
      }
      imported.set(loaded, pair);
    }
    return pair;
  }
  return {
    algorithm,
    async signer() {
      const loaded = await keyring.current(spec);
      return { kid: loaded.kid, key: (await importKey(loaded)).sign };
    },
    async verifier(kid) {
      const loaded = await keyring.find(kid, spec);
      return loaded ? { kid, key: (await importKey(loaded)).verify } : null;
    },
    async publicJwks() {
      if (algorithm === 'HS256') return [];
      return (await keyring.list(spec)).map((k) => ({ ...(k.publicJwk as JWK), use: 'sig', alg: algorithm }));
    },
  };
}
