import { describe, expect, it } from 'vitest';
import { HttpError } from './problem.js';
import { decodeUtf8, parseForm, parseMediaType, readBodyBytes, requireContentType } from './body.js';

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request('http://127.0.0.1/x', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

async function status(promise: Promise<unknown> | (() => unknown)): Promise<number | null> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
    return null;
  } catch (error) {
    return error instanceof HttpError ? error.status : -1;
  }
}

describe('readBodyBytes', () => {
  it('reads a body under the limit', async () => {
    const bytes = await readBodyBytes(post('hello'), 10);
    expect(new TextDecoder().decode(bytes)).toBe('hello');
  });

  it('refuses a declared Content-Length over the limit without reading', async () => {
    expect(await status(readBodyBytes(post('x'.repeat(20), { 'content-length': '20' }), 10))).toBe(413);
  });

  it('refuses a streamed body that passes the limit', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(4));
        controller.close();
      },
    });
    expect(await status(readBodyBytes(post(stream), 10))).toBe(413);
  });
});

describe('decodeUtf8', () => {
  it('refuses invalid UTF-8 with 400 instead of replacing it', async () => {
    expect(await status(() => decodeUtf8(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])))).toBe(400);
    expect(await status(() => decodeUtf8(new Uint8Array([0xed, 0xa0, 0x80])))).toBe(400); // lone surrogate
    expect(decodeUtf8(new TextEncoder().encode('héllo ✓'))).toBe('héllo ✓');
  });
});

describe('content types', () => {
  it('parses media types with parameters', () => {
    expect(parseMediaType('Application/JSON; charset="UTF-8"')).toEqual({ essence: 'application/json', params: { charset: 'UTF-8' } });
    expect(parseMediaType('nonsense')).toBeNull();
  });

  it('refuses other types and non-UTF-8 charsets with 415', async () => {
    expect(await status(() => requireContentType(post('{}', { 'content-type': 'text/plain' }), ['application/json']))).toBe(415);
    expect(await status(() => requireContentType(post('{}'), ['application/json']))).toBe(415);
    expect(
      await status(() => requireContentType(post('{}', { 'content-type': 'application/json; charset=latin1' }), ['application/json'])),
    ).toBe(415);
    expect(requireContentType(post('{}', { 'content-type': 'application/json;charset=utf-8' }), ['application/json'])).toBe(
      'application/json',
    );
  });
});

describe('parseForm', () => {
  it('decodes form bodies into a null-prototype record', () => {
    const form = parseForm('grant_type=client_credentials&scope=webmcp%3Aread+webmcp%3Awrite');
    expect(form).toEqual({ grant_type: 'client_credentials', scope: 'webmcp:read webmcp:write' });
    expect(Object.getPrototypeOf(form)).toBeNull();
  });

  it('refuses prototype keys, repeated keys and percent-escapes that are not UTF-8', async () => {
    expect(await status(() => parseForm('__proto__=1'))).toBe(400);
    expect(await status(() => parseForm('a=1&a=2'))).toBe(400);
    expect(await status(() => parseForm('a=%FF'))).toBe(400);
  });
});
