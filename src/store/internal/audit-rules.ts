import { WebMCPStoreError } from '../../errors.js';
import type { AuditEntry, AuditHead } from '../types.js';

/**
 * Every backend refuses an entry that does not extend the head it was built from, so a buggy or
 * racing writer can never fork the chain: `seq` must be `head.seq + 1` (any integer >= 1 for a
 * brand new log) and `prev_hash` must be `head.hash`.
 */
export function assertExtendsHead(head: AuditHead | null, entry: AuditEntry): void {
  const seqOk = head ? entry.seq === head.seq + 1 : Number.isSafeInteger(entry.seq) && entry.seq >= 1;
  if (!seqOk || (head !== null && entry.prev_hash !== head.hash)) {
    throw new WebMCPStoreError('ERR_AUDIT', 'audit entry does not extend the current head');
  }
}
