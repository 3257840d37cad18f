import { z } from 'zod';

/**
 * The shape of the webMCP `security` object as users write it (spec section 4). Every object is
 * strict: an unknown key is refused, since a typo in a security setting must not silently fall
 * back to a default. Value rules (lengths, ranges, cross-field checks) live in `resolve.ts`.
 */
const duration = z.union([z.number(), z.string()]);

const jwtSchema = z.strictObject({
  secret: z.string().optional(),
  privateKey: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  algorithm: z.string().optional(),
  expiresIn: duration.optional(),
  refreshExpiresIn: duration.optional(),
  scopes: z.array(z.string()).optional(),
  issuer: z.string().optional(),
  audience: z.string().optional(),
  clockTolerance: duration.optional(),
});

const encryptionSchema = z.strictObject({
  method: z.string().optional(),
  algorithm: z.string().optional(),
  keyRotationInterval: duration.optional(),
  gracePeriod: duration.optional(),
});

const rateLimitSchema = z.strictObject({
  windowMs: z.number().optional(),
  maxRequests: z.number().optional(),
  skipSuccessfulRequests: z.boolean().optional(),
});

const hstsSchema = z.strictObject({
  maxAge: duration.optional(),
  includeSubDomains: z.boolean().optional(),
  preload: z.boolean().optional(),
});

const cspSchema = z.strictObject({
  directives: z.record(z.string(), z.union([z.string(), z.array(z.string()), z.boolean()])).optional(),
  reportOnly: z.boolean().optional(),
});

const auditSchema = z.strictObject({
  enabled: z.boolean().optional(),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).optional(),
  sensitiveFields: z.array(z.string()).optional(),
  retention: duration.optional(),
});

export const securityInputSchema = z.strictObject({
  enableCSRF: z.boolean().optional(),
  csrfTokenExpiry: duration.optional(),
  jwt: jwtSchema.optional(),
  encryption: encryptionSchema.optional(),
  rateLimit: rateLimitSchema.optional(),
  httpsOnly: z.boolean().optional(),
  hsts: hstsSchema.optional(),
  csp: cspSchema.optional(),
  headers: z.record(z.string(), z.union([z.string(), z.literal(false)])).optional(),
  audit: auditSchema.optional(),
  roles: z.record(z.string(), z.array(z.string())).optional(),
});

/** The `security` object as written in code or `webmcp.config.json`; every key is optional. */
export type SecurityConfigInput = z.input<typeof securityInputSchema>;
