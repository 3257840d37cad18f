import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BuildRequest } from './build-document.js';
import type { WebMCPDocument } from './types.js';
import { decodeError, type EncodedError } from './worker-errors.js';

/**
 * One shared analysis thread for `WebMCPProcessor#process`.
 *
 * Analysis builds a whole page tree that lives until the page is described; on the main thread
 * every young-generation collection copies it, and how often that happens depends on whatever
 * else the process has done (after a large jsdom run, analysis took a third longer). The worker
 * gets a young generation sized for page trees, so analysis speed no longer depends on the host's
 * heap, and the event loop stays free while a large page is analysed. Only the finished document
 * crosses back. When the worker cannot run (compiled worker file missing, thread limits, a crash),
 * callers analyse on their own thread instead.
 */
const YOUNG_GENERATION_MB = 64;
const WORKER_FILE = new URL('./analysis-worker.js', import.meta.url);

interface Pending {
  resolve(doc: WebMCPDocument): void;
  reject(err: Error): void;
}

let worker: Worker | null = null;
/** Set once the worker is known not to work here; analysis then stays on the calling thread. */
let unavailable = false;
/** Workers lost in a row; past a few, threads are taken not to work in this process. */
let losses = 0;
const MAX_LOSSES = 3;
let nextId = 0;
const pending = new Map<number, Pending>();

function start(): Worker | null {
  if (worker || unavailable) return worker;
  // Running from TypeScript sources (tests) there is no compiled worker file: analyse in-thread.
  if (!existsSync(fileURLToPath(WORKER_FILE))) {
    unavailable = true;
    return null;
  }
  let w: Worker;
  try {
    w = new Worker(WORKER_FILE, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  } catch (err) {
    // Thread limits or a locked-down runtime: analysis stays on the calling thread.
    if (!(err instanceof Error)) throw err;
    unavailable = true;
    return null;
  }
  w.unref();
  w.on('message', (m: { id: number; doc?: WebMCPDocument; error?: EncodedError }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (pending.size === 0) w.unref();
    losses = 0;
    if (m.error) p.reject(decodeError(m.error));
    else p.resolve(m.doc as WebMCPDocument);
  });
  const fail = (err: Error): void => {
    // A thread stopped on purpose was already let go; one that died counts towards giving up.
    if (worker === w) {
      worker = null;
      if (++losses >= MAX_LOSSES) unavailable = true;
    }
    // Requests in flight are answered in-thread by the caller (see analyseInThread's contract).
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(new WorkerLost(err));
    }
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`analysis thread exited with code ${code}`)));
  worker = w;
  return w;
}

/** The worker went away before answering: the request itself may be fine. */
export class WorkerLost extends Error {
  constructor(cause: Error) {
    super('analysis thread lost', { cause });
  }
}

/**
 * Builds the document on the analysis thread. Resolves to null when there is no analysis thread
 * (the caller then builds it itself); rejects with the core's typed errors, or `WorkerLost`.
 */
export function analyseInWorker(request: BuildRequest): Promise<WebMCPDocument> | null {
  const w = start();
  if (!w) return null;
  const id = nextId++;
  return new Promise<WebMCPDocument>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    // Keep the process alive while an answer is owed; idle, the thread never holds it open.
    w.ref();
    w.postMessage({ id, request });
  });
}

/** Stops the analysis thread (tests; it is unref'd and never keeps a process alive otherwise). */
export async function stopAnalysisThread(): Promise<void> {
  const w = worker;
  worker = null;
  if (w) await w.terminate();
}
