import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { charsetOf, decodeHtml } from '../core/encoding.js';
import { WebMCPInputError } from '../errors.js';

/** One page to analyse: where it came from, its URL for link resolution, and its text. */
export interface PageInput {
  /** What the user typed (file path, URL, or `-`). */
  source: string;
  /** The URL to analyse the page as: the fetched URL (after redirects) or a file: URL. */
  url: string;
  html: string;
}

export interface ReadOptions {
  cwd: string;
  stdin: NodeJS.ReadableStream;
  /** Largest page accepted, in bytes. */
  maxBytes: number;
  /** Fetch timeout for URLs. */
  timeoutMs: number;
  /** Injected for tests. */
  fetch?: typeof fetch;
}

export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 15_000;

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

async function readLimited(chunks: AsyncIterable<Uint8Array | string>, maxBytes: number, what: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.byteLength;
    if (size > maxBytes) throw new WebMCPInputError('ERR_INPUT', `${what} is larger than ${maxBytes} bytes (raise --max-bytes)`);
    parts.push(bytes);
  }
  return Buffer.concat(parts);
}

async function readFilePage(source: string, options: ReadOptions): Promise<PageInput> {
  const path = resolve(options.cwd, source);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new WebMCPInputError('ERR_INPUT', `${source}: ${fsReason(err)}`, { cause: err });
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new WebMCPInputError('ERR_INPUT', `${source}: is a directory`);
    if (stat.size > options.maxBytes) throw new WebMCPInputError('ERR_INPUT', `${source}: larger than ${options.maxBytes} bytes (raise --max-bytes)`);
    const bytes = await readLimited(handle.createReadStream({ autoClose: false }), options.maxBytes, source);
    return { source, url: new URL(`file://${path.split('/').map(encodeURIComponent).join('/')}`).href, html: decodeHtml(bytes) };
  } finally {
    await handle.close();
  }
}

function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return `cannot read (${code ?? 'error'})`;
  }
}

async function fetchPage(source: string, options: ReadOptions): Promise<PageInput> {
  const doFetch = options.fetch ?? fetch;
  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await doFetch(source, { redirect: 'follow', signal, headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5', 'user-agent': 'webmcp' } });
  } catch (err) {
    const reason = signal.aborted ? `no answer within ${options.timeoutMs} ms` : 'could not connect';
    throw new WebMCPInputError('ERR_FETCH', `${source}: ${reason}`, { cause: err });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new WebMCPInputError('ERR_FETCH', `${source}: HTTP ${response.status}`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (type && !/html|xml|text\/plain/i.test(type)) {
    await response.body?.cancel();
    throw new WebMCPInputError('ERR_FETCH', `${source}: not an HTML page (${type.split(';')[0].trim()})`);
  }
  const length = Number(response.headers.get('content-length'));
  if (Number.isFinite(length) && length > options.maxBytes) {
    await response.body?.cancel();
    throw new WebMCPInputError('ERR_FETCH', `${source}: larger than ${options.maxBytes} bytes (raise --max-bytes)`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readLimited((response.body ?? []) as unknown as AsyncIterable<Uint8Array>, options.maxBytes, source);
  } catch (err) {
    if (err instanceof WebMCPInputError) throw err;
    throw new WebMCPInputError('ERR_FETCH', `${source}: ${signal.aborted ? `no answer within ${options.timeoutMs} ms` : 'connection lost'}`, { cause: err });
  }
  return { source, url: response.url || source, html: decodeHtml(bytes, charsetOf(type)) };
}

/** Reads one input: a file path, an http(s) URL, or `-` for standard input. */
export async function readInput(source: string, options: ReadOptions): Promise<PageInput> {
  if (source === '-') {
    const bytes = await readLimited(options.stdin as AsyncIterable<Uint8Array>, options.maxBytes, 'standard input');
    return { source, url: '', html: decodeHtml(bytes) };
  }
  if (isUrl(source)) return fetchPage(source, options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !/^file:/i.test(source)) throw new WebMCPInputError('ERR_INPUT', `${source}: only http(s) URLs and files can be analysed`);
  return readFilePage(source.replace(/^file:\/\//i, ''), options);
}
