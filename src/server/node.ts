import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { getRequestListener } from '@hono/node-server';
import type { ConnectionInfo } from './context.js';
import { attachBodySource, type BodySource } from './http/body.js';
import { HttpError } from './http/problem.js';

/** What the Node adapter serves: anything with a Web-standard `fetch`. */
export interface FetchApp {
  fetch(request: Request, info?: ConnectionInfo): Promise<Response>;
  /** Answer for requests Node could parse but not turn into a `Request` (bad Host, bad target). */
  malformedRequest?(): Response;
}

export interface ListenOptions {
  host: string;
  port: number;
  /** PEM certificate and key: serve HTTPS, TLS 1.3 only. */
  tls?: { cert: string; key: string } | null;
  /** How long `close()` waits for in-flight requests before cutting connections. */
  drainTimeoutMs?: number;
}

export interface NodeServer {
  readonly server: Server;
  /** `http://127.0.0.1:8080` — the address actually bound (port 0 resolved). */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, waits for in-flight requests (up to the drain timeout), then closes. */
  close(): Promise<void>;
}

/**
 * The Node adapter: the only place that touches `node:http`/`node:https`. Converts Node's
 * request into a Web `Request` (via @hono/node-server's listener) and passes the socket's peer
 * address and TLS state alongside.
 */
export async function listen(app: FetchApp, options: ListenOptions): Promise<NodeServer> {
  let inFlight = 0;
  let drained: (() => void) | null = null;

  const listener = getRequestListener(
    (request, env) => {
      const incoming = env.incoming as IncomingMessage;
      const socket = incoming.socket as TLSSocket | undefined;
      if (incoming.method !== 'GET' && incoming.method !== 'HEAD') attachBodySource(request, incomingBody(incoming));
      return app.fetch(request, { remoteAddress: socket?.remoteAddress, secure: socket?.encrypted === true });
    },
    {
      // Requests Node accepted but that cannot become a Web Request (e.g. a bad Host header).
      errorHandler: () => app.malformedRequest?.() ?? new Response(null, { status: 400 }),
    },
  );

  const handler = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    inFlight++;
    outgoing.once('close', () => {
      inFlight--;
      if (inFlight === 0 && drained) drained();
    });
    void listener(incoming, outgoing);
  };

  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.3' }, handler)
    : createHttpServer(handler);
  // Slow-loris protection: whole request within 30 s, headers within 10 s.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${options.tls ? 'https' : 'http'}://${hostForUrl}:${address.port}`;

  let closing: Promise<void> | null = null;
  return {
    server,
    url,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const closed = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        const idle = inFlight === 0 ? Promise.resolve() : new Promise<void>((done) => (drained = done));
        const timeout = new Promise<void>((done) => setTimeout(done, options.drainTimeoutMs ?? 10_000).unref());
        void Promise.race([idle, timeout]).then(async () => {
          server.closeAllConnections();
          await closed;
          resolve();
        });
      });
      return closing;
    },
  };
}

/**
 * Reads the body straight from Node's request stream. The Web `ReadableStream` route (what
 * `request.body` gives) costs more than the rest of a small JSON request; this is only used
 * while nobody has started reading that stream.
 */
function incomingBody(incoming: IncomingMessage): BodySource {
  return (limit, tooLarge) => {
    if (incoming.readableFlowing !== null || incoming.readableEnded) return null;
    return new Promise<Uint8Array>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let total = 0;
      const stop = () => {
        incoming.off('data', onData);
        incoming.off('end', onEnd);
        incoming.off('error', onError);
        incoming.off('close', onClose);
      };
      const onData = (chunk: Buffer) => {
        total += chunk.length;
        if (total > limit) {
          stop();
          incoming.destroy(); // as cancelling the Web stream does: no point reading the rest
          reject(tooLarge());
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        stop();
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
      };
      const onError = (error: Error) => {
        stop();
        reject(new HttpError(400, 'invalid-request', 'the request body could not be read', { cause: error }));
      };
      const onClose = () => {
        stop();
        reject(new HttpError(400, 'invalid-request', 'the request body ended early'));
      };
      incoming.on('data', onData);
      incoming.once('end', onEnd);
      incoming.once('error', onError);
      incoming.once('close', onClose);
    });
  };
}
