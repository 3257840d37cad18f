import { WebMCPConfigError } from '../../errors.js';

/** CSP directives webmcp knows; anything else is most likely a typo and is refused. */
const DIRECTIVES = new Set([
  'default-src',
  'script-src',
  'script-src-elem',
  'script-src-attr',
  'style-src',
  'style-src-elem',
  'style-src-attr',
  'img-src',
  'font-src',
  'connect-src',
  'media-src',
  'object-src',
  'frame-src',
  'child-src',
  'worker-src',
  'manifest-src',
  'fenced-frame-src',
  'base-uri',
  'form-action',
  'frame-ancestors',
  'sandbox',
  'upgrade-insecure-requests',
  'report-uri',
  'report-to',
  'require-trusted-types-for',
  'trusted-types',
]);
const VALUELESS = new Set(['upgrade-insecure-requests']);
const KEYWORDS = new Set([
  'self',
  'none',
  'unsafe-inline',
  'unsafe-eval',
  'unsafe-hashes',
  'strict-dynamic',
  'report-sample',
  'wasm-unsafe-eval',
  'inline-speculation-rules',
  'script',
  'allow-duplicates',
]);
const QUOTED = /^'(?:nonce-[A-Za-z0-9+/_=-]+|sha(?:256|384|512)-[A-Za-z0-9+/_=-]+|[a-z-]+)'$/;
const UNQUOTED = /^[^\s;,'"]+$/;

type DirectiveInput = string | string[] | boolean;

/**
 * Merges user directives (camelCase or kebab-case keys; `false` drops a default) over the
 * defaults and checks every source. Refuses `'unsafe-inline'` for scripts unless a nonce is
 * present (browsers then ignore it), and always in `script-src-attr` where nonces do not apply.
 */
export function checkCspDirectives(
  input: Record<string, DirectiveInput> | undefined,
  defaults: Readonly<Record<string, readonly string[]>>,
  path: string,
): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  for (const [name, sources] of Object.entries(defaults)) out[name] = [...sources];
  const spelled: Record<string, string> = {};
  for (const [key, value] of Object.entries(input ?? {})) {
    const name = key.includes('-') ? key.toLowerCase() : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const keyPath = `${path}.${key}`;
    if (!DIRECTIVES.has(name)) throw new WebMCPConfigError(keyPath, 'unknown CSP directive');
    spelled[name] = keyPath;
    if (value === false) {
      delete out[name];
      continue;
    }
    if (value === true) {
      if (!VALUELESS.has(name)) throw new WebMCPConfigError(keyPath, 'needs a list of sources');
      out[name] = [];
      continue;
    }
    const list = typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : value;
    for (const source of list) checkSource(source, keyPath);
    out[name] = [...list];
  }
  const scriptPolicy = out['script-src'] ? 'script-src' : 'default-src';
  for (const name of [scriptPolicy, 'script-src-elem']) {
    const sources = out[name];
    if (sources?.includes("'unsafe-inline'") && !sources.some((s) => s.startsWith("'nonce-"))) {
      throw new WebMCPConfigError(spelled[name] ?? `${path}.${name}`, "'unsafe-inline' scripts need a nonce");
    }
  }
  if (out['script-src-attr']?.includes("'unsafe-inline'")) {
    throw new WebMCPConfigError(spelled['script-src-attr']!, "'unsafe-inline' event handlers are refused");
  }
  return out;
}

function checkSource(source: string, path: string): void {
  if (typeof source !== 'string' || source.length === 0 || source.length > 512) {
    throw new WebMCPConfigError(path, 'CSP sources are non-empty strings');
  }
  if (source.startsWith("'")) {
    const keyword = source.slice(1, -1);
    if (!QUOTED.test(source) || (!KEYWORDS.has(keyword) && !/^(nonce|sha256|sha384|sha512)-/.test(keyword))) {
      throw new WebMCPConfigError(path, 'unknown quoted CSP keyword');
    }
    return;
  }
  if (!UNQUOTED.test(source)) throw new WebMCPConfigError(path, 'CSP source contains spaces, quotes, ";" or ","');
  if (KEYWORDS.has(source)) throw new WebMCPConfigError(path, `CSP keywords need single quotes: '${source}'`);
}
