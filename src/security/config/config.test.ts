import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebMCPConfigError } from '../../errors.js';
import { generateSecret, parseDuration, resolveSecurityConfig } from './index.js';

const SECRET = 'k7Qp2vX9sLm4Rt8Wz1Yb6Nc3Hd5Fg0Ja-Ue_Io';

function refusal(input: unknown): WebMCPConfigError {
  try {
    resolveSecurityConfig(input as never);
  } catch (err) {
    expect(err).toBeInstanceOf(WebMCPConfigError);
    return err as WebMCPConfigError;
  }
  throw new Error('expected a WebMCPConfigError');
}

describe('parseDuration', () => {
  it.each([
    [90, 90],
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['30d', 2_592_000],
    ['2w', 1_209_600],
    ['1y', 31_536_000],
    ['1.5h', 5400],
  ])('%s -> %s s', (input, seconds) => expect(parseDuration(input)).toBe(seconds));
  it.each(['', 'abc', '10x', '-5s', '1e3', 'Infinity', null, {}, NaN, Infinity])('refuses %s', (input) =>
    expect(parseDuration(input)).toBeNull(),
  );
});

describe('resolveSecurityConfig defaults', () => {
  it('fills secure defaults and freezes the result', () => {
    const c = resolveSecurityConfig({});
    expect(c.enableCSRF).toBe(true);
    expect(c.csrfTokenExpiry).toBe(3600);
    expect(c.jwt).toMatchObject({ expiresIn: 900, refreshExpiresIn: 2_592_000, issuer: 'webmcp', audience: 'webmcp' });
    expect(c.jwt.scopes).toEqual(['webmcp:read', 'webmcp:write', 'webmcp:admin']);
    expect(c.jwt.algorithm).toBe('ES256');
    expect(c.jwt.keySource).toBe('keyring');
    expect(c.encryption).toEqual({ method: 'jwe', algorithm: 'A256GCM', keyRotationInterval: 2_592_000, gracePeriod: 604_800 });
    expect(c.rateLimit).toEqual({ windowMs: 60_000, maxRequests: 100, skipSuccessfulRequests: false });
    expect(c.httpsOnly).toBe(true);
    expect(c.hsts).toEqual({ maxAge: 31_536_000, includeSubDomains: true, preload: false });
    expect(c.csp.directives['frame-ancestors']).toEqual(["'none'"]);
    expect(c.csp.directives['script-src']).toEqual(["'self'"]);
    expect(c.audit.enabled).toBe(true);
    expect(c.audit.retention).toBe(90);
    expect(c.audit.sensitiveFields).toContain('password');
    expect(c.roles).toEqual({
      reader: ['webmcp:read'],
      agent: ['webmcp:read', 'webmcp:write'],
      admin: ['webmcp:read', 'webmcp:write', 'webmcp:admin'],
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.jwt.scopes)).toBe(true);
    expect(Object.isFrozen(c.csp.directives['script-src'])).toBe(true);
    expect(resolveSecurityConfig(c)).toBe(c);
  });

  it('uses HS256 with a secret, and never prints the secret', () => {
    const c = resolveSecurityConfig({ jwt: { secret: SECRET, expiresIn: '1h' } });
    expect(c.jwt.algorithm).toBe('HS256');
    expect(c.jwt.secret).toBe(SECRET);
    expect(c.jwt.expiresIn).toBe(3600);
    expect(JSON.stringify(c)).not.toContain(SECRET);
  });

  it('derives ES256 / EdDSA from a private key (PEM or JWK)', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ed = generateKeyPairSync('ed25519');
    const pem = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(resolveSecurityConfig({ jwt: { privateKey: pem } }).jwt.algorithm).toBe('ES256');
    const jwk = ed.privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const c = resolveSecurityConfig({ jwt: { privateKey: jwk } });
    expect(c.jwt.algorithm).toBe('EdDSA');
    expect(JSON.stringify(c)).not.toContain(String(jwk.d));
    expect(Object.isFrozen(jwk)).toBe(false);
  });

  it('merges CSP directives (camelCase or kebab-case) and accepts a nonce with unsafe-inline', () => {
    const c = resolveSecurityConfig({
      csp: { directives: { scriptSrc: ["'self'", "'nonce-abc123'", "'unsafe-inline'"], 'img-src': "'self' https://cdn.example", objectSrc: false, upgradeInsecureRequests: true } },
    });
    expect(c.csp.directives['script-src']).toContain("'unsafe-inline'");
    expect(c.csp.directives['img-src']).toEqual(["'self'", 'https://cdn.example']);
    expect(c.csp.directives['object-src']).toBeUndefined();
    expect(c.csp.directives['upgrade-insecure-requests']).toEqual([]);
  });

  it('adds custom roles and sensitive fields', () => {
    const c = resolveSecurityConfig({ roles: { auditor: ['webmcp:admin'] }, audit: { sensitiveFields: ['IBAN'], retention: '30d' } });
    expect(c.roles.auditor).toEqual(['webmcp:admin']);
    expect(c.audit.sensitiveFields).toContain('iban');
    expect(c.audit.retention).toBe(30);
  });

  it('generateSecret gives 256 random bits that the config accepts', () => {
    const a = generateSecret();
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).not.toBe(generateSecret());
    expect(resolveSecurityConfig({ jwt: { secret: a } }).jwt.keySource).toBe('secret');
  });
});

