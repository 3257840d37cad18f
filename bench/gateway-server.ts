/**
 * The two servers `bench/gateway.ts` compares, each run in its own process
 * (`node dist-bench/bench/gateway-server.js <gateway-memory|gateway-sqlite|express>`), so the
 * load generator never shares a CPU core's event loop with the server it measures.
 *
 * Both do the same check-and-echo on `POST /bench/echo`: security headers, a per-IP and a
 * per-subject rate limit, an HS256 Bearer token verified (issuer, audience, expiry, scope),
 * CSRF enforced for cookie requests only (so skipped for these Bearer requests), a JSON body
 * parsed with a 1 MiB limit, and the body echoed back as JSON.
 * Prints one JSON line `{ "url", "token" }` on stdout once listening.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';

export const SECRET = 'bench-gateway-secret-0123456789abcdef-0123456789abcdef';

async function startGateway(store: 'memory' | 'sqlite'): Promise<{ url: string; token: string }> {
  const { createGateway } = await import('../src/server/app.js');
  const { listen } = await import('../src/server/node.js');
  const { readJson } = await import('../src/server/http/json.js');
  const { json } = await import('../src/server/route.js');
  const dir = mkdtempSync(join(tmpdir(), 'webmcp-bench-gw-'));
  const gateway = await createGateway(
    {
      security: { jwt: { secret: SECRET }, rateLimit: { windowMs: 60_000, maxRequests: 1_000_000_000 } },
      store: store === 'memory' ? 'memory' : `sqlite:${join(dir, 'bench.db')}`,
      // Everything else as `webmcp serve` defaults it: request logs at info (stderr, which the
      // bench sends to a file), metrics on, admin page on.
    },
    {
      baseDir: dir,
      masterKey: randomBytes(32),
      routes: [
        {
          method: 'POST',
          path: '/bench/echo',
          access: { scope: 'webmcp:read' },
          async handle(ctx, s) {
            return json({ echo: await readJson(ctx.request, s.config.bodyLimit) });
          },
        },
      ],
    },
  );
  const key = await gateway.services.security.apiKeys.create({ name: 'bench', role: 'reader' });
  const server = await listen(gateway, { host: '127.0.0.1', port: 0 });
  const res = await fetch(`${server.url}/webmcp/token`, {
    method: 'POST',
    headers: { 'x-api-key': key.key, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const { access_token } = (await res.json()) as { access_token: string };
  return { url: server.url, token: access_token };
}

async function startExpress(): Promise<{ url: string; token: string }> {
  const { default: express } = await import('express');
  const { default: helmet } = await import('helmet');
  const { rateLimit } = await import('express-rate-limit');
  const { doubleCsrf } = await import('csrf-csrf');
  const { default: cookieParser } = await import('cookie-parser');
  const { default: jwt } = await import('jsonwebtoken');
  type Req = import('express').Request & { auth?: { sub: string; scope: string } };

  const csrfSecret = randomBytes(32).toString('hex');
  const { doubleCsrfProtection } = doubleCsrf({
    getSecret: () => csrfSecret,
    getSessionIdentifier: (req) => (req as Req).auth?.sub ?? '',
    // Bearer requests need no CSRF token, exactly as in the gateway.
    skipCsrfProtection: (req) => (req.headers.authorization ?? '').startsWith('Bearer '),
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  app.use(rateLimit({ windowMs: 60_000, limit: 1_000_000_000, standardHeaders: 'draft-8', legacyHeaders: false }));
  app.use(cookieParser());
  app.use((req: Req, res, next) => {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return void res.status(401).type('application/problem+json').json({ status: 401, title: 'Unauthorized' });
    try {
      const claims = jwt.verify(header.slice(7), SECRET, { algorithms: ['HS256'], issuer: 'webmcp', audience: 'webmcp' }) as { sub: string; scope: string };
      if (!claims.scope.split(' ').includes('webmcp:read')) return void res.status(403).json({ status: 403 });
      req.auth = { sub: claims.sub, scope: claims.scope };
      next();
    } catch {
      // Any verification failure is a 401, as in the gateway.
      res.status(401).type('application/problem+json').json({ status: 401, title: 'Unauthorized' });
    }
  });
  app.use(rateLimit({ windowMs: 60_000, limit: 1_000_000_000, keyGenerator: (req) => (req as Req).auth!.sub, standardHeaders: 'draft-8', legacyHeaders: false }));
  app.use(doubleCsrfProtection);
  app.post('/bench/echo', express.json({ limit: '1mb' }), (req, res) => {
    res.set('cache-control', 'no-store').json({ echo: req.body });
  });
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as import('node:net').AddressInfo;
  const token = jwt.sign({ scope: 'webmcp:read' }, SECRET, { algorithm: 'HS256', issuer: 'webmcp', audience: 'webmcp', subject: 'bench', expiresIn: 900 });
  return { url: `http://127.0.0.1:${port}`, token };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const which = process.argv[2];
  const started =
    which === 'express' ? await startExpress() : which === 'gateway-sqlite' ? await startGateway('sqlite') : await startGateway('memory');
  process.stdout.write(JSON.stringify(started) + '\n');
}
