import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCookies, readCookie, serializeCookie, MAX_COOKIE_HEADER } from './cookie.js';

describe('serializeCookie', () => {
  it('writes the attributes in a stable order', () => {
    expect(serializeCookie('__Host-webmcp-csrf', 'abc', { httpOnly: true, secure: true, sameSite: 'Strict', path: '/', maxAge: 60 })).toBe(
      '__Host-webmcp-csrf=abc; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Strict',
    );
  });

  it('adds an Expires in the past when deleting', () => {
    expect(serializeCookie('webmcp-session', '', { maxAge: 0, path: '/' })).toContain('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  });

  it('refuses names and values that would need encoding (header injection)', () => {
    expect(() => serializeCookie('a b', 'x')).toThrow(TypeError);
    expect(() => serializeCookie('a', 'x; Domain=evil.example')).toThrow(TypeError);
    expect(() => serializeCookie('a', 'x\r\nSet-Cookie: y=1')).toThrow(TypeError);
    expect(() => serializeCookie('a', 'x', { path: '/;Domain=evil' })).toThrow(TypeError);
  });

  it('enforces the __Host- and __Secure- prefix rules', () => {
    expect(() => serializeCookie('__Host-x', 'v', { path: '/' })).toThrow(/Secure/);
    expect(() => serializeCookie('__Host-x', 'v', { secure: true, path: '/a' })).toThrow(TypeError);
    expect(() => serializeCookie('__Host-x', 'v', { secure: true, path: '/', domain: 'example.com' })).toThrow(TypeError);
    expect(() => serializeCookie('__Secure-x', 'v')).toThrow(TypeError);
    expect(() => serializeCookie('x', 'v', { sameSite: 'None' })).toThrow(TypeError);
  });

  it('round-trips through parseCookies', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), fc.stringMatching(/^[A-Za-z0-9_.~-]{0,60}$/), (name, value) => {
        const header = serializeCookie(name, value, { path: '/' }).split(';')[0]!;
        expect(parseCookies(header)[name]).toBe(value);
      }),
    );
  });
});

describe('parseCookies', () => {
  it('parses pairs, trims, unquotes, and keeps the first occurrence', () => {
    const c = parseCookies(' a=1; b="two" ;a=3; c=');
    expect({ ...c }).toEqual({ a: '1', b: 'two', c: '' });
  });

  it('skips malformed pairs and never pollutes prototypes', () => {
    const c = parseCookies('__proto__=x; constructor=y; =z; novalue; ok=1; bad=a b');
    expect(Object.getPrototypeOf(c)).toBeNull();
    expect(c.ok).toBe('1');
    expect(c.bad).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('ignores absurdly large headers', () => {
    expect(Object.keys(parseCookies(`a=${'x'.repeat(MAX_COOKIE_HEADER)}`))).toHaveLength(0);
  });

  it('never throws, whatever the input', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.constant(null), fc.constant(undefined)), (h) => void parseCookies(h)));
  });

  it('reads one cookie off a Request', () => {
    const r = new Request('http://127.0.0.1/', { headers: { cookie: 'webmcp-csrf=t1; other=2' } });
    expect(readCookie(r, 'webmcp-csrf')).toBe('t1');
    expect(readCookie(r, 'missing')).toBeNull();
  });
});
