import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { WebMCPSecurityError } from '../../errors.js';
import type { RefreshTokenRecord, RefreshTokenStore } from '../../store/types.js';

/** Opaque refresh tokens are 32 random bytes, base64url (43 characters). */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface RefreshIssueInput {
  subject: string;
  apiKeyId?: string | null;
  scopes: readonly string[];
}

/** A new refresh token (shown once) and what it stands for. */
export interface IssuedRefreshToken {
  token: string;
  familyId: string;
  subject: string;
  apiKeyId: string | null;
  scopes: string[];
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface RefreshTokens {
  /** Starts a new token family. */
  issue(input: RefreshIssueInput): Promise<IssuedRefreshToken>;
  /**
   * Uses a refresh token once and returns its successor (same family, subject and scopes).
   * A token used a second time revokes its whole family (`ERR_REFRESH_REUSED`): one of the two
   * presenters stole it. Unknown, expired or revoked tokens throw `ERR_REFRESH_INVALID`.
   */
  rotate(token: unknown): Promise<IssuedRefreshToken>;
  /** Revokes the token's whole family. Returns false for an unknown token. */
  revoke(token: unknown): Promise<boolean>;
}

export interface RefreshDeps {
  store: RefreshTokenStore;
  /** Seconds a refresh token lives (each rotation starts a new period). */
  lifetime: number;
  now: () => number;
  /** Called before rotating a token bound to an API key; false (key revoked/expired) ends the family. */
  isApiKeyActive?: (apiKeyId: string) => Promise<boolean>;
}

/** SHA-256 of the token, base64url: only this is stored, so a database leak yields no usable tokens. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

export function createRefreshTokens({ store, lifetime, now, isApiKeyActive }: RefreshDeps): RefreshTokens {
  async function insert(base: Omit<RefreshTokenRecord, 'hash' | 'createdAt' | 'expiresAt' | 'usedAt'>) {
    const token = randomBytes(32).toString('base64url');
    const createdAt = now();
    const record: RefreshTokenRecord = {
      ...base,
      hash: hashRefreshToken(token),
      createdAt,
      expiresAt: createdAt + lifetime * 1000,
      usedAt: null,
    };
    await store.insert(record);
    return {
      token,
      familyId: record.familyId,
      subject: record.subject,
      apiKeyId: record.apiKeyId,
      scopes: [...record.scopes],
      expiresAt: record.expiresAt,
    };
  }

  return {
    async issue({ subject, apiKeyId = null, scopes }) {
      if (typeof subject !== 'string' || subject.length === 0) throw new TypeError('subject is required');
      if (!Array.isArray(scopes)) throw new TypeError('scopes must be a list');
      return insert({ familyId: randomUUID(), subject, apiKeyId, scopes: [...scopes] });
    },

    async rotate(token) {
      if (typeof token !== 'string' || !TOKEN.test(token)) throw invalid('malformed refresh token');
      const at = now();
      const result = await store.consume(hashRefreshToken(token), at);
      if (!result) throw invalid('unknown refresh token');
      const { status, record } = result;
      if (status === 'reused') {
        // Already dead (revoked, or a reuse was caught before): nothing new to report.
        if (await store.isFamilyRevoked(record.familyId)) throw invalid('refresh token family revoked');
        await store.revokeFamily(record.familyId, at);
        throw new WebMCPSecurityError('ERR_REFRESH_REUSED', 'invalid refresh token', {
          cause: new Error('refresh token reused; family revoked'),
        });
      }
      if (status !== 'ok') throw invalid(`refresh token ${status}`);
      if (record.apiKeyId && isApiKeyActive && !(await isApiKeyActive(record.apiKeyId))) {
        await store.revokeFamily(record.familyId, at);
        throw invalid('api key no longer active');
      }
      return insert({
        familyId: record.familyId,
        subject: record.subject,
        apiKeyId: record.apiKeyId,
        scopes: record.scopes,
      });
    },

    async revoke(token) {
      if (typeof token !== 'string' || !TOKEN.test(token)) return false;
      const at = now();
      // consume() is the store's only lookup by hash; that it may mark the token used does not
      // matter, since the whole family is revoked right after.
      const result = await store.consume(hashRefreshToken(token), at);
      if (!result) return false;
      await store.revokeFamily(result.record.familyId, at);
      return true;
    },
  };
}

function invalid(reason: string): WebMCPSecurityError {
  return new WebMCPSecurityError('ERR_REFRESH_INVALID', 'invalid refresh token', { cause: new Error(reason) });
}
