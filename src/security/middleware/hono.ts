import type { MiddlewareHandler } from 'hono';
import type { Core, InternalContext } from './core.js';
import type { SecurityContext } from './types.js';

export type HonoSecurityEnv = { Variables: { webmcp: SecurityContext } };

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string; encrypted?: boolean } };
}

/** Hono middleware: `c.get('webmcp')` holds the {@link SecurityContext}. */
export function honoAdapter(core: Core, webContexts: WeakMap<Request, InternalContext>): MiddlewareHandler<HonoSecurityEnv> {
  return async function webmcpSecurity(c, next) {
    const request = c.req.raw;
    // @hono/node-server passes the Node request as env.incoming; other runtimes use clientAddress.
    const socket = (c.env as NodeBindings | undefined)?.incoming?.socket;
    const { ctx, refusal } = await core.begin(request, { ip: socket?.remoteAddress ?? null, https: socket?.encrypted === true ? true : undefined });
    webContexts.set(request, ctx);
    c.set('webmcp', ctx);
    if (refusal) return refusal;
    await next();
    try {
      core.decorate(ctx, c.res.headers);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      // Immutable headers (a Response from fetch()): re-wrap; Hono's setter copies the headers over.
      c.res = new Response(c.res.body, c.res);
      core.decorate(ctx, c.res.headers);
    }
    await core.settle(ctx, c.res.status);
    return undefined;
  };
}
