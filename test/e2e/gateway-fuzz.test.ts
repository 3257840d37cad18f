/**
 * Attack catalogue, part 4: 500 generated bad inputs (wrong types, huge and deeply nested bodies,
 * prototype keys, invalid UTF-8, wrong content types, XSS strings, malformed JSON, bad query
 * strings and credentials) against `webmcp serve`. Every answer is a 4xx problem+json (OAuth
 * endpoints: RFC 6749 JSON), never a 5xx, never a stack trace, always with the security headers.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecurityHeaders, startGateway, startUpstream, type Gateway, type Upstream } from './gateway-harness.js';

let gw: Gateway;
let upstream: Upstream;
let agentToken: string;
let adminToken: string;

beforeAll(async () => {
  upstream = await startUpstream();
  // A generous budget: this suite is about input handling, not rate limits.
  gw = await startGateway({ upstream, security: { rateLimit: { windowMs: 60_000, maxRequests: 100_000 } } });
  agentToken = (await gw.token((await gw.createKey('agent')).key)).access_token;
  adminToken = (await gw.token((await gw.createKey('admin')).key)).access_token;
}, 60_000);

afterAll(async () => {
  await gw?.cleanup();
  await upstream?.close();
});

interface BadRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

const XSS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "javascript:alert('x')",
  '<svg/onload=alert(1)>',
  '{{constructor.constructor("alert(1)")()}}',
  '\u0000\u202e<iframe src=//evil.example>',
];

const JSON_TARGETS = ['/webmcp/analyze', '/webmcp/actions/login/LOG_IN', '/admin/api/keys'];
const enc = (s: string) => new TextEncoder().encode(s);
const bearer = (admin: boolean) => ({ authorization: `Bearer ${admin ? adminToken : agentToken}` });
const json = { 'content-type': 'application/json' };

function nested(depth: number, leaf: string): string {
  return '['.repeat(depth) + leaf + ']'.repeat(depth);
}

function protoPayload(key: string, depth: number): string {
  let inner = `{"${key}":{"polluted":true}}`;
  for (let i = 0; i < depth; i++) inner = `{"a${i}":${inner}}`;
  return inner;
}

/** Inserts bytes that are never valid UTF-8 into an otherwise fine body. */
function breakUtf8(text: string, at: number, bytes: readonly number[]): Uint8Array {
  const raw = enc(text);
  const i = Math.min(at, raw.length);
  return new Uint8Array([...raw.subarray(0, i), ...bytes, ...raw.subarray(i)]);
}

const target = fc.constantFrom(...JSON_TARGETS);
const anyJson = fc.jsonValue({ maxDepth: 3 });

