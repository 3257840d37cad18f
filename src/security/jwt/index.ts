export { createAccessTokens, MAX_TOKEN_LENGTH, ACCESS_TOKEN_TYP } from './access-tokens.js';
export type { AccessTokens, AccessTokenClaims, AccessTokenDeps, IssueInput, VerifyOptions } from './access-tokens.js';
export { createSigningKeys } from './signing-keys.js';
export type { SigningKeys, SigningKey } from './signing-keys.js';
export { verifyJws } from './primitives.js';
export type { VerifyJwsOptions } from './primitives.js';
