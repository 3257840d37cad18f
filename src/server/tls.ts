import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WebMCPConfigError } from '../errors.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** `sha256/<base64 of the SHA-256 of the certificate's SPKI>` (spec section 7). */
  pin: string;
}

/** The certificate pin clients compare against (`sha256/<base64 SPKI SHA-256>`). */
export function spkiPin(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(spki).digest('base64')}`;
}

/** Reads a configured cert/key pair; unreadable or mismatched files are config errors. */
export function loadTlsFiles(files: { cert: string; key: string }): TlsMaterial {
  let cert: string;
  let key: string;
  try {
    cert = readFileSync(files.cert, 'utf8');
  } catch (error) {
    throw new WebMCPConfigError('tls.cert', 'cannot read the certificate file', { cause: error });
  }
  try {
    key = readFileSync(files.key, 'utf8');
  } catch (error) {
    throw new WebMCPConfigError('tls.key', 'cannot read the key file', { cause: error });
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    throw new WebMCPConfigError('tls.cert', 'not a PEM certificate', { cause: error });
  }
  let matches = false;
  try {
    matches = x509.checkPrivateKey(createPrivateKey(key));
  } catch (error) {
    throw new WebMCPConfigError('tls.key', 'not a PEM private key', { cause: error });
  }
  if (!matches) throw new WebMCPConfigError('tls.key', 'the key does not belong to the certificate');
  return { cert, key, pin: spkiPin(cert) };
}

/**
 * A fresh ECDSA P-256 certificate for `hosts` (DNS names and IP addresses), valid for 30 days.
 * The private key only lives in memory: a restart makes a new certificate and a new pin.
 */
export async function generateSelfSigned(hosts: readonly string[]): Promise<TlsMaterial> {
  // Loaded lazily: only self-signed mode pays for the X.509 library.
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts])].map((value) =>
    /^[\d.]+$/.test(value) || value.includes(':') ? { type: 'ip' as const, value } : { type: 'dns' as const, value },
  );
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  serial[0] = serial[0]! & 0x7f; // positive INTEGER
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: 'CN=webmcp gateway',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 30 * 86_400_000),
    keys: keys as unknown as CryptoKeyPair,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.SubjectAlternativeNameExtension(names),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const certPem = cert.toString('pem');
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const keyPem = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }).export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
  return { cert: certPem, key: keyPem, pin: spkiPin(certPem) };
}
