// The gateway's POST /mcp with the real MCP SDK client over Streamable HTTP: Bearer auth, tool
// list with schemas and annotations, an action end to end (the sensitive field travels as JWE and
// arrives decrypted at the upstream), tool errors, and what a read-only key sees.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptFor } from '../../src/security/jwe/encrypt-for.js';
import { PASSWORD, recordingFetch, startTestGateway, type TestGateway } from '../client/gateway-fixture.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});

afterAll(async () => {
  await gw?.close();
});

async function token(role: 'reader' | 'agent'): Promise<string> {
  const res = await fetch(`${gw.url}/webmcp/token`, {
    method: 'POST',
    headers: { 'x-api-key': await gw.key(role), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function connect(bearer: string | null, fetchImpl?: typeof fetch): Promise<Client> {
  const client = new Client({ name: 'webmcp-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', gw.url), {
    requestInit: bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {},
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
  await client.connect(transport);
  return client;
}

async function encKey(): Promise<JWK> {
  const { keys } = (await (await fetch(`${gw.url}/.well-known/jwks.json`)).json()) as { keys: (JWK & { use: string })[] };
  return keys.find((k) => k.use === 'enc')!;
}

type ToolText = { content: { type: string; text: string }[]; isError?: boolean };

describe('POST /mcp', () => {
  it('refuses a caller without a Bearer token', async () => {
    await expect(connect(null)).rejects.toThrow(/401|Unauthorized/i);
  });

  it('lists each action as <page>_<action> with its schema and annotations, plus analyze_page', async () => {
    const client = await connect(await token('agent'));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['shop_log_in', 'shop_search_submit', 'analyze_page']);
    const login = tools[0]!;
    expect(login.inputSchema).toMatchObject({ type: 'object', required: ['EMAIL', 'PASSWORD'], properties: { PLAN: { enum: ['free', 'pro'] } } });
    expect((login.inputSchema.properties as Record<string, { description: string }>).PASSWORD!.description).toMatch(/JWE/);
    expect(login.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, openWorldHint: true });
    expect(tools[1]!.annotations).toMatchObject({ readOnlyHint: true });
    expect(tools[2]!.annotations).toMatchObject({ readOnlyHint: true });
    await client.close();
  });

  it('runs an action end to end: JWE on the wire, plaintext only at the upstream', async () => {
    const rec = recordingFetch();
    const client = await connect(await token('agent'), rec.fetch);
    const before = gw.upstream.calls.length;
    const result = (await client.callTool({
      name: 'shop_log_in',
      arguments: { EMAIL: 'mcp@example.com', PASSWORD: await encryptFor(await encKey(), PASSWORD), PLAN: 'pro' },
    })) as ToolText;
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(result.content[0]!.text)).toEqual({ status: 200, body: { ok: true, user: 'mcp@example.com', plan: 'pro' } });
    expect(Object.fromEntries(new URLSearchParams(gw.upstream.calls.slice(before)[0]!.body))).toMatchObject({ email: 'mcp@example.com', password: PASSWORD, plan: 'pro' });
    expect(rec.sent.some((r) => r.body.includes('tools/call'))).toBe(true);
    for (const request of rec.sent) expect(request.body).not.toContain(PASSWORD);
    await client.close();
  });

  it('answers refusals as tool errors with a clear message, forwarding nothing', async () => {
    const client = await connect(await token('agent'));
    const before = gw.upstream.calls.length;
    const plaintext = (await client.callTool({ name: 'shop_log_in', arguments: { EMAIL: 'a@example.com', PASSWORD } })) as ToolText;
    expect(plaintext.isError).toBe(true);
    expect(plaintext.content[0]!.text).toMatch(/sensitive parameter must be sent as JWE/);
    expect(plaintext.content[0]!.text).not.toContain(PASSWORD);
    const unknown = (await client.callTool({ name: 'shop_log_in', arguments: { EMAIL: 'a@example.com', ROLE: 'admin' } })) as ToolText;
    expect(unknown.isError).toBe(true);
    const missing = (await client.callTool({ name: 'shop_delete_everything', arguments: {} })) as ToolText;
    expect(missing).toMatchObject({ isError: true, content: [{ text: 'unknown tool "shop_delete_everything"' }] });
    expect(gw.upstream.calls.length).toBe(before);
    await client.close();
  });

  it('analyze_page describes HTML, and does not fetch URLs server-side', async () => {
    const client = await connect(await token('reader'));
    const analyzed = (await client.callTool({
      name: 'analyze_page',
      arguments: { html: '<title>T</title><form><label>Query <input name="q"></label><button>Find</button></form>', goal: 'search', max_tokens: 200 },
    })) as ToolText;
    expect(analyzed.isError).toBeFalsy();
    expect(analyzed.content[0]!.text).toMatch(/FORM SEARCH\n  QUERY text/);
    const byUrl = (await client.callTool({ name: 'analyze_page', arguments: { url: 'http://169.254.169.254/latest/meta-data/' } })) as ToolText;
    expect(byUrl).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/does not fetch URLs/) }] });
    await client.close();
  });

  it('analyze_page of the same URL with the same token answers with the delta; another token gets the full view', async () => {
    const reader = await token('reader');
    const page = (extra: string) => `<title>T</title><form><label>Query <input name="q"></label>${extra}<button>Find</button></form>`;
    const url = 'https://shop.example/find';
    const ask = async (t: string, html: string) => {
      const client = await connect(t);
      try {
        return ((await client.callTool({ name: 'analyze_page', arguments: { html, url } })) as ToolText).content[0]!.text;
      } finally {
        await client.close();
      }
    };
    const first = await ask(reader, page(''));
    expect(first).toMatch(/^PAGE /);
    const second = await ask(reader, page('<label>Colour <input name="colour"></label>'));
    expect(second).toContain('COLOUR');
    expect(second).not.toMatch(/^PAGE /);
    const other = await ask(await token('reader'), page('<label>Colour <input name="colour"></label>'));
    expect(other).toMatch(/^PAGE /);
  });

  it('a read-only key sees no action tools and cannot call one', async () => {
    const client = await connect(await token('reader'));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['analyze_page']);
    const before = gw.upstream.calls.length;
    const refused = (await client.callTool({ name: 'shop_search_submit', arguments: { SEARCH: 'x' } })) as ToolText;
    expect(refused.isError).toBe(true);
    expect(gw.upstream.calls.length).toBe(before);
    await client.close();
  });
});
