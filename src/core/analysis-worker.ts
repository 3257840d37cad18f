import { parentPort } from 'node:worker_threads';
import { buildDocument, type BuildRequest } from './build-document.js';
import { encodeError } from './worker-errors.js';

/** The analysis thread: builds documents for `WebMCPProcessor#process` (see analysis-thread.ts). */
if (parentPort) {
  const port = parentPort;
  port.on('message', (message: { id: number; request: BuildRequest }) => {
    try {
      port.postMessage({ id: message.id, doc: buildDocument(message.request) });
    } catch (err) {
      port.postMessage({ id: message.id, error: encodeError(err) });
    }
  });
}