const generators: fc.Arbitrary<BadRequest>[] = [
  // Deep nesting, JSON endpoints and the JSON token endpoint.
  fc.record({ path: fc.constantFrom(...JSON_TARGETS, '/webmcp/token'), depth: fc.integer({ min: 65, max: 400 }) }).map(({ path, depth }) => ({
    kind: 'deep',
    method: 'POST',
    path,
    headers: { ...json, ...bearer(path === '/admin/api/keys') },
    body: enc(path === '/webmcp/token' ? `{"grant_type":${nested(depth, '1')}}` : nested(depth, '"x"')),
  })),
  // Prototype-pollution keys at any depth.
  fc.record({ path: target, key: fc.constantFrom('__proto__', 'constructor', 'prototype'), depth: fc.integer({ min: 0, max: 10 }) }).map(({ path, key, depth }) => ({
    kind: 'proto',
    method: 'POST',
    path,
    headers: { ...json, ...bearer(path === '/admin/api/keys') },
    body: enc(protoPayload(key, depth)),
  })),
  // Invalid UTF-8 (lone continuation bytes, overlong forms, surrogates, truncated sequences).
  fc
    .record({
      path: fc.constantFrom(...JSON_TARGETS, '/webmcp/token'),
      at: fc.integer({ min: 0, max: 40 }),
      bytes: fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]),
    })
    .map(({ path, at, bytes }) => ({
      kind: 'utf8',
      method: 'POST',
      path,
      headers: (path === '/webmcp/token'
        ? { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': 'wmk_x.' + 'A'.repeat(43) }
        : { ...json, ...bearer(path === '/admin/api/keys') }) as Record<string, string>,
      body: breakUtf8(path === '/webmcp/token' ? 'grant_type=client_credentials&scope=webmcp%3Aread' : '{"html":"<p>hi</p>","url":"https://x.example","EMAIL":"a@b.c"}', at, bytes),
    })),
  // Wrong content types with a well-formed body.
  fc
    .record({
      path: fc.constantFrom(...JSON_TARGETS, '/webmcp/token', '/webmcp/revoke'),
      type: fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'text/html', ''),
    })
    .map(({ path, type }) => ({
      kind: 'content-type',
      method: 'POST',
      path,
      headers: { ...(type ? { 'content-type': type } : {}), ...bearer(path === '/admin/api/keys') },
      body: enc('{"grant_type":"client_credentials","html":"<p>","url":"https://x.example","token":"x"}'),
    })),
  // Wrong types for the fields the endpoints expect.
  fc.record({ value: anyJson.filter((v) => typeof v !== 'string') }).map(({ value }) => ({
    kind: 'types-analyze',
    method: 'POST',
    path: '/webmcp/analyze',
    headers: { ...json, ...bearer(false) },
    body: enc(JSON.stringify({ html: value, url: 'https://x.example' })),
  })),
  fc
    .record({ email: anyJson.filter((v) => typeof v !== 'string' && v !== null), other: fc.constantFrom('PASSWORD', 'REMEMBER') })
    .map(({ email, other }) => ({
      kind: 'types-action',
      method: 'POST',
      path: '/webmcp/actions/login/LOG_IN',
      headers: { ...json, ...bearer(false) },
      body: enc(JSON.stringify({ EMAIL: email, [other]: email })),
    })),
  fc.record({ body: anyJson.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)) }).map(({ body }) => ({
    kind: 'not-object',
    method: 'POST',
    path: '/webmcp/actions/login/LOG_IN',
    headers: { ...json, ...bearer(false) },
    body: enc(JSON.stringify(body)),
  })),
  // XSS strings as param names and values, and as admin key fields.
  fc.record({ xss: fc.constantFrom(...XSS), asName: fc.boolean() }).map(({ xss, asName }) => ({
    kind: 'xss-action',
    method: 'POST',
    path: '/webmcp/actions/login/LOG_IN',
    headers: { ...json, ...bearer(false) },
    body: enc(JSON.stringify(asName ? { [xss]: 'x' } : { EMAIL: xss, PASSWORD: xss })),
  })),
  fc.record({ xss: fc.constantFrom(...XSS) }).map(({ xss }) => ({
    kind: 'xss-admin',
    method: 'POST',
    path: '/admin/api/keys',
    headers: { ...json, ...bearer(true) },
    body: enc(JSON.stringify({ name: 'ok', role: xss })),
  })),
  fc.record({ xss: fc.constantFrom(...XSS) }).map(({ xss }) => ({
    kind: 'xss-analyze-url',
    method: 'POST',
    path: '/webmcp/analyze',
    headers: { ...json, ...bearer(false) },
    body: enc(JSON.stringify({ html: xss, url: xss })),
  })),
  // Malformed JSON.
  fc.record({ path: target, text: fc.constantFrom('{', '{"a":', '[1,2', '{"a":1,}', "{'a':1}", 'NaN', '{"a":undefined}', '\u0000', '{"a":"\\x41"}') }).map(({ path, text }) => ({
    kind: 'malformed',
    method: 'POST',
    path,
    headers: { ...json, ...bearer(path === '/admin/api/keys') },
    body: enc(text),
  })),
  // Bad query strings on the audit API.
  fc.record({ q: fc.constantFrom('limit=-1', 'limit=abc', 'limit=0', 'limit=100000', 'after=-5', 'after=1e99', 'limit=1.5', 'after=%00', 'limit=99999999999999999999') }).map(({ q }) => ({
    kind: 'query',
    method: 'GET',
    path: `/webmcp/audit?${q}`,
    headers: bearer(true),
  })),
  // Broken credentials.
  fc
    .record({
      auth: fc.constantFrom('Bearer', 'Bearer ', 'Bearer a.b', 'Bearer ' + 'x'.repeat(9000), 'Basic !!!', 'Digest foo', 'bearer ..', 'Bearer <script>'),
      path: fc.constantFrom('/webmcp/pages', '/webmcp/audit', '/webmcp/analyze'),
    })
    .map(({ auth, path }) => ({ kind: 'credentials', method: 'GET', path, headers: { authorization: auth } })),
  // Token endpoint: wrong grant, missing or broken fields, XSS in scope.
  fc
    .record({
      params: fc.constantFrom(
        'grant_type=password&username=a&password=b',
        'grant_type=client_credentials&scope=%3Cscript%3E',
        'grant_type=client_credentials&scope=webmcp:admin',
        'grant_type=refresh_token',
        'grant_type=refresh_token&refresh_token=%3Cimg%20src%3Dx%3E',
        'grant_type=client_credentials&grant_type=refresh_token',
        '__proto__=1&grant_type=client_credentials',
        'grant_type=%E0%A4%A',
      ),
    })
    .map(({ params }) => ({
      kind: 'token',
      method: 'POST',
      path: '/webmcp/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: enc(params),
    })),
  // Unknown paths and methods.
  fc.record({ path: fc.constantFrom('/webmcp/pages/%E0%A4%A', '/webmcp/actions/login', '/../../etc/passwd', '/webmcp/pages/<script>', '/admin/api/keys/x/explode'), method: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH') }).map(
    ({ path, method }) => ({ kind: 'paths', method, path, headers: bearer(true) }),
  ),
];

