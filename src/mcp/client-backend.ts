import type { WebMCPClient } from '../client/client.js';
import { charsetOf, decodeHtml } from '../core/encoding.js';
import { WebMCPInputError } from '../errors.js';
import { UNKNOWN_PAGE_URL, type McpBackend } from './server.js';
import type { PageTool } from './tools.js';

const FETCH_TIMEOUT_MS = 15_000;
const MAX_PAGE_BYTES = 5 * 1024 * 1024;
/** Tool lists are re-read at most this often (a list and the call that follows share one read). */
const TOOLS_TTL_MS = 10_000;

/**
 * The stdio bridge's backend: every call goes through {@link WebMCPClient} (tokens, validation,
 * encryption of sensitive fields, pinning). `analyze_page` with a URL fetches the page here, on
 * the agent's machine, as its browser would, then analyses it at the gateway.
 */
export function clientBackend(client: WebMCPClient, fetchPage: typeof fetch = fetch): McpBackend {
  let cached: { at: number; tools: Promise<PageTool[]> } | null = null;
  return {
    fetchesUrls: true,
    tools() {
      if (!cached || Date.now() - cached.at > TOOLS_TTL_MS) {
        const tools = client.tools();
        cached = { at: Date.now(), tools };
        tools.catch(() => {
          // Not kept when it failed: the next list asks again.
          cached = null;
        });
      }
      return cached.tools;
    },
    act: (page, action, args) => client.act(page, action, args),
    async analyze({ html, url }) {
      if (html !== undefined) return client.analyze(html, url ?? UNKNOWN_PAGE_URL);
      const target = parseHttpUrl(url!);
      return client.analyze(await download(fetchPage, target), target.toString());
    },
  };
}

function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new WebMCPInputError('ERR_INPUT', 'url must be an absolute http(s) URL', { cause: error });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new WebMCPInputError('ERR_INPUT', 'url must be an absolute http(s) URL');
  return parsed;
}

async function download(fetchPage: typeof fetch, url: URL): Promise<string> {
  let res: Response;
  try {
    res = await fetchPage(url, { redirect: 'follow', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'text/html,*/*;q=0.5' } });
  } catch (error) {
    throw new WebMCPInputError('ERR_FETCH', 'the page could not be fetched', { cause: error });
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new WebMCPInputError('ERR_FETCH', `the page answered ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_PAGE_BYTES) {
    await res.body?.cancel();
    throw new WebMCPInputError('ERR_INPUT', 'the page is too large');
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length > MAX_PAGE_BYTES) throw new WebMCPInputError('ERR_INPUT', 'the page is too large');
  return decodeHtml(bytes, charsetOf(res.headers.get('content-type')));
}
