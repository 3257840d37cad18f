import { describe, expect, it } from 'vitest';
import { clientIp, ipBudget, normalizeIp } from './client-ip.js';
import { rateLimitKey } from './rate-limit.js';

const req = (xff?: string) => new Request('http://127.0.0.1/', { headers: xff ? { 'x-forwarded-for': xff } : {} });

describe('clientIp', () => {
  it('uses the socket address unless trustProxy, ignoring spoofed X-Forwarded-For', () => {
    expect(clientIp(req('1.2.3.4'), { socketAddress: '10.0.0.5' })).toBe('10.0.0.5');
    expect(clientIp(req('1.2.3.4'), { socketAddress: '10.0.0.5', trustProxy: false })).toBe('10.0.0.5');
  });

  it('with trustProxy takes the address the trusted proxy appended (right-most), never a client-supplied one', () => {
    // The client sent "6.6.6.6"; the proxy appended the real peer 198.51.100.20.
    expect(clientIp(req('6.6.6.6, 198.51.100.20'), { socketAddress: '10.0.0.1', trustProxy: true })).toBe('198.51.100.20');
    expect(clientIp(req('6.6.6.6, 198.51.100.20, 10.0.0.2'), { socketAddress: '10.0.0.1', trustProxy: 2 })).toBe('198.51.100.20');
    expect(clientIp(req('garbage'), { socketAddress: '10.0.0.1', trustProxy: true })).toBe('10.0.0.1');
    expect(clientIp(req(), { socketAddress: '10.0.0.1', trustProxy: true })).toBe('10.0.0.1');
  });

  it("answers 'unknown' without an address", () => {
    expect(clientIp(req())).toBe('unknown');
  });
});

describe('normalizeIp and ipBudget', () => {
  it('normalises addresses exactly (for audit) and groups IPv6 by /64 (for budgets)', () => {
    expect(normalizeIp('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeIp('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2:3:4:5:6');
    expect(normalizeIp('[2001:DB8::1]')).toBe('2001:db8:0:0:0:0:0:1');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80:0:0:0:0:0:0:1');
    expect(normalizeIp('::1')).toBe('0:0:0:0:0:0:0:1');
    expect(normalizeIp('::ffff:1.2.3.4'.toUpperCase())).toBe('1.2.3.4');
    expect(normalizeIp('not-an-ip')).toBeNull();
    expect(normalizeIp('')).toBeNull();
    expect(ipBudget('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(ipBudget('2001:db8:1:2::ffff')).toBe('2001:db8:1:2::/64');
    expect(ipBudget('203.0.113.9')).toBe('203.0.113.9');
    expect(ipBudget('unknown')).toBe('unknown');
    expect(rateLimitKey.ip('2001:db8:1:2::1')).toBe(rateLimitKey.ip('2001:db8:1:2:ffff::9'));
    expect(rateLimitKey.ip('2001:db8:1:2::1')).not.toBe(rateLimitKey.ip('2001:db8:1:3::1'));
    // The token endpoint's budget groups the same way: rotating addresses inside a /64 buys no guesses.
    expect(rateLimitKey.tokenIp('2001:db8:1:2::1')).toBe(rateLimitKey.tokenIp('2001:db8:1:2:ffff::9'));
    expect(rateLimitKey.tokenIp('203.0.113.9')).not.toBe(rateLimitKey.ip('203.0.113.9'));
  });
});