describe('500 generated bad inputs', () => {
  it('all get a 4xx problem (or RFC 6749 error), never a 5xx or a stack trace', async () => {
    const requests = fc.sample(fc.oneof(...generators), { numRuns: 490, seed: 20260101 });
    // Ten bodies over the 1 MiB limit, declared and streamed.
    for (let i = 0; i < 10; i++) {
      requests.push({
        kind: 'huge',
        method: 'POST',
        path: JSON_TARGETS[i % JSON_TARGETS.length]!,
        headers: { ...json, ...bearer(i % 3 === 2) },
        body: enc(`{"html":"${'a'.repeat(1024 * 1024 + 10 * i)}","url":"https://x.example"}`),
      });
    }
    expect(requests.length).toBe(500);

    const failures: string[] = [];
    const kinds = new Map<string, number>();
    const queue = [...requests];
    async function worker(): Promise<void> {
      for (let req = queue.shift(); req; req = queue.shift()) {
        kinds.set(req.kind, (kinds.get(req.kind) ?? 0) + 1);
        const res = await gw.fetch(req.path, { method: req.method, headers: req.headers, body: req.body as BodyInit | undefined });
        const text = await res.text();
        const type = res.headers.get('content-type') ?? '';
        const oauth = req.path === '/webmcp/token' || req.path === '/webmcp/revoke';
        const problems: string[] = [];
        if (res.status < 400 || res.status >= 500) problems.push(`status ${res.status}`);
        if (type !== 'application/problem+json' && !(oauth && type === 'application/json' && /"error":"[a-z_]+"/.test(text))) problems.push(`type ${type}`);
        if (/\bat [\w.<>]+ \(|node:internal|\/src\/|\.ts:\d+/.test(text)) problems.push('stack trace');
        if (/<script|<img|<svg|<iframe/i.test(text)) problems.push('reflected markup');
        const missing = expectSecurityHeaders(res);
        if (missing.length) problems.push(`headers ${missing.join(',')}`);
        if (problems.length) failures.push(`${req.kind} ${req.method} ${req.path}: ${problems.join('; ')} ${text.slice(0, 120)}`);
      }
    }
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(failures).toEqual([]);
    // Every generator family was exercised.
    expect(kinds.size).toBeGreaterThanOrEqual(15);
    // The gateway is still healthy afterwards.
    expect((await gw.fetch('/healthz')).status).toBe(200);
  });
});
