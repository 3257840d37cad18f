import { describe, expect, it } from 'vitest';
import { charsetOf, decodeHtml as decode, sniffEncoding } from './encoding.js';

const bytes = (s: string, enc: BufferEncoding = 'utf8') => new Uint8Array(Buffer.from(s, enc));

describe('sniffEncoding / decode', () => {
  it('a BOM wins, then the HTTP header charset', () => {
    expect(sniffEncoding(new Uint8Array([0xef, 0xbb, 0xbf, 0x3c]), 'iso-8859-1')).toBe('utf-8');
    expect(sniffEncoding(bytes('<p>Pr\u00e9nom', 'latin1'), 'iso-8859-1')).toBe('iso-8859-1');
    expect(decode(bytes('<p>Pr\u00e9nom', 'latin1'), 'iso-8859-1')).toBe('<p>Prénom');
  });

  it('valid UTF-8 is read as UTF-8 even under a legacy <meta charset> (a re-encoded saved page)', () => {
    const page = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><label>Имя</label>';
    expect(sniffEncoding(bytes(page))).toBe('utf-8');
    expect(decode(bytes(page))).toBe(page);
  });

  it('bytes that are not UTF-8 follow the <meta charset>, else the windows-1252 fallback', () => {
    const cp1251 = Buffer.concat([Buffer.from('<meta charset="windows-1251"><label>'), Buffer.from([0xc8, 0xec, 0xff]), Buffer.from('</label>')]);
    expect(sniffEncoding(new Uint8Array(cp1251))).toBe('windows-1251');
    expect(decode(new Uint8Array(cp1251))).toContain('<label>Имя</label>');
    expect(sniffEncoding(bytes('<p>caf\u00e9', 'latin1'))).toBe('windows-1252');
    expect(decode(bytes('<p>caf\u00e9', 'latin1'))).toBe('<p>café');
  });

  it('reads the charset parameter of a Content-Type header', () => {
    expect(charsetOf('text/html; charset=ISO-8859-1')).toBe('ISO-8859-1');
    expect(charsetOf('text/html;charset="utf-8"')).toBe('utf-8');
    expect(charsetOf('text/html')).toBeUndefined();
    expect(charsetOf(null)).toBeUndefined();
  });
});
