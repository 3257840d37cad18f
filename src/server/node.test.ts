import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { readBodyBytes } from './http/body.js';
import { problemFor, problemResponse } from './http/problem.js';
import { listen, type NodeServer } from './node.js';

const LIMIT = 64;
let server: NodeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** An app that reads the body with the gateway's reader (optionally after touching the Web body first). */
async function start(options: { touchWebBody?: boolean } = {}): Promise<string> {
  server = await listen(
    {
      async fetch(request) {
        try {
          if (options.touchWebBody) {
            const reader = request.body!.getReader();
            await reader.read();
            reader.releaseLock();
          }
          const bytes = await readBodyBytes(request, LIMIT);
          return Response.json({ length: bytes.byteLength, text: new TextDecoder().decode(bytes) });
        } catch (error) {
          const { problem, headers } = problemFor(error);
          return problemResponse(problem, headers);
        }
      },
    },
    { host: '127.0.0.1', port: 0 },
  );
  return server.url;
}

/** Sends `chunks` with chunked transfer encoding, a few ms apart, and collects the answer. */
function sendChunked(url: string, chunks: string[]): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}/`, { method: 'POST', headers: { 'content-type': 'text/plain' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    let i = 0;
    const next = () => {
      if (i === chunks.length) return void req.end();
      req.write(chunks[i++]!, () => setTimeout(next, 5));
    };
    next();
  });
}

describe('Node adapter body reading', () => {
  it('assembles a body that arrives in several chunks', async () => {
    const url = await start();
    const res = await sendChunked(url, ['{"a":', '"hello', ' world"}']);
    expect(res).toMatchObject({ status: 200 });
    expect(JSON.parse((res as { body: string }).body)).toEqual({ length: 19, text: '{"a":"hello world"}' });
  });

  it('reads a Content-Length body and an empty body', async () => {
    const url = await start();
    const full = await fetch(`${url}/`, { method: 'POST', body: 'x'.repeat(LIMIT) });
    expect(await full.json()).toEqual({ length: LIMIT, text: 'x'.repeat(LIMIT) });
    const empty = await fetch(`${url}/`, { method: 'POST' });
    expect(await empty.json()).toEqual({ length: 0, text: '' });
  });

  it('refuses a declared Content-Length over the limit with 413 before reading', async () => {
    const url = await start();
    const res = await fetch(`${url}/`, { method: 'POST', body: 'x'.repeat(LIMIT + 1) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('never hands a chunked body past the limit to the app (413 or the connection is cut)', async () => {
    const url = await start();
    const res = await sendChunked(url, ['x'.repeat(40), 'y'.repeat(40), 'z'.repeat(40)]);
    if ('status' in res) expect(res.status).toBe(413);
    else expect(res.error).toMatch(/ECONNRESET|EPIPE|socket hang up/);
  });

  it('falls back to the Web stream once something started reading it', async () => {
    const url = await start({ touchWebBody: true });
    const res = await sendChunked(url, ['abc', 'def']);
    expect(res).toMatchObject({ status: 200 });
    // Whatever the first read took, the reader got the rest from the same (Web) stream, never a mix.
    const { text } = JSON.parse((res as { body: string }).body) as { text: string };
    expect('abcdef'.endsWith(text)).toBe(true);
  });
});
