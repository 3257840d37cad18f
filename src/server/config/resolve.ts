import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { WebMCPConfigError } from '../../errors.js';
import type { StoreSpec } from '../../store/types.js';
import { parseDuration } from '../../security/config/duration.js';
import { GatewayConfigSchema, type AclConfig, type GatewayConfigFile } from './schema.js';

export type Acl = Readonly<AclConfig>;

export interface ResolvedAction {
  readonly upstream: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly encoding: 'form' | 'json' | null;
  readonly timeoutMs: number;
  readonly acl: Acl | null;
}

export interface ResolvedPage {
  readonly id: string;
  readonly url: string | null;
  /** Absolute path of the HTML file, or null when the page is fetched from `url`. */
  readonly html: string | null;
  readonly acl: Acl | null;
  readonly actions: Readonly<Record<string, ResolvedAction>>;
  /** Analyse the rendered page (headless Chromium) rather than the static HTML. */
  readonly render: boolean;
  /** Re-analyse on this schedule, or null for never (files are still re-analysed when they change). */
  readonly refreshIntervalMs: number | null;
}

/** The gateway configuration after validation, defaults and path resolution; frozen. */
export interface ResolvedGatewayConfig {
  /** Folder of the config file; relative paths were resolved against it. */
  readonly baseDir: string;
  /** The `security` object as written, for `createSecurity` (which validates it). */
  readonly security: Readonly<Record<string, unknown>>;
  /** With an absolute SQLite path. */
  readonly store: StoreSpec;
  readonly tls: null | 'self-signed' | { readonly cert: string; readonly key: string; readonly ca: string | null };
  readonly trustProxy: boolean;
  readonly publicUrl: string | null;
  readonly host: string;
  readonly port: number;
  readonly pages: Readonly<Record<string, ResolvedPage>>;
  readonly bodyLimit: number;
  readonly sessionTtlSeconds: number;
  readonly adminEnabled: boolean;
  readonly metricsEnabled: boolean;
  readonly metricsPublic: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Browser settings for `render: true` pages. */
  readonly render: { readonly sameOrigin: boolean; readonly maxPages: number; readonly timeoutMs: number };
}

export const DEFAULTS = {
  store: 'sqlite:./webmcp.db',
  host: '127.0.0.1',
  port: 8080,
  bodyLimit: 1024 * 1024,
  upstreamTimeoutMs: 10_000,
  sessionTtlSeconds: 3600,
  logLevel: 'info',
} as const;

export interface ResolveOptions {
  /** Folder relative paths are resolved against (the config file's folder). */
  baseDir: string;
  /** Source of `${NAME}` values. */
  env?: Record<string, string | undefined>;
}

/** Reads, substitutes, validates and resolves a config file. Throws {@link WebMCPConfigError}. */
export function loadGatewayConfig(file: string, env: Record<string, string | undefined> = process.env): ResolvedGatewayConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new WebMCPConfigError('', `cannot read config file ${file}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new WebMCPConfigError('', `config file ${file} is not valid JSON`, { cause: error });
  }
  return resolveGatewayConfig(raw, { baseDir: dirname(resolve(file)), env });
}

/** Validates an already-parsed config object (programmatic use and tests). */
export function resolveGatewayConfig(raw: unknown, options: ResolveOptions): ResolvedGatewayConfig {
  const substituted = substituteEnv(raw, options.env ?? process.env, '');
  const parsed = GatewayConfigSchema.safeParse(substituted);
  if (!parsed.success) throw configErrorFrom(parsed.error);
  return deepFreeze(applyDefaults(parsed.data, options.baseDir));
}

function applyDefaults(file: GatewayConfigFile, baseDir: string): ResolvedGatewayConfig {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const upstreamTimeoutMs = file.limits?.upstreamTimeoutMs ?? DEFAULTS.upstreamTimeoutMs;
  const pages: Record<string, ResolvedPage> = {};
  for (const [id, page] of Object.entries(file.pages ?? {})) {
    const actions: Record<string, ResolvedAction> = {};
    for (const [name, action] of Object.entries(page.actions ?? {})) {
      actions[name] = {
        upstream: action.upstream,
        method: action.method ?? 'POST',
        encoding: action.encoding ?? null,
        timeoutMs: action.timeoutMs ?? upstreamTimeoutMs,
        acl: action.acl ?? null,
      };
    }
    let refreshIntervalMs: number | null = null;
    if (page.refreshInterval !== undefined) {
      const seconds = parseDuration(page.refreshInterval);
      if (seconds === null || seconds < 10) throw new WebMCPConfigError(`pages.${id}.refreshInterval`, 'expected a duration of at least 10 s');
      refreshIntervalMs = seconds * 1000;
    }
    pages[id] = {
      id,
      url: page.url ?? null,
      html: page.html ? at(page.html) : null,
      acl: page.acl ?? null,
      actions,
      render: page.render ?? false,
      refreshIntervalMs,
    };
  }
  const storeSpec = file.store ?? DEFAULTS.store;
  const store: StoreSpec =
    typeof storeSpec === 'string' && storeSpec.startsWith('sqlite:') && storeSpec !== 'sqlite::memory:'
      ? `sqlite:${at(storeSpec.slice('sqlite:'.length))}`
      : (storeSpec as StoreSpec);
  let sessionTtlSeconds: number = DEFAULTS.sessionTtlSeconds;
  if (file.sessions?.ttl !== undefined) {
    const seconds = parseDuration(file.sessions.ttl);
    if (seconds === null || seconds < 60) throw new WebMCPConfigError('sessions.ttl', 'expected a duration of at least 60 s');
    sessionTtlSeconds = seconds;
  }
  return {
    baseDir,
    security: file.security ?? {},
    store,
    tls:
      file.tls === undefined
        ? null
        : file.tls === 'self-signed'
          ? 'self-signed'
          : { cert: at(file.tls.cert), key: at(file.tls.key), ca: file.tls.ca ? at(file.tls.ca) : null },
    trustProxy: file.trustProxy ?? false,
    publicUrl: file.publicUrl ? file.publicUrl.replace(/\/+$/, '') : null,
    host: file.host ?? DEFAULTS.host,
    port: file.port ?? DEFAULTS.port,
    pages,
    bodyLimit: file.limits?.bodyBytes ?? DEFAULTS.bodyLimit,
    sessionTtlSeconds,
    adminEnabled: file.admin?.enabled ?? true,
    metricsEnabled: file.metrics?.enabled ?? true,
    metricsPublic: file.metrics?.public ?? false,
    logLevel: file.log?.level ?? DEFAULTS.logLevel,
    render: {
      sameOrigin: file.render?.sameOrigin ?? true,
      maxPages: file.render?.maxPages ?? 2,
      timeoutMs: file.render?.timeoutMs ?? 30_000,
    },
  };
}

/** Replaces `${NAME}` in every string; a missing variable is a config error naming the path. */
function substituteEnv(value: unknown, env: Record<string, string | undefined>, path: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined) {
        throw new WebMCPConfigError(path || '(root)', `environment variable ${name} is not set`);
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
        throw new WebMCPConfigError(join(path, key), 'this key is not allowed');
      }
      out[key] = substituteEnv(item, env, join(path, key));
    }
    return out;
  }
  return value;
}

function configErrorFrom(error: z.ZodError): WebMCPConfigError {
  const issue = error.issues[0]!;
  let path = issue.path.map(String).reduce<string>((acc, key) => join(acc, key), '');
  let reason = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = join(path, issue.keys[0] ?? '');
    reason = 'unknown key';
  }
  return new WebMCPConfigError(path || '(root)', reason, { cause: error });
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
