/**
 * The one place the gateway meets `webmcp/security`: it builds the security instance for the
 * config's `security` object over the gateway's store.
 */
import { createSecurity, type Security } from '../security/index.js';
import type { Store } from '../store/types.js';
import type { ResolvedGatewayConfig } from './config/resolve.js';
import type { Logger } from './logger.js';

/** What the routes use: the whole `webmcp/security` instance. */
export type GatewaySecurity = Security;

export async function createGatewaySecurity(
  config: ResolvedGatewayConfig,
  store: Store,
  masterKey: Uint8Array | string | undefined,
  logger: Logger,
  now?: () => number,
): Promise<GatewaySecurity> {
  return createSecurity(config.security, {
    store,
    ...(now ? { now } : {}),
    ...(masterKey !== undefined ? { masterKey } : {}),
    logger,
    trustProxy: config.trustProxy,
    // Behind a proxy the browser's Origin is the public URL, not the Host the gateway sees.
    ...(config.publicUrl ? { allowedOrigins: [new URL(config.publicUrl).origin] } : {}),
  });
}
