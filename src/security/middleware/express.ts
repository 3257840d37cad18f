import type { Core, InternalContext } from './core.js';
import { nodeHeaderTarget, sendWebResponse, toWebRequest, type NodeRequestLike, type NodeResponseLike } from './node.js';
import { problemResponse } from './problem.js';

export type ExpressNext = (error?: unknown) => void;
export type ExpressMiddleware = (req: NodeRequestLike, res: NodeResponseLike, next: ExpressNext) => void;

/**
 * Express 5 (and Connect-style) middleware around the core. Security headers go on through a
 * `writeHead` hook, so they reach every response, including Express's own error pages.
 */
export function expressAdapter(core: Core, nodeContexts: WeakMap<object, InternalContext>, webContexts: WeakMap<Request, InternalContext>): ExpressMiddleware {
  return function webmcpSecurity(req, res, next) {
    let request: Request;
    try {
      request = toWebRequest(req, req.socket?.encrypted === true);
    } catch {
      // Not representable as a Fetch request (e.g. CONNECT): nothing to check, so refuse it.
      void sendWebResponse(res, problemResponse(400, 'Unsupported request.')).catch(next);
      return;
    }
    core
      .begin(request, { ip: req.socket?.remoteAddress ?? null })
      .then(async ({ ctx, refusal }) => {
        nodeContexts.set(req, ctx);
        webContexts.set(request, ctx);
        if (refusal) return sendWebResponse(res, refusal);
        if (res.locals) {
          res.locals.webmcp = ctx;
          res.locals.cspNonce = ctx.nonce;
        }
        const target = nodeHeaderTarget(res);
        const writeHead = res.writeHead;
        let decorated = false;
        res.writeHead = function (this: NodeResponseLike, ...args: unknown[]) {
          if (!decorated) {
            decorated = true;
            core.decorate(ctx, target);
          }
          return writeHead.apply(this, args);
        };
        res.once('finish', () => void core.settle(ctx, res.statusCode));
        next();
      })
      .catch(next);
  };
}
