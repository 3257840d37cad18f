import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebMCPConfigError } from '../errors.js';
import { generateSelfSigned, loadTlsFiles, spkiPin } from './tls.js';

describe('self-signed certificates', () => {
  it('makes a certificate for localhost and the given hosts, with its SPKI pin', async () => {
    const material = await generateSelfSigned(['gateway.test']);
    const cert = new X509Certificate(material.cert);
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('DNS:gateway.test');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    const expected = createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    expect(material.pin).toBe(`sha256/${expected}`);
    expect(spkiPin(material.cert)).toBe(material.pin);
  });

  it('loads files and refuses a key that does not belong to the certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webmcp-tls-'));
    const a = await generateSelfSigned([]);
    const b = await generateSelfSigned([]);
    writeFileSync(join(dir, 'cert.pem'), a.cert);
    writeFileSync(join(dir, 'a.key'), a.key);
    writeFileSync(join(dir, 'b.key'), b.key);
    expect(loadTlsFiles({ cert: join(dir, 'cert.pem'), key: join(dir, 'a.key') }).pin).toBe(a.pin);
    expect(() => loadTlsFiles({ cert: join(dir, 'cert.pem'), key: join(dir, 'b.key') })).toThrow(WebMCPConfigError);
    expect(() => loadTlsFiles({ cert: join(dir, 'missing.pem'), key: join(dir, 'a.key') })).toThrow(/tls.cert/);
  });
});
