import { WebMCPSecurityError } from '../../errors.js';
import type { RequestContext } from '../context.js';
import { refuse } from '../guard.js';
import { HttpError } from '../http/problem.js';
import { actionElements, type PageState } from '../pages/registry.js';
import { defineRoutes, json } from '../route.js';
import type { GatewayServices } from '../services.js';

/** The page's ACL admits the caller (role and key lists); the route already checked the scope. */
export function pageAllowed(ctx: RequestContext, page: PageState): boolean {
  return aclAllows(ctx, page.config.acl);
}

export function aclAllows(ctx: RequestContext, acl: { roles?: readonly string[]; keys?: readonly string[] } | null): boolean {
  const p = ctx.principal;
  if (!p) return false;
  if (!acl) return true;
  if (acl.roles && !acl.roles.includes(p.role)) return false;
  if (acl.keys && (p.apiKeyId === null || !acl.keys.includes(p.apiKeyId))) return false;
  return true;
}

/** Finds a page the caller may see: 404 when unknown, 403 (audited) when its ACL excludes them. */
export async function pageFor(ctx: RequestContext, s: GatewayServices, id: string): Promise<PageState> {
  const page = s.pages.get(id);
  if (!page) throw new HttpError(404, 'not-found', 'no such page', { code: 'ERR_NOT_FOUND' });
  if (!pageAllowed(ctx, page)) {
    const error = new WebMCPSecurityError('ERR_FORBIDDEN', 'access denied', { cause: 'page acl' });
    await refuse(ctx, s, 'acl', 'auth.refused', error);
    throw error;
  }
  return page;
}

/** The configured actions that exist in the page's current document. */
export function callableActions(page: PageState): string[] {
  if (!page.document) return [];
  const present = actionElements(page.document);
  return Object.keys(page.config.actions).filter((name) => present.has(name));
}

export const pageRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/webmcp/pages',
    access: { scope: 'webmcp:read' },
    async handle(ctx, s) {
      const pages = s.pages
        .list()
        .filter((page) => pageAllowed(ctx, page))
        .map((page) => ({
          id: page.id,
          url: page.document?.context.url ?? page.config.url,
          title: page.document?.context.title ?? null,
          purpose: page.document?.context.purpose ?? null,
          actions: callableActions(page),
          analyzed_at: page.analyzedAt,
          available: page.document !== null,
        }));
      return json({ pages });
    },
  },
  {
    method: 'GET',
    path: '/webmcp/pages/:page',
    access: { scope: 'webmcp:read' },
    async handle(ctx, s) {
      const page = await pageFor(ctx, s, ctx.params['page']!);
      if (!page.document) throw new HttpError(503, 'page-unavailable', 'the page is not available right now');
      await s.audit(ctx, { action: 'page.read', outcome: 'ok', resource: `page:${page.id}` });
      return json(page.document);
    },
  },
  {
    // On-demand re-analysis (rendered pages change without their file changing).
    method: 'POST',
    path: '/webmcp/pages/:page/refresh',
    access: { scope: 'webmcp:admin' },
    async handle(ctx, s) {
      const page = await pageFor(ctx, s, ctx.params['page']!);
      await s.pages.refresh(page.id);
      const fresh = s.pages.get(page.id) as PageState;
      await s.audit(ctx, { action: 'analyze', outcome: fresh.error ? 'error' : 'ok', resource: `page:${page.id}` });
      if (fresh.error) throw new HttpError(502, 'page-unavailable', 'the page could not be analysed; the previous document stays');
      return json({ id: fresh.id, analyzed_at: fresh.analyzedAt, elements: fresh.document?.elements.length ?? 0 });
    },
  },
]);
