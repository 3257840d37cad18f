import type { EventBus } from '../types.js';

/**
 * An in-process {@link EventBus}. Messages are delivered asynchronously (never inside `publish`),
 * so a slow or throwing handler cannot break the publisher. A throwing handler is reported
 * through `onHandlerError` (default: a process warning) because events are best effort.
 */
export function createLocalEventBus(
  onHandlerError: (error: unknown) => void = (error) =>
    process.emitWarning(`webmcp store event handler failed: ${String(error)}`, 'WebMCPStoreWarning'),
): EventBus & { clear(): void } {
  const handlers = new Map<string, Set<(message: string) => void>>();
  return {
    async publish(channel, message) {
      const set = handlers.get(channel);
      if (!set || set.size === 0) return;
      for (const handler of [...set]) {
        setImmediate(() => {
          try {
            handler(message);
          } catch (error) {
            onHandlerError(error);
          }
        });
      }
    },
    async subscribe(channel, handler) {
      // Wrap so the same function subscribed twice gets two independent subscriptions.
      const entry = (message: string) => handler(message);
      let set = handlers.get(channel);
      if (!set) handlers.set(channel, (set = new Set()));
      set.add(entry);
      return async () => {
        const current = handlers.get(channel);
        current?.delete(entry);
        if (current && current.size === 0) handlers.delete(channel);
      };
    },
    clear() {
      handlers.clear();
    },
  };
}
