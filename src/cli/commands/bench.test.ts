import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../command.js';
import { runCli } from '../main.js';
import { benchRunnerPath, runBench, runBenchRunner } from './bench.js';

function io(signal = new AbortController().signal): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  return { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: process.cwd(), debug: false, stopSignal: signal, out: () => out, err: () => err };
}

describe('webmcp bench', () => {
  const dir = mkdtemp(join(tmpdir(), 'webmcp-bench-cli-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('looks for the runner in dist-bench of the package checkout', () => {
    expect(benchRunnerPath()).toMatch(/dist-bench[\\/]bench[\\/]run\.js$/);
  });

  it('refuses unknown options with exit code 2', async () => {
    const a = io();
    expect(await runCli(['bench', '--bogus'], a)).toBe(2);
    expect(a.err()).toMatch(/^webmcp: .*bogus.*\n$/);
  });

  it('says in one line how to build the runner when it is missing', async () => {
    const a = io();
    expect(await runBench([], a, join(await dir, 'missing', 'run.js'))).toBe(1);
    expect(a.err()).toBe('webmcp: the bench runner is not built: run `npm run build:bench` in a source checkout (it needs the dev dependencies)\n');
    expect(await runBench([], io(), null)).toBe(1);
  });

  it('passes --only and --write-docs to the runner', async () => {
    const runner = join(await dir, 'echo.js');
    await writeFile(runner, "process.stdout.write(JSON.stringify(process.argv.slice(2)));\n");
    const a = io();
    expect(await runBench(['--write-docs', '--only', 'store'], a, runner)).toBe(0);
    expect(a.out()).toBe('["--only","store","--write-docs"]');
  });

  it('forwards the options, the output and the exit code of the runner', async () => {
    const runner = join(await dir, 'run.js');
    await writeFile(runner, "process.stdout.write('args ' + JSON.stringify(process.argv.slice(2)) + '\\n'); process.stderr.write('progress\\n'); process.exitCode = 3;\n");
    const a = io();
    expect(await runBenchRunner(runner, ['--only', 'analyze', '--write-docs'], a)).toBe(3);
    expect(a.out()).toBe('args ["--only","analyze","--write-docs"]\n');
    expect(a.err()).toBe('progress\n');
  });

  it('stops the runner when asked to stop', async () => {
    const runner = join(await dir, 'slow.js');
    await writeFile(runner, "process.stdout.write('started\\n'); setTimeout(() => {}, 60000);\n");
    const controller = new AbortController();
    const a = io(controller.signal);
    const done = runBenchRunner(runner, [], a);
    await new Promise<void>((resolve) => a.stdout.once('data', () => resolve()));
    controller.abort();
    expect(await done).toBe(130);
  });
});
