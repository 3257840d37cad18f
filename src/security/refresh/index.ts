export { createRefreshTokens, hashRefreshToken } from './refresh-tokens.js';
export type { RefreshTokens, RefreshDeps, RefreshIssueInput, IssuedRefreshToken } from './refresh-tokens.js';
