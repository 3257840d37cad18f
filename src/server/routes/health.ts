import { HttpError } from '../http/problem.js';
import { defineRoutes, json } from '../route.js';

/** Liveness and readiness. Readiness fails (503) while a store does not answer. */
export const healthRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/healthz',
    access: 'public',
    async handle() {
      return json({ status: 'ok' });
    },
  },
  {
    method: 'GET',
    path: '/readyz',
    access: 'public',
    async handle(_ctx, s) {
      if (!(await s.ready())) {
        throw new HttpError(503, 'unavailable', 'a backing store is unavailable', { code: 'ERR_STORE_UNAVAILABLE' });
      }
      return json({ status: 'ready', store: s.store.kind });
    },
  },
]);
