export { createSecurityMiddleware, type SecurityMiddleware, type RequireGuard } from './middleware.js';
export { problemResponse, type Problem } from './problem.js';
export type {
  MiddlewareParts,
  MiddlewareOptions,
  SecurityContext,
  AuthenticatedPrincipal,
  VerifiedClaims,
  WebHandler,
  ConnectionInfo,
} from './types.js';
export type { ExpressMiddleware } from './express.js';
export type { FastifyPlugin } from './fastify.js';
export type { HonoSecurityEnv } from './hono.js';
export { toWebRequest, type NodeRequestLike, type NodeResponseLike } from './node.js';
