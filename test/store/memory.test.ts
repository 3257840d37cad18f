import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { runStoreContract } from './contract.js';

runStoreContract('memory', async () => createMemoryStore());

describe('memory store with an injected clock', () => {
  it('judges every expiry by the injected clock', async () => {
    let t = 1_000_000;
    const s = createMemoryStore({ now: () => t });
    await s.kv.set('k', 'v', 1000);
    expect((await s.counters.consume('c', 1000, 1)).resetMs).toBe(1000);
    await s.revocations.revoke('jti', t + 1000);
    t += 999;
    expect(await s.kv.get('k')).toBe('v');
    expect(await s.counters.peek('c')).toEqual({ count: 1, resetMs: 1 });
    t += 1;
    expect(await s.kv.get('k')).toBeNull();
    expect(await s.counters.peek('c')).toBeNull();
    expect(await s.revocations.isRevoked('jti')).toBe(true);
    t += 60 * 60_000;
    expect(await s.revocations.isRevoked('jti')).toBe(false);
    expect(s.requiresMasterKey).toBe(false);
  });
});
