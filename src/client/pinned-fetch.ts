import { createHash, X509Certificate } from 'node:crypto';
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { WebMCPSecurityError } from '../errors.js';

const PIN = /^sha256\/[A-Za-z0-9+/]{43}=$/;

/** `sha256/<base64 SHA-256 of the certificate's SubjectPublicKeyInfo>`, as `webmcp serve` prints it. */
export function spkiPinOf(cert: X509Certificate): string {
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(spki).digest('base64')}`;
}

/** Checks pin syntax once, at construction (developer misuse is a TypeError). */
export function normalizePins(pins: readonly string[]): Set<string> {
  if (!Array.isArray(pins) || pins.length === 0) throw new TypeError('pins must be a non-empty array of "sha256/<base64>" strings');
  for (const pin of pins) {
    if (typeof pin !== 'string' || !PIN.test(pin)) throw new TypeError('pins must look like "sha256/<base64 of 32 bytes>"');
  }
  return new Set(pins);
}

/**
 * An HTTPS agent whose connections are trusted by pin alone: the TLS handshake completes, the
 * peer's SPKI hash is compared with the pins, and only a matching socket is handed to the HTTP
 * client. A mismatch destroys the socket before a single request byte is written.
 */
class PinnedAgent extends Agent {
  constructor(private readonly pins: Set<string>) {
    // No session resumption: every connection shows its certificate and is checked.
    super({ keepAlive: true, maxCachedSessions: 0 });
  }

  override createConnection(options: ConnectionOptions, callback: (err: Error | null, socket?: Duplex) => void): undefined {
    // The pin replaces CA and hostname checks: that is what makes a pinned self-signed certificate usable.
    const socket: TLSSocket = connect({ ...options, rejectUnauthorized: false, checkServerIdentity: () => undefined });
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      socket.off('error', settle);
      if (err) {
        socket.destroy();
        callback(err);
      } else callback(null, socket);
    };
    socket.once('error', settle);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate();
      const pin = cert ? spkiPinOf(cert) : null;
      settle(pin && this.pins.has(pin) ? null : new WebMCPSecurityError('ERR_TLS_PIN', 'the server certificate matches none of the pinned keys'));
    });
    return undefined;
  }
}

export interface PinnedFetch {
  fetch: typeof fetch;
  /** Closes kept-alive connections. */
  close(): void;
}

/**
 * A `fetch` for `https:` URLs over {@link PinnedAgent}. Supports what the client sends: string,
 * `URLSearchParams` and byte bodies, headers, `signal`; the response body is buffered.
 */
export function createPinnedFetch(pins: readonly string[]): PinnedFetch {
  const agent = new PinnedAgent(normalizePins(pins));
  const pinnedFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.protocol !== 'https:') throw new TypeError('certificate pins need an https: URL');
    const headers = new Headers(init.headers);
    const body = await bodyBytes(init.body, headers);
    if (body) headers.set('content-length', String(body.length));
    const outgoing: Record<string, string> = {};
    headers.forEach((value, name) => (outgoing[name] = value));
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', headers: outgoing, agent, signal: init.signal ?? undefined }, (res) => {
        collect(res).then(
          (bytes) => resolve(toResponse(res, bytes)),
          (err: unknown) => reject(err),
        );
      });
      req.once('error', reject);
      req.end(body);
    });
  };
  return { fetch: pinnedFetch as typeof fetch, close: () => agent.destroy() };
}

async function bodyBytes(body: RequestInit['body'], headers: Headers): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof URLSearchParams) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    return Buffer.from(body.toString(), 'utf8');
  }
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(new Uint8Array(body));
  throw new TypeError('unsupported request body type for a pinned request');
}

function collect(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('end', () => resolve(Buffer.concat(chunks)));
    res.once('error', reject);
  });
}

function toResponse(res: IncomingMessage, bytes: Buffer): Response {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 502;
  const empty = status === 204 || status === 304 || bytes.length === 0;
  return new Response(empty ? null : new Uint8Array(bytes), { status, statusText: res.statusMessage ?? '', headers });
}
