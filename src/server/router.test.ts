import { describe, expect, it } from 'vitest';
import { Router, type Method } from './router.js';

interface R {
  method: Method;
  path: string;
  id: string;
}

describe('Router', () => {
  const router = new Router<R>()
    .add({ method: 'GET', path: '/healthz', id: 'health' })
    .add({ method: 'GET', path: '/webmcp/pages/:page', id: 'page' })
    .add({ method: 'POST', path: '/webmcp/actions/:page/:action', id: 'action' });

  it('finds static and parameterised routes', () => {
    expect(router.lookup('GET', '/healthz')).toMatchObject({ kind: 'found', match: { route: { id: 'health' } } });
    const found = router.lookup('POST', '/webmcp/actions/login/LOGIN');
    expect(found.kind === 'found' && found.match.params).toEqual({ page: 'login', action: 'LOGIN' });
  });

  it('serves HEAD from GET routes', () => {
    expect(router.lookup('HEAD', '/healthz').kind).toBe('found');
  });

  it('tells a wrong method from an unknown path', () => {
    expect(router.lookup('POST', '/healthz')).toEqual({ kind: 'method-not-allowed', allow: ['GET'] });
    expect(router.lookup('GET', '/webmcp/actions/a/b')).toEqual({ kind: 'method-not-allowed', allow: ['POST'] });
    expect(router.lookup('GET', '/nope').kind).toBe('not-found');
    expect(router.lookup('GET', '/webmcp/pages/').kind).toBe('not-found');
    expect(router.lookup('GET', '/webmcp/pages/a/b').kind).toBe('not-found');
  });

  it('decodes params and treats malformed escapes as no match', () => {
    const found = router.lookup('GET', '/webmcp/pages/a%20b');
    expect(found.kind === 'found' && found.match.params['page']).toBe('a b');
    expect(router.lookup('GET', '/webmcp/pages/%E0%A4%A').kind).toBe('not-found');
  });
});
