import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { EventBus } from '../types.js';
import { createLocalEventBus } from '../internal/local-events.js';

/** How often a process with subscribers looks for events other processes wrote. */
export const EVENT_POLL_MS = 200;
/** Events older than this are deleted by the sweep; pollers are far more frequent. */
export const EVENT_RETENTION_MS = 60_000;

/**
 * Events between processes sharing one SQLite file (a gateway and `webmcp keys revoke`):
 * `publish` delivers to this process's subscribers at once and appends a row; every other process
 * with subscribers polls for new rows. Only the rows written after a process subscribed are seen.
 */
export function createSqliteEventBus(db: BetterSqlite3.Database, onPollError: (error: unknown) => void): EventBus & {
  close(): void;
  prune(before: number): void;
} {
  const origin = randomUUID();
  const local = createLocalEventBus();
  const insert = db.prepare('INSERT INTO events (channel, message, origin, created_at) VALUES (?, ?, ?, ?)');
  const since = db.prepare('SELECT id, channel, message FROM events WHERE id > ? AND origin != ? ORDER BY id LIMIT 1000');
  const newest = db.prepare("SELECT COALESCE(MAX(id), 0) AS id FROM events");
  const prune = db.prepare('DELETE FROM events WHERE created_at <= ?');
  let subscriptions = 0;
  let lastId = 0;
  let timer: NodeJS.Timeout | undefined;

  function poll(): void {
    try {
      for (;;) {
        const rows = since.all(lastId, origin) as Array<{ id: number; channel: string; message: string }>;
        for (const r of rows) {
          lastId = r.id;
          void local.publish(r.channel, r.message);
        }
        if (rows.length < 1000) break;
      }
    } catch (error) {
      // A busy or briefly unreadable file only delays delivery to the next poll; report it anyway.
      onPollError(error);
    }
  }

  return {
    // Not async: a failed insert throws synchronously so the store maps it like any other call.
    publish(channel, message) {
      insert.run(channel, message, origin, Date.now());
      return local.publish(channel, message);
    },
    async subscribe(channel, handler) {
      if (subscriptions++ === 0) {
        lastId = (newest.get() as { id: number }).id;
        timer = setInterval(poll, EVENT_POLL_MS);
        timer.unref();
      }
      const unsubscribe = await local.subscribe(channel, handler);
      let active = true;
      return async () => {
        if (!active) return;
        active = false;
        await unsubscribe();
        if (--subscriptions === 0) clearInterval(timer);
      };
    },
    close() {
      clearInterval(timer);
      subscriptions = 0;
      local.clear();
    },
    prune(before) {
      prune.run(before);
    },
  };
}
