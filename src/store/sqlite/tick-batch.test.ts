import { describe, expect, it } from 'vitest';
import { createTickBatcher } from './tick-batch.js';

describe('createTickBatcher', () => {
  it('runs calls made in the same turn of the event loop as one commit, in arrival order', async () => {
    const commits: number[][] = [];
    const b = createTickBatcher<number, number>((ops) => {
      commits.push([...ops]);
      return ops.map((n) => n * 10);
    });
    const first = await Promise.all([b.run(1), b.run(2), b.run(3)]);
    expect(first).toEqual([10, 20, 30]);
    const second = await b.run(4);
    expect(second).toBe(40);
    expect(commits).toEqual([[1, 2, 3], [4]]);
  });

  it('gathers calls from several I/O callbacks of one poll phase', async () => {
    const sizes: number[] = [];
    const b = createTickBatcher<number, number>((ops) => {
      sizes.push(ops.length);
      return [...ops];
    });
    // Timers that fire in the same timers phase all run before the check phase flushes.
    const calls = await Promise.all(
      Array.from({ length: 5 }, (_, i) => new Promise<number>((resolve) => setTimeout(() => resolve(b.run(i)), 0))),
    );
    expect(calls).toEqual([0, 1, 2, 3, 4]);
    expect(sizes.reduce((a, n) => a + n, 0)).toBe(5);
    expect(sizes.length).toBeLessThan(5);
  });

  it('rejects every call of a failed commit and keeps working afterwards', async () => {
    let fail = true;
    const b = createTickBatcher<string, string>((ops) => {
      if (fail) throw new Error('disk full');
      return ops.map((o) => o.toUpperCase());
    });
    const failed = await Promise.allSettled([b.run('a'), b.run('b')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await b.run('c')).toBe('C');
  });

  it('splits a queue longer than maxBatch into several commits, still in order', async () => {
    const commits: number[][] = [];
    const b = createTickBatcher<number, number>(
      (ops) => {
        commits.push([...ops]);
        return [...ops];
      },
      { maxBatch: 2 },
    );
    expect(await Promise.all([1, 2, 3, 4, 5].map((n) => b.run(n)))).toEqual([1, 2, 3, 4, 5]);
    expect(commits).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('flush() commits at once (before a close)', async () => {
    const commits: number[][] = [];
    const b = createTickBatcher<number, number>((ops) => {
      commits.push([...ops]);
      return [...ops];
    });
    const pending = b.run(7);
    b.flush();
    expect(commits).toEqual([[7]]);
    expect(await pending).toBe(7);
    b.flush(); // nothing queued: no empty commit
    expect(commits).toHaveLength(1);
  });
});
