import { CompactEncrypt, importJWK, type JWK } from 'jose';

/** Key agreement algorithms a client may use towards the gateway's `use: enc` key. */
export type ClientKeyManagement = 'ECDH-ES+A256KW' | 'ECDH-ES';

/**
 * Encrypts `plaintext` (a field's raw string value) to a published `use: enc` P-256 key as a
 * compact JWE (`ECDH-ES+A256KW` by default, `A256GCM`, with the key's `kid`). No Node APIs:
 * the client SDK and browsers use it too.
 *
 * @example
 * const { keys } = await (await fetch(`${gateway}/.well-known/jwks.json`)).json();
 * const jwe = await encryptFor(keys.find((k) => k.use === 'enc'), 'hunter2');
 */
export async function encryptFor(jwk: JWK, plaintext: string, options: { alg?: ClientKeyManagement } = {}): Promise<string> {
  if (typeof plaintext !== 'string') throw new TypeError('plaintext must be a string');
  if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new TypeError('encryptFor needs a P-256 public JWK');
  }
  if (jwk.use !== undefined && jwk.use !== 'enc') throw new TypeError('the JWK is not an encryption key (use != "enc")');
  if (typeof jwk.kid !== 'string' || jwk.kid.length === 0) throw new TypeError('the JWK needs a kid');
  const alg = options.alg ?? 'ECDH-ES+A256KW';
  if (alg !== 'ECDH-ES+A256KW' && alg !== 'ECDH-ES') throw new TypeError('alg must be ECDH-ES+A256KW or ECDH-ES');
  // Only the public coordinates: a private "d" handed in by mistake must not matter.
  const publicKey = await importJWK({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, alg);
  return new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg, enc: 'A256GCM', kid: jwk.kid })
    .encrypt(publicKey);
}
