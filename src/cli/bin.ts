#!/usr/bin/env node
import { runCli } from './main.js';

const controller = new AbortController();
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second signal while draining means "stop now".
    if (stopping) process.exit(130);
    stopping = true;
    controller.abort();
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  debug: process.argv.includes('--debug'),
  stopSignal: controller.signal,
});
process.exitCode = code;
