import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command.js';
import { assertTransportAllowed, createGateway } from '../../server/app.js';
import { createLogger } from '../../server/logger.js';
import { listen } from '../../server/node.js';
import { loadConfigFrom } from '../../server/state.js';
import { generateSelfSigned, loadTlsFiles, type TlsMaterial } from '../../server/tls.js';

const usage = `usage: webmcp serve [--config webmcp.config.json] [--host 127.0.0.1] [--port 8080]

Starts the gateway: analyses the configured pages, opens the store (SQLite by default) and
serves the HTTP API. Plain HTTP is served only on a loopback host while security.httpsOnly is
true; configure "tls" (cert/key files, or "self-signed") for anything else. SIGINT/SIGTERM
drain in-flight requests and exit.

options:
  --config FILE   config file (default: ./webmcp.config.json)
  --host HOST     address to bind (default: config "host", else 127.0.0.1)
  --port PORT     port to bind, 0 for any free port (default: config "port", else 8080)

environment:
  WEBMCP_MASTER_KEY   base64url 32-byte key wrapping key material at rest (else a key file
                      is created beside the SQLite database, mode 0600)
`;

const command: CliCommand = {
  summary: 'run the gateway (token endpoint, pages, actions, audit, admin page)',
  usage,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    let port: number | undefined;
    if (values.port !== undefined) {
      if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65_535) throw new UsageError('--port must be 0..65535');
      port = Number(values.port);
    }
    const config = loadConfigFrom(values.config, io.cwd, io.env);
    const host = values.host ?? config.host;
    const logger = createLogger(config.logLevel);
    const gateway = await createGateway(config, { logger, masterKey: io.env['WEBMCP_MASTER_KEY'] || undefined });
    let server;
    try {
      assertTransportAllowed(host, config.tls !== null, gateway.services.security.config.httpsOnly);
      let tls: TlsMaterial | null = null;
      if (config.tls === 'self-signed') tls = await generateSelfSigned([host]);
      else if (config.tls) tls = loadTlsFiles(config.tls);
      server = await listen(gateway, { host, port: port ?? config.port, tls });
      // The pin first: whoever waits for "listening" can then read it at once.
      if (tls) io.stdout.write(`webmcp: certificate pin ${tls.pin}\n`);
      io.stdout.write(`webmcp: listening on ${server.url}\n`);
    } catch (error) {
      await gateway.close();
      throw error;
    }
    logger.info({ url: server.url, pages: Object.keys(config.pages).length, store: gateway.services.store.kind }, 'gateway started');

    await new Promise<void>((resolve) => {
      if (io.stopSignal.aborted) resolve();
      else io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
    });
    logger.info('stopping: draining in-flight requests');
    await server.close();
    await gateway.close();
    io.stdout.write('webmcp: stopped\n');
    return 0;
  },
};

export default command;
