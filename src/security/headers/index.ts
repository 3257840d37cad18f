export {
  createSecurityHeaders,
  applySecurityHeaders,
  type SecurityHeaders,
  type SecurityHeadersOptions,
  type ApplyOptions,
  type HstsOptions,
  type HeaderTarget,
} from './headers.js';
export { DENIED_FEATURES, PERMISSIONS_POLICY } from './permissions-policy.js';
