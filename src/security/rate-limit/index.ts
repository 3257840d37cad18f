export {
  createRateLimiter,
  rateLimitHeaders,
  rateLimitedResponse,
  rateLimitKey,
  type RateLimiter,
  type RateLimitOptions,
  type RateLimitPolicy,
  type RateLimitResult,
} from './rate-limit.js';
export { clientIp, normalizeIp, ipBudget, type ClientIpOptions } from './client-ip.js';
