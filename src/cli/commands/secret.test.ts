import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../main.js';
import type { CliIO } from '../command.js';

function io(): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: {},
    cwd: process.cwd(),
    debug: false,
    stopSignal: new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}

describe('webmcp secret', () => {
  it('prints one fresh 256-bit base64url secret', async () => {
    const a = io();
    expect(await runCli(['secret'], a)).toBe(0);
    const line = a.out().trim();
    expect(line).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(line, 'base64url')).toHaveLength(32);
    const b = io();
    await runCli(['secret'], b);
    expect(b.out().trim()).not.toBe(line);
  });

  it('prints --count secrets and refuses a bad count', async () => {
    const a = io();
    expect(await runCli(['secret', '--count', '3'], a)).toBe(0);
    expect(new Set(a.out().trim().split('\n')).size).toBe(3);
    const b = io();
    expect(await runCli(['secret', '--count', '0'], b)).toBe(2);
    expect(b.err()).toContain('--count');
    expect(await runCli(['secret', '--bogus'], io())).toBe(2);
  });
});
