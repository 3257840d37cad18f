import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../package-info.js';
import { UsageError, type CliCommand, type CliIO } from '../command.js';

/** Where `npm run build:bench` puts the runner, or null outside a package checkout. */
export function benchRunnerPath(): string | null {
  const root = packageRoot();
  return root && join(root, 'dist-bench', 'bench', 'run.js');
}

/** Runs the compiled bench runner in a child Node process, streaming its output; resolves to its exit code. */
export function runBenchRunner(runner: string, args: string[], io: CliIO): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [runner, ...args], { cwd: dirname(runner), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(io.stdout, { end: false });
    child.stderr.pipe(io.stderr, { end: false });
    const stop = (): void => {
      child.kill('SIGTERM');
    };
    io.stopSignal.addEventListener('abort', stop, { once: true });
    child.on('error', (err) => {
      io.stopSignal.removeEventListener('abort', stop);
      io.stderr.write(`webmcp: cannot start the bench runner: ${err.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => {
      io.stopSignal.removeEventListener('abort', stop);
      resolve(code ?? (signal ? 130 : 1));
    });
  });
}

/** `webmcp bench` with an explicit runner path (null: not in a package checkout). */
export async function runBench(argv: string[], io: CliIO, runner: string | null): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { only: { type: 'string' }, 'write-docs': { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (!runner || !existsSync(runner)) {
    io.stderr.write('webmcp: the bench runner is not built: run `npm run build:bench` in a source checkout (it needs the dev dependencies)\n');
    return 1;
  }
  const args = [...(values.only !== undefined ? ['--only', values.only] : []), ...(values['write-docs'] ? ['--write-docs'] : [])];
  return runBenchRunner(runner, args, io);
}

const command: CliCommand = {
  summary: 'run the benchmark suite (source checkout; see docs/benchmarks.md)',
  usage: `usage: webmcp bench [--only NAME] [--write-docs]

Runs the benchmarks in bench/ (analyze, security, store, gateway, ... whichever exist), prints
their tables and writes bench/results/latest.json. Needs a source checkout with the dev
dependencies, built first with: npm run build:bench

options:
  --only NAME     run one benchmark (e.g. analyze)
  --write-docs    also update the figures in docs/benchmarks.md
`,
  run: (argv, io) => runBench(argv, io, benchRunnerPath()),
};

export default command;
