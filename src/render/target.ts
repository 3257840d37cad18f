import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebMCPRenderError } from './errors.js';

/**
 * What to render:
 * - an `http:`/`https:` URL (string or `URL`), or `{ url }`;
 * - `{ html, url? }`: markup we serve ourselves as the main document at `url` (default
 *   `https://webmcp.invalid/`), so relative links resolve and the page gets that origin;
 * - `{ file }`: a local file, loaded from `file://` with its sibling resources.
 */
export type RenderTarget = string | URL | { url: string | URL; html?: undefined } | { html: string; url?: string | URL } | { file: string };

/** Where `{ html }` without a URL is served from: `.invalid` never resolves, and https makes it a secure context. */
export const SYNTHETIC_URL = 'https://webmcp.invalid/';

export interface ResolvedTarget {
  /** The URL the page is navigated to. */
  url: string;
  /** Origin that same-origin mode allows (`null` for files: only file loads, no network). */
  origin: string;
  /** Markup to answer the main-document request with, when we serve it. */
  html?: string;
}

function parseWebUrl(value: string | URL): URL {
  let u: URL;
  try {
    u = new URL(value);
  } catch (err) {
    throw new WebMCPRenderError('target', 'Not a valid URL', { cause: err });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new WebMCPRenderError('target', 'Only http and https URLs can be rendered');
  u.hash = '';
  return u;
}

export function resolveTarget(target: RenderTarget): ResolvedTarget {
  if (typeof target === 'string' || target instanceof URL) {
    const u = parseWebUrl(target);
    return { url: u.href, origin: u.origin };
  }
  if (typeof target !== 'object' || target === null) throw new TypeError('render target must be a URL, { url }, { html, url? } or { file }');
  if ('file' in target) {
    if (typeof target.file !== 'string' || target.file === '') throw new TypeError('render target file must be a non-empty path');
    const abs = isAbsolute(target.file) ? target.file : resolve(target.file);
    return { url: pathToFileURL(abs).href, origin: 'null' };
  }
  if (typeof target.html === 'string') {
    const u = parseWebUrl(target.url ?? SYNTHETIC_URL);
    return { url: u.href, origin: u.origin, html: target.html };
  }
  if (target.url !== undefined) {
    const u = parseWebUrl(target.url);
    return { url: u.href, origin: u.origin };
  }
  throw new TypeError('render target must be a URL, { url }, { html, url? } or { file }');
}

/** Origin of a request URL as the browser compares it; `null` for opaque ones. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch (err) {
    void err; // unparsable URLs have no origin and never count as same-origin
    return 'null';
  }
}
