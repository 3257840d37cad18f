import { createHash, randomBytes } from 'node:crypto';
import type { KeyValueStore } from '../../store/types.js';
import { parseCookies, serializeCookie } from '../csrf/cookie.js';

/** What a browser session stands for: the credential (API key, token) it was opened with. */
export interface SessionRecord {
  apiKeyId: string | null;
  sub: string;
  role: string | null;
  /** Scopes the opening credential carried. */
  scopes: string[];
  /** The access token the session was opened with (its revocation may end the session). */
  jti: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface Sessions {
  /** Stores a session; the id is only ever sent to the browser, in the cookie. */
  create(record: Omit<SessionRecord, 'createdAt' | 'expiresAt'>, options?: { ttlSeconds?: number }): Promise<{ id: string; record: SessionRecord }>;
  /** The live session for an id, or null (unknown, expired, malformed). */
  get(id: string): Promise<SessionRecord | null>;
  delete(id: string): Promise<void>;
  /** The session id from the request's cookie (the name for `https`), or null. */
  idFrom(request: Request, https: boolean): string | null;
  /** `Set-Cookie` opening the session: HttpOnly, SameSite=Strict, Path=/, Secure on HTTPS. */
  cookie(id: string, https: boolean, maxAgeSeconds?: number): string;
  /** `Set-Cookie` deleting the session cookie. */
  clearCookie(https: boolean): string;
  /** `__Host-webmcp-session` on HTTPS, `webmcp-session` on plain (loopback) HTTP. */
  cookieName(https: boolean): string;
}

const ID = /^[A-Za-z0-9_-]{43}$/;

function isRecord(value: unknown): value is SessionRecord {
  const v = value as SessionRecord;
  return (
    typeof v === 'object' && v !== null && typeof v.sub === 'string' && (v.role === null || typeof v.role === 'string') &&
    Array.isArray(v.scopes) && v.scopes.every((s) => typeof s === 'string') &&
    (v.apiKeyId === null || typeof v.apiKeyId === 'string') && (v.jti === null || typeof v.jti === 'string') &&
    typeof v.createdAt === 'number' && typeof v.expiresAt === 'number'
  );
}

/**
 * Browser sessions in the shared key-value store behind an opaque 256-bit cookie. Only a hash of
 * the id is stored, so a store dump holds no usable cookie.
 *
 * @example
 * const sessions = createSessions(store.kv, 8 * 3600);
 * const { id } = await sessions.create({ apiKeyId: null, sub: claims.sub, role: null, scopes: claims.scopes, jti: claims.jti });
 * headers.append('set-cookie', sessions.cookie(id, true));
 */
export function createSessions(kv: KeyValueStore, ttlSeconds: number, now: () => number = Date.now): Sessions {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new TypeError('ttlSeconds must be positive');
  const keyOf = (id: string) => `session:${createHash('sha256').update(id).digest('base64url')}`;
  const cookieName = (https: boolean) => (https ? '__Host-webmcp-session' : 'webmcp-session');

  return {
    async create(input, options = {}) {
      const ttl = options.ttlSeconds ?? ttlSeconds;
      if (!Number.isFinite(ttl) || ttl <= 0) throw new TypeError('ttlSeconds must be positive');
      if (typeof input?.sub !== 'string' || input.sub.length === 0) throw new TypeError('session sub is required');
      const id = randomBytes(32).toString('base64url');
      const createdAt = now();
      const record: SessionRecord = {
        apiKeyId: input.apiKeyId ?? null,
        sub: input.sub,
        role: input.role ?? null,
        scopes: [...input.scopes],
        jti: input.jti ?? null,
        createdAt,
        expiresAt: createdAt + Math.floor(ttl * 1000),
      };
      await kv.set(keyOf(id), JSON.stringify(record), record.expiresAt - createdAt);
      return { id, record };
    },

    async get(id) {
      if (typeof id !== 'string' || !ID.test(id)) return null;
      const raw = await kv.get(keyOf(id));
      if (raw === null) return null;
      let record: unknown;
      try {
        record = JSON.parse(raw);
      } catch {
        // Not written by this module (or corrupted): no session, rather than a 500.
        return null;
      }
      return isRecord(record) && record.expiresAt > now() ? record : null;
    },

    async delete(id) {
      if (typeof id === 'string' && ID.test(id)) await kv.delete(keyOf(id));
    },

    idFrom(request, https) {
      const value = parseCookies(request.headers.get('cookie'))[cookieName(https)];
      return value && ID.test(value) ? value : null;
    },

    cookie(id, https, maxAgeSeconds = ttlSeconds) {
      return serializeCookie(cookieName(https), id, { httpOnly: true, secure: https, sameSite: 'Strict', path: '/', maxAge: Math.max(0, Math.floor(maxAgeSeconds)) });
    },

    clearCookie(https) {
      return serializeCookie(cookieName(https), '', { httpOnly: true, secure: https, sameSite: 'Strict', path: '/', maxAge: 0 });
    },

    cookieName,
  };
}
