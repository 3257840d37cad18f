import type { HeaderTarget } from '../headers/headers.js';

/** The parts of Node's `IncomingMessage` (as Express/Fastify hand it over) the adapters read. */
export interface NodeRequestLike {
  method?: string;
  url?: string;
  /** Express keeps the full path here when mounted under a prefix. */
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string; encrypted?: boolean } | null;
}

/** The parts of Node's `ServerResponse` the adapters write. */
export interface NodeResponseLike {
  statusCode: number;
  headersSent: boolean;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  hasHeader(name: string): boolean;
  removeHeader(name: string): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  writeHead(...args: any[]): unknown;
  end(chunk?: string): unknown;
  once(event: 'finish' | 'close', listener: () => void): unknown;
  locals?: Record<string, unknown>;
}

/**
 * A header-less-body Web `Request` mirroring a Node request (method, URL, headers): what the
 * security checks need. The body stays with the framework. Throws `TypeError` for requests the
 * Fetch API cannot represent (e.g. a `CONNECT`).
 */
export function toWebRequest(req: NodeRequestLike, https: boolean): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const scheme = https ? 'https' : 'http';
  let url: URL;
  try {
    url = new URL(req.originalUrl ?? req.url ?? '/', `${scheme}://${req.headers.host ?? 'localhost'}`);
  } catch {
    // A Host header URL cannot hold: the checks still run, against a neutral origin.
    url = new URL(req.originalUrl ?? req.url ?? '/', `${scheme}://localhost`);
  }
  return new Request(url, { method: req.method ?? 'GET', headers });
}

export function nodeHeaderTarget(res: Pick<NodeResponseLike, 'hasHeader' | 'setHeader' | 'removeHeader'>): HeaderTarget {
  return {
    has: (name) => res.hasHeader(name),
    set: (name, value) => void res.setHeader(name, value),
    delete: (name) => res.removeHeader(name),
  };
}

/** Writes a finished Web `Response` (a refusal) to a Node response. */
export async function sendWebResponse(res: NodeResponseLike, response: Response): Promise<void> {
  const body = await response.text();
  res.statusCode = response.status;
  // Set by the framework before the security middleware ran (Express's X-Powered-By).
  for (const name of ['x-powered-by', 'server']) res.removeHeader(name);
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.end(body);
}
