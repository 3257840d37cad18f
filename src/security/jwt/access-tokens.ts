import { randomBytes } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import { WebMCPSecurityError, type WebMCPErrorCode } from '../../errors.js';
import type { RevocationStore } from '../../store/types.js';
import type { ResolvedSecurityConfig } from '../config/resolve.js';
import { decodeHeader, splitCompact, unexpectedParameter } from '../jose/compact.js';
import type { SigningKeys } from './signing-keys.js';

/** Tokens longer than this are refused before any parsing (spec section 4). */
export const MAX_TOKEN_LENGTH = 8 * 1024;
/** RFC 9068 media type: marks our tokens as access tokens, so no other JWT signed with the same key passes. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
/** Only these header parameters are accepted; `jwk`, `jku`, `x5u`, `x5c`, `crit`, `b64`, `zip`... are refused. */
const ALLOWED_HEADER = new Set(['alg', 'kid', 'typ']);
const RESERVED_CLAIMS = new Set(['iss', 'aud', 'sub', 'scope', 'jti', 'iat', 'exp', 'nbf']);
const SUBJECT = /^[^\s\x00-\x1f]{1,256}$/;

/** What `issue` takes: subject, scopes and optional extra (non-registered) claims. */
export interface IssueInput {
  sub: string;
  /** Space-separated string or list; every scope must be one of `jwt.scopes`. */
  scope: string | readonly string[];
  /** Lifetime in seconds; defaults to `jwt.expiresIn` and cannot exceed it. */
  expiresIn?: number;
  [claim: string]: unknown;
}

/** Verified claims of an access token. */
export interface AccessTokenClaims {
  iss: string;
  aud: string | string[];
  sub: string;
  /** Space-separated, as in the token. */
  scope: string;
  /** The same scopes as a list. */
  scopes: string[];
  jti: string;
  iat: number;
  exp: number;
  nbf?: number;
  [claim: string]: unknown;
}

export interface VerifyOptions {
  /** Scope(s) the caller must hold; a missing one throws `ERR_SCOPE`. */
  scope?: string | readonly string[];
}

export interface AccessTokens {
  /** Signs a new access token (compact JWS with a `kid` header). */
  issue(input: IssueInput): Promise<string>;
  /**
   * Verifies a token and returns its claims. Throws {@link WebMCPSecurityError} with
   * `ERR_JWT_INVALID`, `ERR_JWT_EXPIRED`, `ERR_JWT_REVOKED` or `ERR_SCOPE`.
   */
  verify(token: unknown, options?: VerifyOptions): Promise<AccessTokenClaims>;
  /**
   * Revokes a token (given whole) or a `jti` on every instance sharing the store. Returns
   * false for a token that is not ours or already expired (nothing to revoke, RFC 7009).
   */
  revoke(tokenOrJti: string): Promise<boolean>;
  /** Public signing keys (`use: sig`); empty for HS256. */
  signingJwks(): Promise<JWK[]>;
}

export interface AccessTokenDeps {
  config: ResolvedSecurityConfig;
  keys: SigningKeys;
  revocations: RevocationStore;
  now: () => number;
}

