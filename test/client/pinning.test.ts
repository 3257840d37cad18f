// Certificate pinning: a gateway on a self-signed TLS 1.3 certificate. The right pin makes the
// client trust it; a wrong pin fails before any request byte reaches the server (checked on a
// TLS server that records every decrypted byte it receives).
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMCPClient } from '../../src/client/index.js';
import { spkiPinOf } from '../../src/client/pinned-fetch.js';
import { generateSelfSigned, spkiPin, type TlsMaterial } from '../../src/server/index.js';
import { X509Certificate } from 'node:crypto';
import { startTestGateway, type TestGateway } from './gateway-fixture.js';

let tls: TlsMaterial;
let gw: TestGateway;
let agentKey: string;
let pin: string;
const WRONG_PIN = `sha256/${Buffer.alloc(32, 7).toString('base64')}`;

/** A TLS 1.3 server with the same certificate that records what each connection sends. */
interface Recorder {
  url: string;
  /** TCP connections accepted. */
  tcp: number;
  /** Secure connections and the request bytes each delivered. */
  connections: { bytes: number; protocol: string | null }[];
  close(): Promise<void>;
}

async function startRecorder(): Promise<Recorder> {
  const connections: Recorder['connections'] = [];
  const server: TlsServer = createTlsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.3' }, (socket: TLSSocket) => {
    const record = { bytes: 0, protocol: socket.getProtocol() };
    connections.push(record);
    socket.on('data', (chunk: Buffer) => {
      record.bytes += chunk.length;
      socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
    });
    socket.on('error', () => {
      // The client hangs up on a pin mismatch: expected, nothing to report.
    });
  });
  const counts = { tcp: 0 };
  server.on('connection', () => counts.tcp++);
  server.on('tlsClientError', () => {
    // The client hanging up right after the handshake (pin mismatch) can surface here: expected.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    get tcp() {
      return counts.tcp;
    },
    connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  tls = await generateSelfSigned(['127.0.0.1', 'localhost']);
  gw = await startTestGateway({ tls: { cert: tls.cert, key: tls.key } });
  agentKey = await gw.key('agent');
  pin = spkiPin(tls.cert);
});

afterAll(async () => {
  await gw?.close();
});

describe('certificate pins', () => {
  it('computes the same pin as `webmcp serve` prints', () => {
    expect(spkiPinOf(new X509Certificate(tls.cert))).toBe(pin);
    expect(pin).toMatch(/^sha256\/[A-Za-z0-9+/]{43}=$/);
  });

  it('trusts the self-signed gateway with the right pin, end to end', async () => {
    expect(gw.url).toMatch(/^https:/);
    const client = new WebMCPClient({ baseUrl: gw.url, apiKey: agentKey, pins: [WRONG_PIN, pin], now: gw.clock.now });
    expect((await client.pages()).map((p) => p.id)).toEqual(['shop']);
    const answer = await client.act('shop', 'LOG_IN', { EMAIL: 'ann@example.com', PASSWORD: 'pinned-password-1' });
    expect(answer.status).toBe(200);
    expect(gw.upstream.calls.at(-1)!.body).toContain('password=pinned-password-1');
    await client.close();
  });

  it('without pins the self-signed certificate is not trusted', async () => {
    const client = new WebMCPClient({ baseUrl: gw.url, apiKey: agentKey });
    await expect(client.pages()).rejects.toThrow();
    await client.close();
  });

  it('a wrong pin fails before any request byte is sent', async () => {
    const recorder = await startRecorder();
    try {
      const wrong = new WebMCPClient({ baseUrl: recorder.url, apiKey: agentKey, pins: [WRONG_PIN] });
      const error = await wrong.pages().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_TLS_PIN' });
      expect((error as Error).message).not.toContain(agentKey);
      await wrong.close();
      // The client connected and shook hands, then hung up without writing a request byte.
      expect(recorder.tcp).toBeGreaterThanOrEqual(1);
      expect(recorder.connections.every((c) => c.bytes === 0)).toBe(true);

      // Control: the same server with the right pin does receive the request.
      const right = new WebMCPClient({ baseUrl: recorder.url, apiKey: agentKey, pins: [pin] });
      await right.discover().catch(() => undefined);
      expect(recorder.connections.at(-1)).toMatchObject({ protocol: 'TLSv1.3', bytes: expect.any(Number) });
      expect(recorder.connections.at(-1)!.bytes).toBeGreaterThan(0);
      await right.close();
    } finally {
      await recorder.close();
    }
  });
});
