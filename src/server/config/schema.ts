import { z } from 'zod';

/** Who may use a page or one of its actions, on top of the scope the route needs. */
const AclSchema = z.strictObject({
  /** Roles allowed (reader, agent, admin). Omitted: every role holding the route's scope. */
  roles: z.array(z.enum(['reader', 'agent', 'admin'])).min(1).optional(),
  /** API key ids allowed. Omitted: any key. */
  keys: z.array(z.string().min(1).max(128)).min(1).optional(),
});

const HttpUrl = z.url({ protocol: /^https?$/ });

const ActionSchema = z.strictObject({
  upstream: HttpUrl,
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
  /** How params are sent upstream; default: the form's enctype (form-encoded unless it says JSON). */
  encoding: z.enum(['form', 'json']).optional(),
  timeoutMs: z.number().int().min(100).max(300_000).optional(),
  acl: AclSchema.optional(),
});

const PageSchema = z
  .strictObject({
    url: HttpUrl.optional(),
    html: z.string().min(1).optional(),
    acl: AclSchema.optional(),
    actions: z.record(z.string().min(1).max(128), ActionSchema).optional(),
    /** Analyse what headless Chromium shows after the page's scripts ran (webmcp/render). */
    render: z.boolean().optional(),
    /** Re-analyse on this schedule (seconds, or "90s", "15m", "1h"); at least 10 s. */
    refreshInterval: z.union([z.number().positive(), z.string().min(1)]).optional(),
  })
  .refine((page) => page.html !== undefined || page.url !== undefined, {
    message: 'a page needs "html" (a file) or "url"',
  });

const StoreSchema = z.union([
  z.literal('memory'),
  z.string().regex(/^sqlite:.+$/, 'expected "memory", "sqlite:PATH" or { redis, postgres }'),
  z.strictObject({ redis: z.string().min(1), postgres: z.string().min(1) }),
]);

const TlsSchema = z.union([
  z.literal('self-signed'),
  z.strictObject({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1).optional() }),
]);

const Duration = z.union([z.number().positive(), z.string().min(1)]);

/** The `webmcp.config.json` file, after `${NAME}` substitution. Unknown keys are refused. */
export const GatewayConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  /** The webMCP security configuration, validated by `webmcp/security`. */
  security: z.record(z.string(), z.unknown()).optional(),
  store: StoreSchema.optional(),
  tls: TlsSchema.optional(),
  trustProxy: z.boolean().optional(),
  publicUrl: HttpUrl.optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  pages: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'page ids are letters, digits, "_" and "-"'), PageSchema).optional(),
  limits: z
    .strictObject({
      bodyBytes: z.number().int().min(1024).max(64 * 1024 * 1024).optional(),
      upstreamTimeoutMs: z.number().int().min(100).max(300_000).optional(),
    })
    .optional(),
  sessions: z.strictObject({ ttl: Duration.optional() }).optional(),
  admin: z.strictObject({ enabled: z.boolean().optional() }).optional(),
  /** The browser used for `render: true` pages. */
  render: z
    .strictObject({
      /** Block requests to other origins than the page's (default true). */
      sameOrigin: z.boolean().optional(),
      /** Pages rendered at once (default 2). */
      maxPages: z.number().int().min(1).max(16).optional(),
      /** Time budget for one page, load to analysis (default 30000 ms). */
      timeoutMs: z.number().int().min(1000).max(300_000).optional(),
    })
    .optional(),
  metrics: z.strictObject({ enabled: z.boolean().optional(), public: z.boolean().optional() }).optional(),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional() }).optional(),
});

export type GatewayConfigFile = z.infer<typeof GatewayConfigSchema>;
export type PageConfigFile = z.infer<typeof PageSchema>;
export type ActionConfigFile = z.infer<typeof ActionSchema>;
export type AclConfig = z.infer<typeof AclSchema>;
