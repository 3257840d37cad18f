import type { Core, InternalContext } from './core.js';
import { nodeHeaderTarget, toWebRequest, type NodeRequestLike } from './node.js';
import { problemResponse } from './problem.js';

/** The parts of a Fastify request the plugin reads. */
export interface FastifyRequestLike {
  raw: NodeRequestLike;
  protocol?: string;
}

/** The parts of a Fastify reply the plugin writes. */
export interface FastifyReplyLike {
  statusCode: number;
  code(status: number): FastifyReplyLike;
  header(name: string, value: string | readonly string[]): FastifyReplyLike;
  hasHeader(name: string): boolean;
  removeHeader(name: string): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

export interface FastifyInstanceLike {
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): unknown;
  addHook(name: 'onSend', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, payload: unknown) => Promise<unknown>): unknown;
  addHook(name: 'onResponse', hook: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): unknown;
}

export type FastifyPlugin = ((instance: FastifyInstanceLike, options: unknown, done: (error?: Error) => void) => void) & {
  [key: symbol]: unknown;
};

/** Sends a finished Web `Response` through a Fastify reply; returns the reply (thenable) for async hooks. */
export async function sendThroughReply(reply: FastifyReplyLike, response: Response): Promise<FastifyReplyLike> {
  const body = await response.text();
  reply.code(response.status);
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') reply.header(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) reply.header('set-cookie', cookies);
  return reply.send(Buffer.from(body, 'utf8'));
}

/**
 * A Fastify 5 plugin (not encapsulated, so it covers the whole app): checks in `onRequest`,
 * headers in `onSend` (which also runs for error replies), refunds in `onResponse`.
 */
export function fastifyAdapter(core: Core, nodeContexts: WeakMap<object, InternalContext>, webContexts: WeakMap<Request, InternalContext>): FastifyPlugin {
  const plugin = function webmcpSecurity(instance: FastifyInstanceLike, _options: unknown, done: (error?: Error) => void): void {
    instance.addHook('onRequest', async (request, reply) => {
      let web: Request;
      try {
        web = toWebRequest(request.raw, request.protocol === 'https' || request.raw.socket?.encrypted === true);
      } catch {
        // Not representable as a Fetch request: nothing to check, so refuse it.
        return sendThroughReply(reply, problemResponse(400, 'Unsupported request.'));
      }
      const { ctx, refusal } = await core.begin(web, { ip: request.raw.socket?.remoteAddress ?? null });
      nodeContexts.set(request.raw, ctx);
      webContexts.set(web, ctx);
      // Returning the (thenable) reply makes Fastify wait for it and skip the route.
      if (refusal) return sendThroughReply(reply, refusal);
      return undefined;
    });
    instance.addHook('onSend', async (request, reply, payload) => {
      const ctx = nodeContexts.get(request.raw);
      if (ctx) core.decorate(ctx, nodeHeaderTarget({
        hasHeader: (n) => reply.hasHeader(n),
        setHeader: (n, v) => reply.header(n, typeof v === 'number' ? String(v) : v),
        removeHeader: (n) => void reply.removeHeader(n),
      }));
      return payload;
    });
    instance.addHook('onResponse', async (request, reply) => {
      const ctx = nodeContexts.get(request.raw);
      if (ctx) await core.settle(ctx, reply.statusCode);
    });
    done();
  };
  // What fastify-plugin sets: apply to the parent scope instead of an encapsulated child.
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'webmcp-security',
  }) as FastifyPlugin;
}
