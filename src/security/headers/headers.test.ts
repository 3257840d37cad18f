import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveSecurityConfig } from '../config/index.js';
import { applySecurityHeaders, createSecurityHeaders } from './headers.js';

describe('security headers', () => {
  it('sets the locked-down defaults, HSTS only on HTTPS', () => {
    const h = new Headers({ 'X-Powered-By': 'Express', Server: 'nginx/1.2' });
    const nonce = applySecurityHeaders(h, { https: true });
    expect(h.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(h.get('x-content-type-options')).toBe('nosniff');
    expect(h.get('x-frame-options')).toBe('DENY');
    expect(h.get('referrer-policy')).toBe('no-referrer');
    expect(h.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(h.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(h.get('permissions-policy')).toMatch(/(^|, )camera=\(\)/);
    expect(h.get('permissions-policy')).toMatch(/geolocation=\(\)/);
    expect(h.get('cache-control')).toBe('no-store');
    expect(h.has('x-powered-by')).toBe(false);
    expect(h.has('server')).toBe(false);
    const csp = h.get('content-security-policy')!;
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}'`);
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");

    const plain = new Headers({ 'Strict-Transport-Security': 'max-age=1' });
    applySecurityHeaders(plain, { https: false });
    expect(plain.has('strict-transport-security')).toBe(false);
  });

  it('uses a fresh 128-bit nonce per response', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(applySecurityHeaders(new Headers(), { https: false }));
    expect(seen.size).toBe(100);
    for (const n of seen) expect(Buffer.from(n, 'base64')).toHaveLength(16);
  });

  it('keeps a handler-set Cache-Control, overrides weaker security headers', () => {
    const h = new Headers({ 'Cache-Control': 'public, max-age=60', 'X-Frame-Options': 'ALLOWALL' });
    applySecurityHeaders(h, { https: false });
    expect(h.get('cache-control')).toBe('public, max-age=60');
    expect(h.get('x-frame-options')).toBe('DENY');
  });

  it('takes hsts, csp directives and extra headers from options', () => {
    const sh = createSecurityHeaders({
      hsts: { maxAge: 600, includeSubDomains: false, preload: true },
      csp: { directives: { scriptSrc: ["'self'", 'https://cdn.example'], upgradeInsecureRequests: true, formAction: false } },
      headers: { 'X-Extra': 'yes', 'Referrer-Policy': false },
    });
    const h = new Headers();
    const nonce = sh.apply(h, { https: true });
    expect(h.get('strict-transport-security')).toBe('max-age=600; preload');
    const csp = h.get('content-security-policy')!;
    expect(csp).toContain(`script-src 'self' https://cdn.example 'nonce-${nonce}'`);
    expect(csp).toContain('upgrade-insecure-requests');
    expect(csp).not.toContain('form-action');
    expect(h.get('x-extra')).toBe('yes');
    expect(h.has('referrer-policy')).toBe(false);
    expect(() => createSecurityHeaders({ csp: { directives: { scriptSrc: ["'self'; report-uri x"] } } })).toThrow(TypeError);
    expect(() => createSecurityHeaders({ headers: { 'Bad Header': 'x' } })).toThrow(TypeError);
    expect(() => createSecurityHeaders({ headers: { 'X-Evil': 'a\r\nSet-Cookie: x=1' } })).toThrow(TypeError);
  });

  it('takes a resolved security config as is (report-only, dropped directives stay dropped)', () => {
    const config = resolveSecurityConfig({
      jwt: { secret: randomBytes(32).toString('base64url') },
      hsts: { maxAge: 1000 },
      csp: { directives: { frameAncestors: ["'none'"], baseUri: false }, reportOnly: true },
      headers: { 'x-robots-tag': 'noindex' },
    });
    const h = new Headers();
    createSecurityHeaders(config).apply(h, { https: true });
    expect(h.has('content-security-policy')).toBe(false);
    const csp = h.get('content-security-policy-report-only')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('base-uri');
    expect(h.get('strict-transport-security')).toBe('max-age=1000; includeSubDomains');
    expect(h.get('x-robots-tag')).toBe('noindex');
  });
});
