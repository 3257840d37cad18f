import { describe, expect, it } from 'vitest';
import { WebMCPConfigError } from '../../errors.js';
import { resolveGatewayConfig } from './resolve.js';

function refusal(raw: unknown, env: Record<string, string> = {}): WebMCPConfigError {
  try {
    resolveGatewayConfig(raw, { baseDir: '/srv/site', env });
  } catch (error) {
    if (error instanceof WebMCPConfigError) return error;
    throw error;
  }
  throw new Error('expected a config error');
}

describe('resolveGatewayConfig', () => {
  it('applies defaults and resolves paths against the config folder', () => {
    const config = resolveGatewayConfig(
      {
        tls: { cert: 'cert.pem', key: '/etc/key.pem' },
        pages: { login: { html: 'pages/login.html', actions: { LOGIN: { upstream: 'http://127.0.0.1:3000/session' } } } },
      },
      { baseDir: '/srv/site', env: {} },
    );
    expect(config.store).toBe('sqlite:/srv/site/webmcp.db');
    expect(config.tls).toEqual({ cert: '/srv/site/cert.pem', key: '/etc/key.pem', ca: null });
    expect(config.pages['login']!.html).toBe('/srv/site/pages/login.html');
    expect(config.pages['login']!.actions['LOGIN']).toMatchObject({ method: 'POST', timeoutMs: 10_000 });
    expect(config.bodyLimit).toBe(1024 * 1024);
    expect(Object.isFrozen(config.pages['login'])).toBe(true);
  });

  it('substitutes ${NAME} from the environment', () => {
    const config = resolveGatewayConfig(
      { security: { jwt: { secret: '${JWT}' } }, store: 'sqlite:${DB}' },
      { baseDir: '/srv', env: { JWT: 's3cr3t', DB: 'data/x.db' } },
    );
    expect((config.security['jwt'] as { secret: string }).secret).toBe('s3cr3t');
    expect(config.store).toBe('sqlite:/srv/data/x.db');
  });

  it('refuses a missing variable, naming the path but not the value', () => {
    const error = refusal({ security: { jwt: { secret: '${MISSING_SECRET}' } } });
    expect(error.path).toBe('security.jwt.secret');
    expect(error.message).toContain('MISSING_SECRET');
  });

  it('refuses unknown keys and bad values, naming the path', () => {
    expect(refusal({ pagez: {} }).path).toBe('pagez');
    expect(refusal({ pages: { p: { html: 'a.html', extra: 1 } } }).path).toBe('pages.p.extra');
    expect(refusal({ pages: { p: { html: 'a.html', actions: { A: { upstream: 'ftp://x' } } } } }).path).toBe('pages.p.actions.A.upstream');
    expect(refusal({ pages: { p: {} } }).path).toBe('pages.p');
    expect(refusal({ store: 'mysql://x' }).path).toBe('store');
    expect(refusal({ port: 70000 }).path).toBe('port');
    expect(refusal({ sessions: { ttl: 0 } }).path).toBe('sessions.ttl');
    expect(refusal(JSON.parse('{"pages":{"__proto__":{}}}')).path).toBe('pages.__proto__');
  });
});