describe('resolveSecurityConfig refusals', () => {
  const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const rsaPem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

  it.each<[string, unknown, string]>([
    ['unknown top-level key', { enableCsrf: true }, 'security.enableCsrf'],
    ['unknown nested key', { jwt: { secrett: SECRET } }, 'security.jwt.secrett'],
    ['unknown key in rateLimit', { rateLimit: { max: 5 } }, 'security.rateLimit.max'],
    ['wrong type', { httpsOnly: 'yes' }, 'security.httpsOnly'],
    ['short secret', { jwt: { secret: 'too-short-secret' } }, 'security.jwt.secret'],
    ['31-byte secret', { jwt: { secret: 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p' } }, 'security.jwt.secret'],
    ['repetitive secret', { jwt: { secret: 'changeme'.repeat(5) } }, 'security.jwt.secret'],
    ['placeholder secret', { jwt: { secret: '${WEBMCP_JWT_SECRET_THAT_IS_LONG_ENOUGH}' } }, 'security.jwt.secret'],
    ['alg none', { jwt: { algorithm: 'none' } }, 'security.jwt.algorithm'],
    ['alg NONE', { jwt: { algorithm: 'NONE' } }, 'security.jwt.algorithm'],
    ['alg RS256', { jwt: { algorithm: 'RS256' } }, 'security.jwt.algorithm'],
    ['alg HS512', { jwt: { secret: SECRET, algorithm: 'HS512' } }, 'security.jwt.algorithm'],
    ['ES256 with a secret', { jwt: { secret: SECRET, algorithm: 'ES256' } }, 'security.jwt.algorithm'],
    ['secret and privateKey', { jwt: { secret: SECRET, privateKey: ecPem } }, 'security.jwt'],
    ['P-384 key', { jwt: { privateKey: ecPem } }, 'security.jwt.privateKey'],
    ['RSA key', { jwt: { privateKey: rsaPem } }, 'security.jwt.privateKey'],
    ['garbage key', { jwt: { privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' } }, 'security.jwt.privateKey'],
    ['public JWK as private key', { jwt: { privateKey: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' } } }, 'security.jwt.privateKey'],
    ['expiresIn 0', { jwt: { expiresIn: 0 } }, 'security.jwt.expiresIn'],
    ['expiresIn negative', { jwt: { expiresIn: -60 } }, 'security.jwt.expiresIn'],
    ['expiresIn under 60 s', { jwt: { expiresIn: '30s' } }, 'security.jwt.expiresIn'],
    ['expiresIn bad unit', { jwt: { expiresIn: '15 minutes' } }, 'security.jwt.expiresIn'],
    ['refreshExpiresIn 0', { jwt: { refreshExpiresIn: 0 } }, 'security.jwt.refreshExpiresIn'],
    ['refresh shorter than access', { jwt: { expiresIn: '1h', refreshExpiresIn: '10m' } }, 'security.jwt.refreshExpiresIn'],
    ['csrfTokenExpiry 0', { csrfTokenExpiry: 0 }, 'security.csrfTokenExpiry'],
    ['csrfTokenExpiry "0s"', { csrfTokenExpiry: '0s' }, 'security.csrfTokenExpiry'],
    ['keyRotationInterval 0', { encryption: { keyRotationInterval: 0 } }, 'security.encryption.keyRotationInterval'],
    ['encryption algorithm', { encryption: { algorithm: 'A128CBC-HS256' } }, 'security.encryption.algorithm'],
    ['encryption method', { encryption: { method: 'aes' } }, 'security.encryption.method'],
    ['maxRequests 0', { rateLimit: { maxRequests: 0 } }, 'security.rateLimit.maxRequests'],
    ['maxRequests negative', { rateLimit: { maxRequests: -1 } }, 'security.rateLimit.maxRequests'],
    ['maxRequests fractional', { rateLimit: { maxRequests: 1.5 } }, 'security.rateLimit.maxRequests'],
    ['windowMs 0', { rateLimit: { windowMs: 0 } }, 'security.rateLimit.windowMs'],
    ['unsafe-inline without nonce', { csp: { directives: { scriptSrc: ["'self'", "'unsafe-inline'"] } } }, 'security.csp.directives.scriptSrc'],
    ['unsafe-inline via default-src', { csp: { directives: { scriptSrc: false, defaultSrc: ["'unsafe-inline'"] } } }, 'security.csp.directives.defaultSrc'],
    ['unsafe-inline in script-src-elem', { csp: { directives: { 'script-src-elem': ["'unsafe-inline'"] } } }, 'security.csp.directives.script-src-elem'],
    ['unsafe-inline in script-src-attr', { csp: { directives: { scriptSrcAttr: ["'unsafe-inline'", "'nonce-x'"] } } }, 'security.csp.directives.scriptSrcAttr'],
    ['unquoted keyword', { csp: { directives: { scriptSrc: ['self'] } } }, 'security.csp.directives.scriptSrc'],
    ['header injection in CSP', { csp: { directives: { imgSrc: ["'self'; script-src *"] } } }, 'security.csp.directives.imgSrc'],
    ['unknown directive', { csp: { directives: { scriptSource: ["'self'"] } } }, 'security.csp.directives.scriptSource'],
    ['preload without a year', { hsts: { maxAge: 3600, preload: true } }, 'security.hsts.preload'],
    ['header CRLF', { headers: { 'X-Test': 'a\r\nSet-Cookie: x=1' } }, 'security.headers.X-Test'],
    ['reserved header', { headers: { 'Set-Cookie': 'x=1' } }, 'security.headers.Set-Cookie'],
    ['retention 0', { audit: { retention: 0 } }, 'security.audit.retention'],
    ['bad logLevel', { audit: { logLevel: 'verbose' } }, 'security.audit.logLevel'],
    ['scope with a space', { jwt: { scopes: ['webmcp:read write'] } }, 'security.jwt.scopes.0'],
    ['role with unknown scope', { roles: { ops: ['ops:all'] } }, 'security.roles.ops'],
    ['redefined role', { roles: { admin: ['webmcp:read'] } }, 'security.roles.admin'],
    ['not an object', 'secure please', 'security'],
  ])('%s', (_name, input, path) => {
    const err = refusal(input);
    expect(err.path).toBe(path);
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.message.startsWith(path)).toBe(true);
  });

  it('never echoes a refused secret', () => {
    const err = refusal({ jwt: { secret: 'short-but-secret' } });
    expect(err.message).not.toContain('short-but-secret');
  });
});
