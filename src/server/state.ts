import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { WebMCPConfigError } from '../errors.js';
import type { Store } from '../store/types.js';
import { loadGatewayConfig, type ResolvedGatewayConfig } from './config/resolve.js';
import { createLogger, type Logger } from './logger.js';
import { createGatewaySecurity, type GatewaySecurity } from './security.js';
import { openStore } from './store.js';

export const DEFAULT_CONFIG_FILE = 'webmcp.config.json';

/** Finds and loads the config file (`--config`, else `webmcp.config.json` in `cwd`). */
export function loadConfigFrom(path: string | undefined, cwd: string, env: Record<string, string | undefined>): ResolvedGatewayConfig {
  const file = resolve(cwd, path ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    throw new WebMCPConfigError('', `config file ${file} not found${path ? '' : ' (pass --config FILE)'}`);
  }
  return loadGatewayConfig(file, env);
}

export interface GatewayState {
  config: ResolvedGatewayConfig;
  store: Store;
  security: GatewaySecurity;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * The configured store and security instance without serving (for `webmcp keys` and
 * `webmcp audit`): migrations run first, the master key is settled exactly as `serve` does.
 */
export async function openGatewayState(
  path: string | undefined,
  io: { cwd: string; env: Record<string, string | undefined> },
): Promise<GatewayState> {
  const config = loadConfigFrom(path, io.cwd, io.env);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const { store, masterKey } = await openStore(config, { masterKey: io.env['WEBMCP_MASTER_KEY'], logger });
  try {
    const security = await createGatewaySecurity(config, store, masterKey, logger);
    return {
      config,
      store,
      security,
      logger,
      async close() {
        await security.close?.();
        await store.close();
        logger.flush();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
