import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { WebMCPClient } from '../../client/client.js';
import { clientBackend } from '../../mcp/client-backend.js';
import { createMcpServer } from '../../mcp/server.js';
import { VERSION } from '../../mcp/version.js';
import { UsageError, type CliCommand } from '../command.js';

const usage = `usage: webmcp mcp --url BASE_URL --key KEY [--pin sha256/...]... [--scope SCOPES]

Runs a stdio MCP server bridging an agent to a webmcp gateway: every page action the gateway
runs is a tool "<page>_<action>", plus "analyze_page". Sensitive fields are encrypted (JWE) here,
before they leave this machine. stdout carries MCP messages only; diagnostics go to stderr.

options:
  --url URL      the gateway base URL (env WEBMCP_URL)
  --key KEY      API key "key_id.secret" (env WEBMCP_API_KEY keeps it out of the process list)
  --pin PIN      trust the gateway certificate by its SPKI pin (repeatable; https only)
  --scope LIST   scopes to request, comma-separated (default: all the key holds)
`;

const command: CliCommand = {
  summary: 'stdio MCP server bridging an agent to a webmcp gateway',
  usage,
  async run(argv, io) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: { url: { type: 'string' }, key: { type: 'string' }, pin: { type: 'string', multiple: true }, scope: { type: 'string' } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const baseUrl = values.url ?? io.env.WEBMCP_URL;
    const apiKey = values.key ?? io.env.WEBMCP_API_KEY;
    if (!baseUrl) throw new UsageError('--url is required (or set WEBMCP_URL)');
    if (!apiKey) throw new UsageError('--key is required (or set WEBMCP_API_KEY)');
    let client: WebMCPClient;
    try {
      client = new WebMCPClient({
        baseUrl,
        apiKey,
        ...(values.pin ? { pins: values.pin } : {}),
        ...(values.scope ? { scope: values.scope.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
      });
    } catch (error) {
      // Constructor TypeErrors describe bad flags (URL, pins): usage errors, exit 2.
      if (error instanceof TypeError) throw new UsageError(error.message);
      throw error;
    }
    const server = createMcpServer(clientBackend(client), { name: 'webmcp', version: VERSION });
    const transport = new StdioServerTransport(io.stdin as NodeJS.ReadStream, io.stdout as NodeJS.WriteStream);
    const ended = new Promise<void>((resolve) => {
      io.stdin.once('end', resolve);
      io.stdin.once('close', resolve);
      io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
      transport.onclose = resolve;
    });
    await server.connect(transport);
    io.stderr.write(`webmcp mcp: bridging to ${new URL(baseUrl).origin}\n`);
    await ended;
    await server.close();
    await client.close().catch((error: unknown) => {
      // Revoking on the way out is a courtesy; the refresh token expires anyway.
      io.stderr.write(`webmcp mcp: could not revoke the session token (${error instanceof Error ? error.message : String(error)})\n`);
    });
    return 0;
  },
};

export default command;
