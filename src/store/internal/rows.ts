/**
 * Row <-> record mapping shared by the SQL backends. Column names are the same in SQLite and
 * PostgreSQL; drivers differ only in how they hand back big integers (PostgreSQL `bigint` arrives as
 * a string) and JSON (text in SQLite, parsed `jsonb` in PostgreSQL), which `num`/`json` absorb.
 */
import type { ApiKeyRecord, AuditEntry, KeyRecord, KeyUse, RefreshTokenRecord } from '../types.js';

export type Row = Record<string, unknown>;

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v as string | bigint);
}
function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}
function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}
function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export const API_KEY_COLUMNS = [
  'id', 'name', 'role', 'scopes', 'secret_hash', 'created_at', 'expires_at', 'revoked_at',
  'last_used_at', 'previous_secret_hash', 'previous_valid_until',
] as const;

export function apiKeyFromRow(r: Row): ApiKeyRecord {
  return {
    id: String(r.id),
    name: String(r.name),
    role: String(r.role),
    scopes: json<string[]>(r.scopes),
    secretHash: String(r.secret_hash),
    createdAt: num(r.created_at),
    expiresAt: numOrNull(r.expires_at),
    revokedAt: numOrNull(r.revoked_at),
    lastUsedAt: numOrNull(r.last_used_at),
    previousSecretHash: strOrNull(r.previous_secret_hash),
    previousValidUntil: numOrNull(r.previous_valid_until),
  };
}

/** Values in {@link API_KEY_COLUMNS} order. */
export function apiKeyToParams(k: ApiKeyRecord): unknown[] {
  return [
    k.id, k.name, k.role, JSON.stringify(k.scopes), k.secretHash, k.createdAt, k.expiresAt, k.revokedAt,
    k.lastUsedAt, k.previousSecretHash, k.previousValidUntil,
  ];
}

export const REFRESH_COLUMNS = [
  'hash', 'family_id', 'subject', 'api_key_id', 'scopes', 'created_at', 'expires_at', 'used_at',
] as const;

export function refreshFromRow(r: Row): RefreshTokenRecord {
  return {
    hash: String(r.hash),
    familyId: String(r.family_id),
    subject: String(r.subject),
    apiKeyId: strOrNull(r.api_key_id),
    scopes: json<string[]>(r.scopes),
    createdAt: num(r.created_at),
    expiresAt: num(r.expires_at),
    usedAt: numOrNull(r.used_at),
  };
}

export function refreshToParams(t: RefreshTokenRecord): unknown[] {
  return [t.hash, t.familyId, t.subject, t.apiKeyId, JSON.stringify(t.scopes), t.createdAt, t.expiresAt, t.usedAt];
}

export const KEY_COLUMNS = ['kid', 'use', 'alg', 'created_at', 'retire_at', 'wrapped', 'public_jwk'] as const;

export function keyFromRow(r: Row): KeyRecord {
  return {
    kid: String(r.kid),
    use: String(r.use) as KeyUse,
    alg: String(r.alg),
    createdAt: num(r.created_at),
    retireAt: numOrNull(r.retire_at),
    wrapped: String(r.wrapped),
    publicJwk: r.public_jwk === null || r.public_jwk === undefined ? null : json<Record<string, unknown>>(r.public_jwk),
  };
}

export function keyToParams(k: KeyRecord): unknown[] {
  return [k.kid, k.use, k.alg, k.createdAt, k.retireAt, k.wrapped, k.publicJwk === null ? null : JSON.stringify(k.publicJwk)];
}

export const AUDIT_COLUMNS = [
  'seq', 'ts', 'actor', 'action', 'resource', 'outcome', 'ip', 'request_id', 'details', 'prev_hash', 'hash',
] as const;

export function auditFromRow(r: Row): AuditEntry {
  return {
    seq: num(r.seq),
    ts: String(r.ts),
    actor: String(r.actor),
    action: String(r.action),
    resource: String(r.resource),
    outcome: String(r.outcome) as AuditEntry['outcome'],
    ip: strOrNull(r.ip),
    request_id: strOrNull(r.request_id),
    details: r.details === null || r.details === undefined ? null : json<Record<string, unknown>>(r.details),
    prev_hash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

export function auditToParams(e: AuditEntry): unknown[] {
  return [
    e.seq, e.ts, e.actor, e.action, e.resource, e.outcome, e.ip, e.request_id,
    e.details === null || e.details === undefined ? null : JSON.stringify(e.details), e.prev_hash, e.hash,
  ];
}
