import { chmodSync, existsSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { WebMCPConfigError } from '../errors.js';
import { createStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { parseMasterKey } from '../security/keyring/master-key.js';
import type { ResolvedGatewayConfig } from './config/resolve.js';
import type { Logger } from './logger.js';

export interface OpenedStore {
  store: Store;
  /** The master key wrapping key material at rest (32 bytes). */
  masterKey: Uint8Array;
}

/**
 * Opens the configured store (running its migrations) and settles the master key:
 * `WEBMCP_MASTER_KEY` when given; else, for SQLite, a key file beside the database created with
 * mode 0600 (with a warning, since a key next to the data it protects only guards copies of the
 * database alone); PostgreSQL requires the variable; the memory store gets a random one.
 */
export async function openStore(
  config: Pick<ResolvedGatewayConfig, 'store' | 'baseDir'>,
  options: { masterKey?: Uint8Array | string | undefined; logger?: Pick<Logger, 'warn'> } = {},
): Promise<OpenedStore> {
  const masterKey = resolveMasterKey(config.store, options.masterKey, options.logger);
  const store = await createStore(config.store, { baseDir: config.baseDir });
  return { store, masterKey };
}

/** The key file used beside a SQLite database when `WEBMCP_MASTER_KEY` is absent. */
export function masterKeyFileFor(dbPath: string): string {
  return `${dbPath}.master-key`;
}

function resolveMasterKey(
  spec: ResolvedGatewayConfig['store'],
  given: Uint8Array | string | undefined,
  logger: Pick<Logger, 'warn'> | undefined,
): Uint8Array {
  if (given !== undefined && given !== '') return parseMasterKey(given, 'WEBMCP_MASTER_KEY');
  if (spec === 'memory' || spec === 'sqlite::memory:') return new Uint8Array(randomBytes(32));
  if (typeof spec !== 'string') {
    throw new WebMCPConfigError('WEBMCP_MASTER_KEY', 'is required with the PostgreSQL store (base64url, 32 bytes)');
  }
  const file = masterKeyFileFor(spec.slice('sqlite:'.length));
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) {
      logger?.warn({ file }, 'master key file is readable by other users; tightening it to mode 0600');
      chmodSync(file, 0o600);
    }
    return parseMasterKey(readFileSync(file, 'utf8').trim(), file);
  }
  const key = randomBytes(32);
  // 'wx': never overwrite a key another process created a moment ago.
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return parseMasterKey(readFileSync(file, 'utf8').trim(), file);
    throw new WebMCPConfigError('store', `cannot create the master key file ${file}`, { cause: error });
  }
  try {
    writeSync(fd, key.toString('base64url') + '\n');
  } finally {
    closeSync(fd);
  }
  logger?.warn(
    { file },
    'WEBMCP_MASTER_KEY is not set: created a master key file beside the database (mode 0600); set WEBMCP_MASTER_KEY in production',
  );
  return new Uint8Array(key);
}
