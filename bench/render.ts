/**
 * bench/render: live-page analysis throughput with a warm browser pool, and peak memory.
 *
 * The corpus pages are served from 127.0.0.1 and rendered with `sameOrigin: true`: their scripts,
 * stylesheets and images on third-party hosts are refused, so no request leaves the machine (and the
 * figures do not depend on anyone's network). Each configuration gets a warm-up pass (browser launch,
 * first-page costs) before the timed pass. Memory is sampled every 250 ms: proportional set size
 * (PSS, shared pages split fairly) of this Node process plus every Chromium process it started.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { createBrowserPool, renderAndAnalyze, type BrowserPool } from '../src/render/index.js';
import { WebMCPProcessor } from '../src/core/processor.js';
import { loadCorpus, type CorpusPage } from './corpus.js';
import type { BenchResult } from './types.js';

const WARMUP_PAGES = 6;

/** This process and all its descendants, from /proc. */
function processTree(): Set<number> {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may itself contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
    } catch (err) {
      void err; // the process exited while we listed /proc
    }
  }
  const mine = new Set<number>([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!mine.has(pid) && mine.has(ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  return mine;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU seconds used so far by this process and its descendants, reaped children included
 * (Chromium's renderers are reaped by its zygote, which stays alive while the pool is open).
 */
function treeCpuSeconds(): number {
  let ticks = 0;
  for (const pid of processTree()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime are fields 14-17 of stat; f[0] is field 3.
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch (err) {
      void err; // exited between listing and reading: its time moved to its parent
    }
  }
  return ticks / USER_HZ;
}

/** Memory of this process and all its descendants, in MiB; PSS when the kernel offers it. */
function treeMemory(): { pssMiB: number; rssMiB: number; processes: number } {
  const mine = processTree();
  let pss = 0;
  let rss = 0;
  for (const pid of mine) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch (err) {
      void err; // exited, or smaps_rollup unavailable: that process adds nothing
    }
  }
  return { pssMiB: pss / 1024, rssMiB: rss / 1024, processes: mine.size };
}

function sampler(): { stop(): { pssMiB: number; rssMiB: number; processes: number } } {
  const peak = { pssMiB: 0, rssMiB: 0, processes: 0 };
  const take = (): void => {
    const m = treeMemory();
    peak.pssMiB = Math.max(peak.pssMiB, m.pssMiB);
    peak.rssMiB = Math.max(peak.rssMiB, m.rssMiB);
    peak.processes = Math.max(peak.processes, m.processes);
  };
  take();
  const timer = setInterval(take, 250);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

async function serve(pages: CorpusPage[]): Promise<{ server: Server; base: string }> {
  const byPath = new Map(pages.map((p) => ['/' + p.file, p.html]));
  const server = createServer((req, res) => {
    const html = byPath.get((req.url ?? '/').split('?')[0]);
    if (html === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

interface PassFigures {
  seconds: number;
  latencies: number[];
  failures: Map<string, number>;
  failedPages: string[];
  elements: number;
  verified: number;
  unresolved: number;
}

type Job = (pool: BrowserPool, url: string) => Promise<{ elements: number; unresolved: number }>;

async function pass(pool: BrowserPool, urls: string[], concurrency: number, job: Job): Promise<PassFigures> {
  const figures: PassFigures = { seconds: 0, latencies: [], failures: new Map(), failedPages: [], elements: 0, verified: 0, unresolved: 0 };
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < urls.length) {
      const url = urls[next++];
      const s = performance.now();
      try {
        const r = await job(pool, url);
        figures.elements += r.elements;
        figures.unresolved += r.unresolved;
        figures.verified += r.elements + r.unresolved;
      } catch (err) {
        const reason = (err as { reason?: string }).reason ?? 'error';
        figures.failures.set(reason, (figures.failures.get(reason) ?? 0) + 1);
        figures.failedPages.push(`${url.replace(/^http:\/\/[^/]+\//, '')} (${reason})`);
      }
      figures.latencies.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  figures.seconds = (performance.now() - t0) / 1000;
  figures.latencies.sort((a, b) => a - b);
  return figures;
}

const renderOnly: Job = async (pool, url) => {
  await pool.render(url);
  return { elements: 0, unresolved: 0 };
};

function analyseJob(processor: WebMCPProcessor): Job {
  return async (pool, url) => {
    const { document } = await renderAndAnalyze(url, { pool, processor });
    const unresolved = (document.metadata.diagnostics ?? []).filter((d) => d.code === 'RENDER_SELECTOR_UNRESOLVED').length;
    return { elements: document.elements.length, unresolved };
  };
}

export async function run(): Promise<BenchResult> {
  const corpus = await loadCorpus();
  const { server, base } = await serve(corpus.pages);
  const urls = corpus.pages.map((p) => `${base}/${p.file}`);
  const rows: BenchResult['rows'] = [];
  const notes: string[] = [];
  const processor = new WebMCPProcessor({ cache: false });
  const configs: Array<{ mode: string; maxPages: number; job: Job }> = [
    { mode: 'render', maxPages: 1, job: renderOnly },
    { mode: 'render', maxPages: 2, job: renderOnly },
    { mode: 'render + analyse + verify', maxPages: 2, job: analyseJob(processor) },
  ];
  let quality: PassFigures | null = null;
  const loadBefore = loadavg()[0];
  const failedPages = new Set<string>();
  try {
    for (const c of configs) {
      const pool = createBrowserPool({ maxPages: c.maxPages, sameOrigin: true, pageTimeoutMs: 30_000 });
      try {
        await pass(pool, urls.slice(0, WARMUP_PAGES), c.maxPages, c.job);
        const mem = sampler();
        const cpu0 = treeCpuSeconds();
        const f = await pass(pool, urls, c.maxPages, c.job);
        const cpu = treeCpuSeconds() - cpu0;
        const peak = mem.stop();
        const failed = [...f.failures].map(([k, v]) => `${k} ${v}`).join(', ') || '0';
        rows.push({
          mode: c.mode,
          'max pages': c.maxPages,
          pages: urls.length,
          'pages/s': Number((urls.length / f.seconds).toFixed(2)),
          'p50 ms': Math.round(percentile(f.latencies, 0.5)),
          'p95 ms': Math.round(percentile(f.latencies, 0.95)),
          'CPU ms/page': Math.round((1000 * cpu) / urls.length),
          failed,
          'peak PSS MiB': Math.round(peak.pssMiB),
          'peak RSS sum MiB': Math.round(peak.rssMiB),
          processes: peak.processes,
        });
        if (c.job !== renderOnly) quality = f;
        for (const p of f.failedPages) failedPages.add(p);
      } finally {
        await pool.close();
      }
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
  if (quality) {
    const total = quality.verified;
    notes.push(
      `Live selector check (render + analyse + verify): ${quality.elements} of ${total} elements kept, ` +
        `${quality.unresolved} left out because their selector did not match exactly one element on the live page` +
        (total ? ` (${((100 * quality.unresolved) / total).toFixed(2)}%)` : '') + '.',
    );
  }
  if (failedPages.size > 0) notes.push(`Failed pages: ${[...failedPages].join(', ')}.`);
  notes.push(
    `Corpus: ${corpus.pages.length} pages (${(corpus.bytes / 1e6).toFixed(2)} MB) served from 127.0.0.1; requests to other origins refused (sameOrigin).`,
    `Each page waits for the network to be quiet for 300 ms (at most 5 s) after load. Warm pool: ${WARMUP_PAGES} pages rendered before timing.`,
    `CPU ms/page: CPU time of this Node process and every Chromium process, per page, over the timed pass; it does not depend on other work on the machine, unlike pages/s. With N free cores, pages/s is at most about N * 1000 / (CPU ms/page).`,
    `Peak PSS counts this Node process and all Chromium processes it started (shared pages split fairly); "RSS sum" adds their RSS and so double-counts shared pages.`,
    `Machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; 1-minute load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end (other work shares these CPUs: figures scale with it).`,
  );
  return { name: 'render', rows, notes };
}
