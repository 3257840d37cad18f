import type { CounterStore } from '../../store/types.js';
import { problemResponse } from '../middleware/problem.js';
import { ipBudget } from './client-ip.js';

export interface RateLimitOptions {
  /** Fixed window length in milliseconds. */
  windowMs: number;
  /** Units granted per key per window. */
  maxRequests: number;
  /** Give the unit back when the request succeeds (status < 400). */
  skipSuccessfulRequests?: boolean;
  /** Policy name used in the `RateLimit-Policy` / `RateLimit` headers. */
  policyName?: string;
}

export interface RateLimitResult {
  allowed: boolean;
  /** Units left in the current window after this call. */
  remaining: number;
  /** Milliseconds until the current window ends. */
  resetMs: number;
  /** The window's quota. */
  limit: number;
}

export interface RateLimitPolicy {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

export interface RateLimiter {
  readonly policy: RateLimitPolicy;
  readonly skipSuccessfulRequests: boolean;
  /** Takes one unit (or `cost`) for `key`. A refused call takes nothing. */
  consume(key: string, cost?: number): Promise<RateLimitResult>;
  /** Gives units back (used by `skipSuccessfulRequests`). */
  refund(key: string, cost?: number): Promise<void>;
  /** The current state for `key` without consuming. */
  peek(key: string): Promise<RateLimitResult>;
}

/** Store keys, namespaced so a client IP can never collide with an API key id. */
export const rateLimitKey = {
  /** IPv6 clients share one budget per /64 (see `ipBudget`). */
  ip: (ip: string): string => `rl:ip:${ipBudget(ip)}`,
  /** The token endpoint's (and admin login's) own per-IP budget, grouped the same way. */
  tokenIp: (ip: string): string => `rl:token:${ipBudget(ip)}`,
  apiKey: (id: string): string => `rl:key:${id}`,
  subject: (sub: string): string => `rl:sub:${sub}`,
} as const;

/**
 * A fixed-window limiter over `store.counters`; exactness under concurrency comes from the
 * store's atomic `consume`.
 *
 * @example
 * const limiter = createRateLimiter({ windowMs: 60_000, maxRequests: 100 }, store);
 * const r = await limiter.consume(rateLimitKey.ip('203.0.113.9'));
 * if (!r.allowed) return rateLimitedResponse(r, limiter.policy);
 */
export function createRateLimiter(options: RateLimitOptions, store: { counters: CounterStore }): RateLimiter {
  const { windowMs, maxRequests } = options;
  if (!Number.isInteger(windowMs) || windowMs <= 0) throw new TypeError('windowMs must be a positive integer');
  if (!Number.isInteger(maxRequests) || maxRequests <= 0) throw new TypeError('maxRequests must be a positive integer');
  const name = options.policyName ?? 'default';
  if (!/^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/.test(name)) throw new TypeError('policyName must be printable ASCII without quotes');
  const policy: RateLimitPolicy = Object.freeze({ name, limit: maxRequests, windowMs });
  const counters = store.counters;

  function checkKey(key: string): void {
    if (typeof key !== 'string' || key.length === 0) throw new TypeError('rate-limit key must be a non-empty string');
  }

  return {
    policy,
    skipSuccessfulRequests: options.skipSuccessfulRequests === true,
    async consume(key, cost = 1) {
      checkKey(key);
      const r = await counters.consume(key, windowMs, maxRequests, cost);
      return { allowed: r.allowed, remaining: Math.max(0, maxRequests - r.count), resetMs: Math.max(0, r.resetMs), limit: maxRequests };
    },
    async refund(key, cost = 1) {
      checkKey(key);
      await counters.refund(key, cost);
    },
    async peek(key) {
      checkKey(key);
      const r = await counters.peek(key);
      if (!r) return { allowed: true, remaining: maxRequests, resetMs: windowMs, limit: maxRequests };
      return {
        allowed: r.count < maxRequests,
        remaining: Math.max(0, maxRequests - r.count),
        resetMs: Math.max(0, r.resetMs),
        limit: maxRequests,
      };
    },
  };
}

/**
 * The rate-limit response headers (draft-ietf-httpapi-ratelimit-headers, structured-field form):
 * `RateLimit-Policy: "default";q=100;w=60`, `RateLimit: "default";r=0;t=42`, and `Retry-After`
 * (delta-seconds) when the call was refused.
 */
export function rateLimitHeaders(result: RateLimitResult, policy: RateLimitPolicy): Record<string, string> {
  const resetSeconds = Math.max(0, Math.ceil(result.resetMs / 1000));
  const headers: Record<string, string> = {
    'RateLimit-Policy': `"${policy.name}";q=${policy.limit};w=${Math.max(1, Math.ceil(policy.windowMs / 1000))}`,
    RateLimit: `"${policy.name}";r=${result.remaining};t=${resetSeconds}`,
  };
  if (!result.allowed) headers['Retry-After'] = String(Math.max(1, resetSeconds));
  return headers;
}

/** A 429 `application/problem+json` response carrying {@link rateLimitHeaders}. */
export function rateLimitedResponse(result: RateLimitResult, policy: RateLimitPolicy): Response {
  return problemResponse(429, 'Rate limit exceeded; retry after the time given in Retry-After.', {
    code: 'ERR_RATE_LIMITED',
    headers: rateLimitHeaders(result, policy),
  });
}
