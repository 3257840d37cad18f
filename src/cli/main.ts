import { WebMCPConfigError } from '../errors.js';
import { UsageError, type CliCommand, type CliIO } from './command.js';

/** Commands load lazily so `webmcp analyze` never pays for the server or the browser. */
const COMMANDS: Record<string, () => Promise<{ default: CliCommand }>> = {
  analyze: () => import('./commands/analyze.js'),
  serve: () => import('./commands/serve.js'),
  keys: () => import('./commands/keys.js'),
  secret: () => import('./commands/secret.js'),
  audit: () => import('./commands/audit.js'),
  mcp: () => import('./commands/mcp.js'),
  bench: () => import('./commands/bench.js'),
};

const HELP = `webmcp — describe web pages for AI agents, and serve them through a hardened gateway

usage: webmcp <command> [options]   (webmcp <command> --help for details)

commands:
`;

async function loadCommand(name: string): Promise<CliCommand | null> {
  const load = COMMANDS[name];
  if (!load) return null;
  return (await load()).default;
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const args = argv.filter((a) => a !== '--debug');
  const [name, ...rest] = args;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      const lines: string[] = [];
      for (const cmd of Object.keys(COMMANDS)) {
        const c = await loadCommand(cmd).catch(() => null);
        if (c) lines.push(`  ${cmd.padEnd(9)} ${c.summary}`);
      }
      io.stdout.write(HELP + lines.join('\n') + '\n');
      return name ? 0 : 2;
    }
    if (name === '--version' || name === '-v') {
      const { packageVersion } = await import('../package-info.js');
      io.stdout.write(packageVersion() + '\n');
      return 0;
    }
    const command = await loadCommand(name);
    if (!command) throw new UsageError(`unknown command "${name}" (try: webmcp --help)`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(command.usage.trimEnd() + '\n');
      return 0;
    }
    return await command.run(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

/** One clear line on stderr; the stack only with --debug. */
export function reportError(err: unknown, io: CliIO): number {
  const code = err instanceof UsageError || err instanceof WebMCPConfigError ? 2 : 1;
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`webmcp: ${oneLine(message)}\n`);
  if (io.debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
  return code;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').slice(0, 500);
}
