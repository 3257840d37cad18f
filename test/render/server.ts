import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = string | ((req: IncomingMessage, res: ServerResponse) => void);

/** A loopback HTTP server for test pages: `routes` maps a path (query ignored) to HTML or a handler. */
export async function servePages(routes: Record<string, Handler>): Promise<{ base: string; origin: string; server: Server; hits: Map<string, number>; close(): Promise<void> }> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const h = routes[path];
    if (h === undefined) {
      res.statusCode = 404;
      res.end('not found');
    } else if (typeof h === 'string') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(h);
    } else h(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    base: origin,
    origin,
    server,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
