import type { AuditEntry, AuditHead } from '../types.js';
import { assertExtendsHead } from './audit-rules.js';

type Build = (head: AuditHead | null) => AuditEntry;
interface Pending {
  build: Build;
  resolve: (entry: AuditEntry) => void;
  reject: (error: unknown) => void;
}

/** What a backend does with one batch inside one transaction that holds the chain lock. */
export interface BatchCommit {
  /** Reads the head (after taking the lock), calls `chain` with it, stores what `chain` returns, commits. */
  (chain: (head: AuditHead | null) => AuditEntry[]): Promise<void>;
}

/**
 * Group commit for audit appends: appends that arrive while a commit is in flight are chained
 * one after another onto the head inside the next transaction, so N concurrent appends cost one
 * lock and one fsync instead of N. Each `build` still sees exactly the entry stored before it, an
 * append resolves only after its transaction committed, and a `build` that throws (or an entry that
 * does not extend the head) fails alone. A failed commit rejects every append in that batch.
 */
export function createAppendBatcher(commit: BatchCommit, options: { maxBatch?: number; defer?: boolean } = {}) {
  const maxBatch = options.maxBatch ?? 256;
  const queue: Pending[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, maxBatch);
        const outcomes: Array<{ entry: AuditEntry } | { error: unknown }> = [];
        try {
          await commit((start) => {
            outcomes.length = 0;
            const entries: AuditEntry[] = [];
            let head = start;
            for (const p of batch) {
              try {
                const entry = structuredClone(p.build(head));
                assertExtendsHead(head, entry);
                entries.push(entry);
                outcomes.push({ entry });
                head = { seq: entry.seq, hash: entry.hash };
              } catch (error) {
                outcomes.push({ error });
              }
            }
            return entries;
          });
        } catch (error) {
          for (const p of batch) p.reject(error);
          continue;
        }
        batch.forEach((p, i) => {
          const o = outcomes[i];
          if ('entry' in o) p.resolve(structuredClone(o.entry));
          else p.reject(o.error);
        });
      }
    } finally {
      draining = false;
    }
  }

  return function append(build: Build): Promise<AuditEntry> {
    return new Promise<AuditEntry>((resolve, reject) => {
      queue.push({ build, resolve, reject });
      if (draining) return;
      draining = true;
      // Synchronous backends defer one microtask so a burst of calls made in the same tick shares a commit.
      if (options.defer) queueMicrotask(() => void drain());
      else void drain();
    });
  };
}
