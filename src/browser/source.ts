import type { GatewaySource, PageDescription } from './types.js';

const SCRIPT_TYPE = 'application/webmcp+json';

/** The page's own `<script type="application/webmcp+json">` description, or null when it has none. */
export function readEmbeddedDescription(doc: Document): PageDescription | null {
  const script = doc.querySelector(`script[type="${SCRIPT_TYPE}"]`);
  if (!script) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(script.textContent ?? '');
  } catch (err) {
    throw new Error(`webmcp: the ${SCRIPT_TYPE} script is not valid JSON`, { cause: err });
  }
  return checkDescription(parsed);
}

/** Reads `GET <baseUrl>/webmcp/pages/<page>` with the token, or with the session cookie. */
export async function fetchGatewayDescription(source: GatewaySource, page: string): Promise<PageDescription> {
  const url = `${source.baseUrl.replace(/\/+$/, '')}/webmcp/pages/${encodeURIComponent(page)}`;
  const token = typeof source.token === 'function' ? await source.token() : source.token;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { headers, credentials: token ? 'omit' : 'include' });
  if (!res.ok) throw new Error(`webmcp: the gateway answered ${res.status} for page "${page}"`);
  return checkDescription(await res.json());
}

/** Structural check: the script trusts nothing it has not checked the shape of. */
export function checkDescription(value: unknown): PageDescription {
  const doc = value as PageDescription;
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.elements)) {
    throw new Error('webmcp: the page description has no "elements" list');
  }
  doc.elements.forEach((el, i) => {
    for (const key of ['name', 'role', 'selector'] as const) {
      if (!el || typeof el[key] !== 'string' || !el[key]) {
        throw new Error(`webmcp: elements[${i}].${key} must be a non-empty string`);
      }
    }
  });
  return doc;
}
