import type { RequestContext } from '../context.js';
import { defineRoutes, json } from '../route.js';
import type { GatewayServices } from '../services.js';
import { SCOPES } from '../../security/config/defaults.js';

/** The absolute base URL clients should use: `publicUrl`, else the request's scheme and Host. */
export function baseUrl(ctx: RequestContext, s: GatewayServices): string {
  if (s.config.publicUrl) return s.config.publicUrl;
  return `${ctx.secure ? 'https' : 'http'}://${ctx.url.host}`;
}

export const wellKnownRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/.well-known/webmcp',
    access: 'public',
    async handle(ctx, s) {
      const base = baseUrl(ctx, s);
      return json(
        {
          version: '0.2',
          issuer: s.security.config.jwt.issuer,
          token_endpoint: `${base}/webmcp/token`,
          revocation_endpoint: `${base}/webmcp/revoke`,
          jwks_uri: `${base}/.well-known/jwks.json`,
          csrf_endpoint: `${base}/webmcp/csrf`,
          session_endpoint: `${base}/webmcp/session`,
          pages_endpoint: `${base}/webmcp/pages`,
          analyze_endpoint: `${base}/webmcp/analyze`,
          actions_endpoint: `${base}/webmcp/actions`,
          audit_endpoint: `${base}/webmcp/audit`,
          mcp_endpoint: `${base}/mcp`,
          scopes_supported: [...new Set([...SCOPES, ...s.security.config.jwt.scopes])],
          grant_types_supported: ['client_credentials', 'refresh_token'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'api_key'],
          jwe: { alg_values_supported: ['ECDH-ES+A256KW', 'ECDH-ES'], enc_values_supported: ['A256GCM'] },
        },
        200,
        // Built from the Host header, the document must not sit in a shared cache where one
        // forged Host would send every client's API key elsewhere.
        s.config.publicUrl ? { 'cache-control': 'public, max-age=300' } : { 'cache-control': 'private, max-age=300', vary: 'Host' },
      );
    },
  },
  {
    method: 'GET',
    path: '/.well-known/jwks.json',
    access: 'public',
    async handle(_ctx, s) {
      const keys = await s.security.jwks();
      // Short cache: after a rotation clients refetch on an unknown kid anyway.
      return json(keys, 200, { 'cache-control': 'public, max-age=60', 'content-type': 'application/jwk-set+json' });
    },
  },
]);