export function createAccessTokens({ config, keys, revocations, now }: AccessTokenDeps): AccessTokens {
  const { issuer, audience, clockTolerance, expiresIn: maxLifetime } = config.jwt;
  const knownScopes = new Set(config.jwt.scopes);

  async function verifySignedToken(token: unknown): Promise<AccessTokenClaims> {
    const parts = splitCompact(token, 3, MAX_TOKEN_LENGTH);
    if (!parts || parts[2]!.length === 0) throw refuse('ERR_JWT_INVALID', 'not a compact JWS within the size limit');
    const header = decodeHeader(parts[0]!);
    if (!header) throw refuse('ERR_JWT_INVALID', 'unreadable header');
    const extra = unexpectedParameter(header, ALLOWED_HEADER);
    if (extra !== null) throw refuse('ERR_JWT_INVALID', `forbidden header parameter ${JSON.stringify(extra).slice(0, 40)}`);
    if (header.alg !== keys.algorithm) throw refuse('ERR_JWT_INVALID', 'algorithm not allowed');
    if (header.typ !== ACCESS_TOKEN_TYP) throw refuse('ERR_JWT_INVALID', 'not an access token (typ)');
    if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > 128) {
      throw refuse('ERR_JWT_INVALID', 'missing kid');
    }
    const key = await keys.verifier(header.kid);
    if (!key) throw refuse('ERR_JWT_INVALID', 'unknown kid');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token as string, key.key, {
        algorithms: [keys.algorithm],
        issuer,
        audience,
        typ: ACCESS_TOKEN_TYP,
        clockTolerance,
        currentDate: new Date(now()),
        requiredClaims: ['sub', 'scope', 'jti', 'iat', 'exp'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw refuse('ERR_JWT_EXPIRED', err);
      throw refuse('ERR_JWT_INVALID', err instanceof Error ? err : String(err));
    }
    const { sub, scope, jti, iat, exp } = payload;
    if (typeof sub !== 'string' || typeof scope !== 'string' || typeof jti !== 'string' || jti.length > 128) {
      throw refuse('ERR_JWT_INVALID', 'malformed claims');
    }
    if (typeof iat !== 'number' || typeof exp !== 'number' || iat > now() / 1000 + clockTolerance) {
      throw refuse('ERR_JWT_INVALID', 'issued in the future');
    }
    return { ...payload, scopes: scope.split(' ').filter(Boolean) } as AccessTokenClaims;
  }

  return {
    async issue(input) {
      if (typeof input !== 'object' || input === null) throw new TypeError('issue() takes { sub, scope }');
      const { sub, scope, expiresIn, ...extra } = input;
      if (typeof sub !== 'string' || !SUBJECT.test(sub)) throw new TypeError('sub must be a non-empty string without spaces');
      const scopes = normalizeScopes(scope);
      for (const s of scopes) {
        if (!knownScopes.has(s)) throw new WebMCPSecurityError('ERR_SCOPE', 'unknown scope');
      }
      for (const name of Object.keys(extra)) {
        if (RESERVED_CLAIMS.has(name)) throw new TypeError(`claim "${name}" is set by webmcp`);
      }
      const lifetime = expiresIn ?? maxLifetime;
      if (!Number.isInteger(lifetime) || lifetime <= 0 || lifetime > maxLifetime) {
        throw new TypeError(`expiresIn must be an integer from 1 to ${maxLifetime} seconds`);
      }
      const signer = await keys.signer();
      const iat = Math.floor(now() / 1000);
      return new SignJWT({ ...extra, scope: scopes.join(' ') })
        .setProtectedHeader({ alg: keys.algorithm, kid: signer.kid, typ: ACCESS_TOKEN_TYP })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(sub)
        .setJti(randomBytes(16).toString('base64url'))
        .setIssuedAt(iat)
        .setExpirationTime(iat + lifetime)
        .sign(signer.key);
    },

    async verify(token, options = {}) {
      const claims = await verifySignedToken(token);
      if (await revocations.isRevoked(claims.jti)) throw refuse('ERR_JWT_REVOKED', 'revoked jti');
      if (options.scope !== undefined) {
        const held = new Set(claims.scopes);
        for (const needed of normalizeScopes(options.scope)) {
          if (!held.has(needed)) throw refuse('ERR_SCOPE', 'missing scope');
        }
      }
      return claims;
    },

    async revoke(tokenOrJti) {
      if (typeof tokenOrJti !== 'string' || tokenOrJti.length === 0) return false;
      if (tokenOrJti.includes('.')) {
        let claims: AccessTokenClaims;
        try {
          claims = await verifySignedToken(tokenOrJti);
        } catch (err) {
          // Not ours, malformed or already expired: nothing to revoke (RFC 7009 answers 200 anyway).
          if (err instanceof WebMCPSecurityError) return false;
          throw err;
        }
        await revocations.revoke(claims.jti, claims.exp * 1000);
        return true;
      }
      if (!/^[A-Za-z0-9_-]{8,128}$/.test(tokenOrJti)) return false;
      // A bare jti: no token can outlive the longest lifetime we issue.
      await revocations.revoke(tokenOrJti, now() + (maxLifetime + clockTolerance) * 1000);
      return true;
    },

    signingJwks: () => keys.publicJwks(),
  };
}

function normalizeScopes(scope: string | readonly string[]): string[] {
  const list = typeof scope === 'string' ? scope.split(' ') : [...scope];
  if (list.some((s) => typeof s !== 'string')) throw new TypeError('scope must be a string or a list of strings');
  return [...new Set(list.filter((s) => s.length > 0))];
}

const MESSAGES: Partial<Record<WebMCPErrorCode, string>> = {
  ERR_JWT_INVALID: 'invalid token',
  ERR_JWT_EXPIRED: 'token expired',
  ERR_JWT_REVOKED: 'token revoked',
  ERR_SCOPE: 'insufficient scope',
};

/** A refusal with a generic message; the specific reason (or jose's error) is the `cause`. */
function refuse(code: WebMCPErrorCode, reason: string | Error): WebMCPSecurityError {
  return new WebMCPSecurityError(code, MESSAGES[code] ?? 'refused', {
    cause: typeof reason === 'string' ? new Error(reason) : reason,
  });
}
