/**
 * Group commit for small synchronous writes (rate-limit counters): calls made while the event
 * loop is busy are queued and run together, in arrival order, by one `commit` call at the next
 * check phase (`setImmediate`), so N concurrent requests cost one SQLite write transaction (one
 * lock, one WAL append) instead of N. Each operation still sees every operation queued before
 * it, so results are the same as running them one by one; a failing commit rejects the whole batch.
 */
export interface TickBatcher<Op, R> {
  run(op: Op): Promise<R>;
  /** Commits whatever is queued now (before closing the database). */
  flush(): void;
}

export function createTickBatcher<Op, R>(commit: (ops: readonly Op[]) => R[], options: { maxBatch?: number } = {}): TickBatcher<Op, R> {
  const maxBatch = options.maxBatch ?? 512;
  let ops: Op[] = [];
  let waiters: Array<{ resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  let scheduled: ReturnType<typeof setImmediate> | null = null;

  function flush(): void {
    if (scheduled !== null) clearImmediate(scheduled);
    scheduled = null;
    while (ops.length > 0) {
      const batch = ops.splice(0, maxBatch);
      const told = waiters.splice(0, batch.length);
      let results: R[];
      try {
        results = commit(batch);
      } catch (error) {
        for (const w of told) w.reject(error);
        continue;
      }
      told.forEach((w, i) => w.resolve(results[i]!));
    }
    ops = [];
    waiters = [];
  }

  return {
    run(op) {
      return new Promise<R>((resolve, reject) => {
        ops.push(op);
        waiters.push({ resolve, reject });
        scheduled ??= setImmediate(flush);
      });
    },
    flush,
  };
}
