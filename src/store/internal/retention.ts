/** Expired refresh records are kept this long so a late presentation reports `expired`, not unknown. */
export const REFRESH_RETENTION_MS = 60 * 60_000;
/** Revoked jtis are kept this long past the token's own `exp` to cover verifiers' clock tolerance. */
export const REVOCATION_GRACE_MS = 5 * 60_000;
/** Expired rows are swept at most this often (lazily, on use). */
export const SWEEP_INTERVAL_MS = 30_000;
