import { existsSync, mkdtempSync, readFileSync, statSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebMCPConfigError } from '../errors.js';
import { masterKeyFileFor, openStore } from './store.js';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'webmcp-store-'));
}

describe('openStore', () => {
  it('creates a 0600 master key file beside the SQLite database, warns, and reuses it', async () => {
    const base = dir();
    const db = join(base, 'gw.db');
    const warnings: string[] = [];
    const logger = { warn: (_o: object, msg?: string) => void warnings.push(msg ?? '') };
    const first = await openStore({ store: `sqlite:${db}`, baseDir: base }, { logger });
    await first.store.close();
    const file = masterKeyFileFor(db);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings.join(' ')).toContain('WEBMCP_MASTER_KEY is not set');
    expect(readFileSync(file, 'utf8').trim()).toBe(Buffer.from(first.masterKey).toString('base64url'));
    const second = await openStore({ store: `sqlite:${db}`, baseDir: base }, { logger });
    await second.store.close();
    expect(Buffer.from(second.masterKey).equals(Buffer.from(first.masterKey))).toBe(true);
  });

  it('tightens a key file others can read', async () => {
    const base = dir();
    const db = join(base, 'gw.db');
    await (await openStore({ store: `sqlite:${db}`, baseDir: base }, { logger: { warn: () => undefined } })).store.close();
    chmodSync(masterKeyFileFor(db), 0o644);
    const again = await openStore({ store: `sqlite:${db}`, baseDir: base }, { logger: { warn: () => undefined } });
    await again.store.close();
    expect(statSync(masterKeyFileFor(db)).mode & 0o777).toBe(0o600);
  });

  it('uses WEBMCP_MASTER_KEY when given and creates no file', async () => {
    const base = dir();
    const db = join(base, 'gw.db');
    const key = randomBytes(32);
    const opened = await openStore({ store: `sqlite:${db}`, baseDir: base }, { masterKey: key.toString('base64url') });
    await opened.store.close();
    expect(Buffer.from(opened.masterKey).equals(key)).toBe(true);
    expect(existsSync(masterKeyFileFor(db))).toBe(false);
  });

  it('refuses a malformed master key, and PostgreSQL without one, naming WEBMCP_MASTER_KEY', async () => {
    const base = dir();
    await expect(openStore({ store: `sqlite:${join(base, 'x.db')}`, baseDir: base }, { masterKey: 'too-short' })).rejects.toThrow(WebMCPConfigError);
    await expect(openStore({ store: { redis: 'redis://127.0.0.1:1', postgres: 'postgres://127.0.0.1:1/x' }, baseDir: base })).rejects.toThrow(
      /WEBMCP_MASTER_KEY/,
    );
  });
});
