import { WebMCPStoreError } from '../../errors.js';

/**
 * Default budget, per call, for reaching Redis or PostgreSQL (connecting, each command or query)
 * before a call rejects with ERR_STORE_UNAVAILABLE. Below the spec's 1 s on purpose: a request
 * that meets a hung server (stopped process, dropped packets) must still get its 503 within 1 s,
 * and the HTTP exchange around the store call needs some of that second.
 */
export const DEFAULT_STORE_TIMEOUT_MS = 500;

/** The backend could not be reached or did not answer in time. The driver's error stays in `cause`. */
export function unavailable(backend: string, cause?: unknown): WebMCPStoreError {
  return new WebMCPStoreError('ERR_STORE_UNAVAILABLE', `${backend} store is unavailable`, { cause });
}

/** A record with the same identifier already exists. */
export function conflict(what: string): WebMCPStoreError {
  return new WebMCPStoreError('ERR_STORE_CONFLICT', `${what} already exists`);
}

/** The store was closed by its owner; using it afterwards is refused like an outage. */
export function closed(backend: string): WebMCPStoreError {
  return new WebMCPStoreError('ERR_STORE_UNAVAILABLE', `${backend} store is closed`);
}

/** Runs `fn`, rejecting with ERR_STORE_UNAVAILABLE if it takes longer than `ms`. */
export async function withTimeout<T>(backend: string, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable(backend, new Error(`no answer within ${ms} ms`))), ms);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
