import { isIP } from 'node:net';

export interface ClientIpOptions {
  /** The TCP peer address (from the socket). */
  socketAddress?: string | null;
  /**
   * Whether to believe `X-Forwarded-For`. `false` (default): the socket address only. `true`:
   * one trusted proxy, so the right-most forwarded address. A number n: n trusted proxies,
   * the n-th address from the right. Left-most entries are client-controlled and never used
   * unless the hop count reaches them.
   */
  trustProxy?: boolean | number;
}

/**
 * Normalises a peer address: brackets and zone ids go, IPv4-mapped IPv6 becomes IPv4, IPv6 is
 * written in full lower-case hextets. Returns null for anything that is not an IP address.
 */
export function normalizeIp(address: string | null | undefined): string | null {
  if (typeof address !== 'string') return null;
  let a = address.trim();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const zone = a.indexOf('%');
  if (zone !== -1) a = a.slice(0, zone);
  const kind = isIP(a);
  if (kind === 4) return a;
  if (kind !== 6) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped && isIP(mapped[1]!) === 4) return mapped[1]!;
  return expandIpv6(a).join(':');
}

/**
 * The rate-limit budget an address belongs to: IPv4 addresses one by one, IPv6 addresses by /64
 * (one subscriber usually holds a whole /64, so per-address budgets would be trivial to rotate).
 * Anything else (e.g. `unknown`) is its own budget.
 */
export function ipBudget(address: string): string {
  const ip = normalizeIp(address);
  if (ip === null) return address;
  return ip.includes(':') ? `${ip.split(':').slice(0, 4).join(':')}::/64` : ip;
}

function expandIpv6(address: string): string[] {
  let text = address.toLowerCase();
  // An embedded IPv4 tail (::1.2.3.4) becomes two hextets.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((h) => parseInt(h, 16).toString(16));
}

/** The client address a request is audited (and, through {@link ipBudget}, rate-limited) under, or `'unknown'`. */
export function clientIp(request: Request, options: ClientIpOptions = {}): string {
  const hops = options.trustProxy === true ? 1 : typeof options.trustProxy === 'number' ? options.trustProxy : 0;
  if (hops > 0) {
    const forwarded = (request.headers.get('x-forwarded-for') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    const pick = forwarded[forwarded.length - hops];
    const ip = normalizeIp(pick);
    if (ip) return ip;
  }
  return normalizeIp(options.socketAddress) ?? 'unknown';
}
