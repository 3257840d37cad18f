import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditHead } from '../types.js';
import { createAppendBatcher } from './append-batcher.js';

function entry(head: AuditHead | null): AuditEntry {
  const seq = head ? head.seq + 1 : 1;
  return {
    seq, ts: new Date(0).toISOString(), actor: 'a', action: 'analyze', resource: '/', outcome: 'ok', ip: null,
    request_id: null, details: null, prev_hash: head ? head.hash : 'genesis', hash: `h${seq}`,
  };
}

/** A fake chain whose commit takes a tick, recording how many commits ran. */
function fakeChain(defer = false) {
  const stored: AuditEntry[] = [];
  let commits = 0;
  let failNext = false;
  const append = createAppendBatcher(async (chain) => {
    commits++;
    await new Promise((r) => setTimeout(r, 5));
    const last = stored[stored.length - 1];
    const entries = chain(last ? { seq: last.seq, hash: last.hash } : null);
    if (failNext) {
      failNext = false;
      throw new Error('commit failed');
    }
    stored.push(...entries);
  }, { defer });
  return { append, stored, commits: () => commits, failNextCommit: () => (failNext = true) };
}

describe('createAppendBatcher', () => {
  it('commits appends that arrive during a commit together, in order', async () => {
    const c = fakeChain();
    const results = await Promise.all(Array.from({ length: 50 }, () => c.append(entry)));
    expect(results.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(c.stored.map((e) => e.seq)).toEqual(results.map((e) => e.seq));
    // The first append commits alone; the 49 queued behind it share the next commit.
    expect(c.commits()).toBe(2);
  });

  it('with defer, appends made in the same tick share the first commit', async () => {
    const c = fakeChain(true);
    await Promise.all(Array.from({ length: 10 }, () => c.append(entry)));
    expect(c.commits()).toBe(1);
    expect(c.stored.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('rejects every append of a failed commit and stores none of them, then carries on', async () => {
    const c = fakeChain(true);
    await c.append(entry);
    c.failNextCommit();
    const failed = await Promise.allSettled([c.append(entry), c.append(entry)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(c.stored).toHaveLength(1);
    expect((await c.append(entry)).seq).toBe(2);
  });

  it('resolves copies: changing a result never changes what was stored', async () => {
    const c = fakeChain();
    const e = await c.append(entry);
    e.actor = 'changed';
    expect(c.stored[0].actor).toBe('a');
  });
});
