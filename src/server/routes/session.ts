import { WebMCPSecurityError } from '../../errors.js';
import { serializeCookie } from '../../security/csrf/cookie.js';
import { HttpError } from '../http/problem.js';
import { defineRoutes, json } from '../route.js';

/**
 * Browser sessions (spec section 6): `POST /webmcp/session` with a Bearer token answers 204 and
 * sets the HttpOnly session cookie; `DELETE` ends it; `GET /webmcp/csrf` issues the session's
 * CSRF token (reusable until it expires) plus the double-submit cookie.
 */
export const sessionRoutes = defineRoutes([
  {
    method: 'POST',
    path: '/webmcp/session',
    access: { scope: 'webmcp:read' },
    async handle(ctx, s) {
      const p = ctx.principal!;
      if (p.via !== 'bearer') {
        throw new WebMCPSecurityError('ERR_UNAUTHENTICATED', 'a Bearer token is required', { cause: 'session from a session' });
      }
      const { id } = await s.sessions.create({ apiKeyId: p.apiKeyId, sub: p.sub, role: p.role, scopes: [...p.scopes], jti: p.jti });
      ctx.extraHeaders.append('set-cookie', s.sessions.cookie(id, ctx.secure));
      await s.audit(ctx, { action: 'admin.login', outcome: 'ok', details: { via: 'bearer' } });
      return new Response(null, { status: 204 });
    },
  },
  {
    method: 'DELETE',
    path: '/webmcp/session',
    access: { scope: 'webmcp:read' },
    async handle(ctx, s) {
      const p = ctx.principal!;
      if (p.sessionId) await s.sessions.delete(p.sessionId);
      ctx.extraHeaders.append('set-cookie', s.sessions.clearCookie(ctx.secure));
      ctx.extraHeaders.append('set-cookie', clearCsrf(s.security.csrf.cookieName(ctx.secure), ctx.secure));
      return new Response(null, { status: 204 });
    },
  },
  {
    method: 'GET',
    path: '/webmcp/csrf',
    access: { scope: 'webmcp:read' },
    async handle(ctx, s) {
      const p = ctx.principal!;
      if (!p.sessionId) throw new HttpError(400, 'no-session', 'CSRF tokens are for browser sessions; Bearer requests need none');
      const token = await s.security.csrf.issue(p.sessionId);
      ctx.extraHeaders.append('set-cookie', s.security.csrf.cookie(token, { https: ctx.secure }));
      return json({ token, header_name: s.security.csrf.headerName, expires_in: s.security.csrf.expiresIn });
    },
  },
]);

function clearCsrf(name: string, https: boolean): string {
  return serializeCookie(name, '', { httpOnly: true, secure: https, sameSite: 'Strict', path: '/', maxAge: 0 });
}
