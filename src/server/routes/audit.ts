import { HttpError } from '../http/problem.js';
import { defineRoutes, json } from '../route.js';

const MAX_LIMIT = 1000;

function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, 'invalid-request', `${name} must be a non-negative integer`);
  const value = Number(raw);
  if (value < min || value > max) throw new HttpError(400, 'invalid-request', `${name} must be between ${min} and ${max}`);
  return value;
}

/** The audit trail for admins: pages of entries (`?limit&after` -> `{entries, next}`) and the chain check. */
export const auditRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/webmcp/audit',
    access: { scope: 'webmcp:admin' },
    async handle(ctx, s) {
      const limit = intParam(ctx.url, 'limit', 100, 1, MAX_LIMIT);
      const after = intParam(ctx.url, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
      const entries = await s.security.audit.entries({ limit, after });
      const next = entries.length === limit ? entries[entries.length - 1]!.seq : null;
      return json({ entries, next });
    },
  },
  {
    method: 'GET',
    path: '/webmcp/audit/verify',
    access: { scope: 'webmcp:admin' },
    async handle(_ctx, s) {
      const result = await s.security.audit.verify();
      return json(result);
    },
  },
]);
