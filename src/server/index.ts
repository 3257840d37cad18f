/**
 * `webmcp/server`: the gateway behind `webmcp serve`, usable programmatically.
 *
 * @example
 * import { createGateway, listen, loadGatewayConfig } from 'webmcp/server';
 * const gateway = await createGateway(loadGatewayConfig('webmcp.config.json'));
 * const server = await listen(gateway, { host: '127.0.0.1', port: 8080 });
 * // ... later
 * await server.close();
 * await gateway.close();
 */
export { createGateway, assertTransportAllowed, isLoopbackHost, type Gateway } from './app.js';
export { listen, type ListenOptions, type NodeServer, type FetchApp } from './node.js';
export {
  loadGatewayConfig,
  resolveGatewayConfig,
  type ResolvedGatewayConfig,
  type ResolvedPage,
  type ResolvedAction,
} from './config/resolve.js';
export { GatewayConfigSchema, type GatewayConfigFile } from './config/schema.js';
export type { ConnectionInfo, Principal, RequestContext } from './context.js';
export type { Route, Access } from './route.js';
export type { GatewayDeps, GatewayServices } from './services.js';
export { generateSelfSigned, loadTlsFiles, spkiPin, type TlsMaterial } from './tls.js';
export { openStore, masterKeyFileFor } from './store.js';
export { openGatewayState, type GatewayState } from './state.js';
export { createMetrics, type Metrics } from './metrics.js';
