import { describe, expect, it } from 'vitest';
import { WebMCPRenderError } from './errors.js';
import { originOf, resolveTarget, SYNTHETIC_URL } from './target.js';

describe('resolveTarget', () => {
  it('accepts http(s) URLs and drops the fragment', () => {
    expect(resolveTarget('https://example.com/a?b#c')).toEqual({ url: 'https://example.com/a?b', origin: 'https://example.com' });
    expect(resolveTarget(new URL('http://127.0.0.1:8080/'))).toEqual({ url: 'http://127.0.0.1:8080/', origin: 'http://127.0.0.1:8080' });
    expect(resolveTarget({ url: 'https://example.com/' }).origin).toBe('https://example.com');
  });

  it('serves given HTML at its URL, or at a synthetic secure origin', () => {
    expect(resolveTarget({ html: '<p>x</p>', url: 'https://shop.example/cart' })).toEqual({ url: 'https://shop.example/cart', origin: 'https://shop.example', html: '<p>x</p>' });
    expect(resolveTarget({ html: '' })).toEqual({ url: SYNTHETIC_URL, origin: 'https://webmcp.invalid', html: '' });
  });

  it('loads files only when asked for by { file }', () => {
    const t = resolveTarget({ file: '/tmp/page.html' });
    expect(t.url).toBe('file:///tmp/page.html');
    expect(t.origin).toBe('null');
  });

  it('refuses other schemes and garbage with a typed error', () => {
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,<p>', 'chrome://settings', 'relative/path', '']) {
      expect(() => resolveTarget(bad)).toThrow(WebMCPRenderError);
    }
    expect(() => resolveTarget({ html: '<p>', url: 'file:///etc/passwd' })).toThrow(WebMCPRenderError);
    expect(() => resolveTarget({} as never)).toThrow(TypeError);
  });

  it('computes origins as browsers compare them', () => {
    expect(originOf('https://a.example:443/x')).toBe('https://a.example');
    expect(originOf('http://a.example:8080/x')).toBe('http://a.example:8080');
    expect(originOf('not a url')).toBe('null');
  });
});
