import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMCPProcessor } from '../../src/core/processor.js';

const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
const PAGES = fileURLToPath(new URL('../fixtures/pages/', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

let server: Server;
let base: string;

beforeAll(async () => {
  const login = await readFile(join(PAGES, 'login.html'), 'utf8');
  server = createServer((req, res) => {
    if (req.url === '/login') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(login);
    } else if (req.url === '/latin1') {
      res.writeHead(200, { 'content-type': 'text/html; charset=iso-8859-1' });
      res.end(Buffer.from('<label for=n>Prénom</label><input id=n name=n>', 'latin1'));
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('<p>late</p>'), 5_000);
    } else if (req.url === '/huge') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<p>' + 'x'.repeat(300_000));
    } else if (req.url === '/image') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end('png');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('webmcp analyze', () => {
  it('--json prints the document with the same elements as the API', async () => {
    const file = join(PAGES, 'signup.html');
    const r = await run(['analyze', file, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    const api = await new WebMCPProcessor().process(await readFile(file, 'utf8'));
    expect(doc.elements).toHaveLength(api.elements.length);
    expect(doc.elements.map((e: { name: string }) => e.name)).toEqual(api.elements.map((e) => e.name));
    expect(doc.metadata.tokens.html).toBeGreaterThan(0);
  });

  it('prints the compact view by default, MCP tools and the declaration script on request', async () => {
    const file = join(PAGES, 'login.html');
    const compact = await run(['analyze', file]);
    expect(compact.stdout).toMatch(/^PAGE "Sign in · Acme"/);
    expect(compact.stdout).toContain('FORM LOGIN');
    const mcp = await run(['analyze', file, '--format', 'mcp']);
    expect(JSON.parse(mcp.stdout)[0]).toMatchObject({ name: 'login_sign_in', annotations: { openWorldHint: true } });
    const script = await run(['analyze', file, '--format', 'script']);
    expect(script.stdout).toMatch(/^<script type="application\/webmcp\+json">\n\{/);
  });

  it('reads standard input and URLs (honouring the charset), with --url for relative links', async () => {
    const stdin = await run(['analyze', '-', '--json', '--url', 'https://site.test/a/'], '<a href="b">B</a>');
    expect(JSON.parse(stdin.stdout).elements[0].url).toBe('https://site.test/a/b');
    const url = await run(['analyze', `${base}/login`, '--json']);
    expect(url.code).toBe(0);
    expect(JSON.parse(url.stdout).context.url).toBe(`${base}/login`);
    const latin = await run(['analyze', `${base}/latin1`, '--json']);
    expect(JSON.parse(latin.stdout).elements[0].label).toBe('Prénom');
  });

  it('many inputs: one JSON array, a progress bar on stderr, --out writes a file per page', async () => {
    const files = ['login', 'signup', 'search'].map((n) => join(PAGES, `${n}.html`));
    const r = await run(['analyze', ...files, '--json']);
    expect(r.code).toBe(0);
    const docs = JSON.parse(r.stdout);
    expect(docs.map((d: { source: string }) => d.source)).toEqual(files);
    expect(r.stderr).toContain('3/3');
    const dir = await mkdtemp(join(tmpdir(), 'webmcp-out-'));
    const out = await run(['analyze', ...files, '--out', dir]);
    expect(out.code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['login.txt', 'search.txt', 'signup.txt']);
  });

  it('bad input: one clear line, exit 1 for failures, 2 for usage; other pages still analysed', async () => {
    const missing = await run(['analyze', '/nope/missing.html', join(PAGES, 'login.html'), '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('webmcp: /nope/missing.html: no such file');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    expect(JSON.parse(missing.stdout)).toHaveLength(1);
    for (const [args, code, text] of [
      [['analyze'], 2, 'at least one'],
      [['analyze', 'x.html', '--format', 'yaml'], 2, '--format must be one of'],
      [['analyze', 'x.html', '--max-tokens', '10'], 2, '--max-tokens must be'],
      [['analyze', 'x.html', '--bogus'], 2, 'bogus'],
      [['analyze', `${base}/missing`], 1, 'HTTP 404'],
      [['analyze', `${base}/image`], 1, 'not an HTML page'],
      [['analyze', `${base}/slow`, '--timeout', '300'], 1, 'no answer within 300 ms'],
      [['analyze', `${base}/huge`, '--max-bytes', '1000'], 1, 'larger than 1000 bytes'],
      [['analyze', 'ftp://x/y'], 1, 'only http(s) URLs'],
      [['nonsense'], 2, 'unknown command'],
    ] as Array<[string[], number, string]>) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(text);
    }
  });

  it('a page that declares itself badly gives its JSON path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'webmcp-decl-'));
    const file = join(dir, 'bad.html');
    await writeFile(file, '<script type="application/webmcp+json">{"version":"0.2","elements":[{"selector":"a","role":"nope","name":"A"}]}</script><a href=x>x</a>');
    const r = await run(['analyze', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/elements/0/role');
  });

  it('--scope shows one part; --since shows what changed since an earlier --json document', async () => {
    const file = join(PAGES, 'signup.html');
    const scoped = await run(['analyze', file, '--scope', 'COUNTRY']);
    expect(scoped.code).toBe(0);
    expect(scoped.stdout).toContain('COUNTRY');
    expect(scoped.stdout).not.toContain('PASSWORD1');
    const dir = await mkdtemp(join(tmpdir(), 'webmcp-since-'));
    const before = join(dir, 'before.json');
    await writeFile(before, (await run(['analyze', file, '--json'])).stdout);
    const changed = join(dir, 'signup.html');
    const html = await readFile(file, 'utf8');
    await writeFile(changed, html.replace('<label for="su-phone">Phone</label>', '<label for="su-phone">Mobile phone</label>').replace('</form>', '<label>Promo code <input name="promo"></label></form>'));
    const delta = await run(['analyze', changed, '--since', before]);
    expect(delta.code).toBe(0);
    expect(delta.stdout).toContain('PROMO');
    expect(delta.stdout).toContain('Mobile phone');
    const full = await run(['analyze', changed]);
    expect(delta.stdout.length).toBeLessThan(full.stdout.length);
    const bad = await run(['analyze', changed, '--since', join(PAGES, 'login.html')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since: the file is not JSON');
  });

  it('--help and --version', async () => {
    const help = await run(['analyze', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: webmcp analyze');
    const version = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [BIN, '--version'], (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    expect(version.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
