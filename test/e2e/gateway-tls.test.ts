/**
 * Transport and start-up checks of `webmcp serve`: TLS 1.3 only with a self-signed certificate
 * and its printed SPKI pin, HSTS on HTTPS, plain HTTP refused off loopback, config errors (exit 2).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startGateway, startUpstream, type Upstream } from './gateway-harness.js';

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream?.close();
});

describe('TLS', () => {
  it('serves TLS 1.3 only with a self-signed certificate whose SPKI pin is printed, and sends HSTS', async () => {
    const gw = await startGateway({ upstream, config: { tls: 'self-signed' } });
    try {
      expect(gw.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const pin = /certificate pin (sha256\/\S+)/.exec(gw.stdout())![1]!;
      const { port } = new URL(gw.url);
      const socket = await new Promise<TLSSocket>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s));
        s.on('error', reject);
      });
      const cert = new X509Certificate(socket.getPeerX509Certificate()!.raw);
      const spki = createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
      expect(pin).toBe(`sha256/${spki}`);
      expect(socket.getProtocol()).toBe('TLSv1.3');
      socket.end();

      const tls12 = await new Promise<string>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false, maxVersion: 'TLSv1.2' }, () => {
          s.end();
          resolve('connected');
        });
        s.on('error', (e) => resolve(e.message));
      });
      expect(tls12).not.toBe('connected');

      const res = await new Promise<{ hsts: string | undefined; status: number }>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false, servername: 'localhost' }, () => {
          s.write(`GET /healthz HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);
        });
        let data = '';
        s.on('data', (c: Buffer) => (data += c.toString()));
        s.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1]), hsts: /strict-transport-security: ([^\r\n]+)/i.exec(data)?.[1] }));
        s.on('error', reject);
      });
      expect(res.status).toBe(200);
      expect(res.hsts).toMatch(/max-age=31536000/);
    } finally {
      await gw.cleanup();
    }
  });

  it('refuses plain HTTP on a non-loopback host while httpsOnly, and bad configs, with exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webmcp-cfg-'));
    try {
      const env = { E2E_SECRET: 'e2e-test-secret-0123456789abcdef-0123456789abcdef' };
      const write = (config: unknown) => writeFileSync(join(dir, 'webmcp.config.json'), JSON.stringify(config));
      write({ security: { jwt: { secret: '${E2E_SECRET}' } }, store: 'memory' });
      const offLoopback = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { cwd: dir, env });
      expect(offLoopback.code).toBe(2);
      expect(offLoopback.stderr).toMatch(/^webmcp: host: plain HTTP/m);

      write({ security: { jwt: { secret: '${E2E_SECRET}' } }, store: 'memory', pagez: {} });
      const unknown = await runCli(['serve', '--port', '0'], { cwd: dir, env });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('pagez: unknown key');

      write({ security: { jwt: { secret: '${NOT_SET_ANYWHERE}' } }, store: 'memory' });
      const missing = await runCli(['serve', '--port', '0'], { cwd: dir, env });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('NOT_SET_ANYWHERE');

      write({ security: { jwt: { secret: 'short' } }, store: 'memory' });
      const weak = await runCli(['serve', '--port', '0'], { cwd: dir, env });
      expect(weak.code).toBe(2);
      expect(weak.stderr).toContain('security.jwt.secret');
      expect(weak.stderr).not.toContain('    at ');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
