/**
 * The benchmark runner: `node dist-bench/bench/run.js [--only NAME] [--write-docs]`.
 * Finds the bench/*.ts modules that export `run(): Promise<BenchResult>`, runs them one at a
 * time, prints their tables, merges them into bench/results/latest.json and, with --write-docs,
 * rewrites the figures between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` in
 * docs/benchmarks.md.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { repoRoot } from './corpus.js';
import type { BenchResult } from './types.js';

/** Preferred order; any other module exporting run() follows, alphabetically. */
const ORDER = ['analyze', 'security', 'store', 'gateway', 'goals', 'render'];
const NOT_BENCHES = new Set(['run', 'types', 'corpus']);

export interface BenchModule {
  name: string;
  run: () => Promise<BenchResult>;
}

/** Bench module names in `dir` (compiled .js or source .ts), runner and helpers excluded, in run order. */
export function benchNames(files: string[]): string[] {
  const names = new Set<string>();
  for (const file of files) {
    const m = /^([a-z0-9][\w-]*)\.(js|ts)$/i.exec(file);
    if (!m || file.endsWith('.d.ts') || /\.test\.(js|ts)$/.test(file)) continue;
    if (!NOT_BENCHES.has(m[1])) names.add(m[1]);
  }
  const rank = (n: string): number => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Imports the bench modules of `dir`; modules without a `run` export are helpers and skipped. */
export async function discover(dir: string, only?: string): Promise<BenchModule[]> {
  const files = await readdir(dir);
  const ext = files.some((f) => f === 'run.js') ? 'js' : 'ts';
  const found: BenchModule[] = [];
  for (const name of benchNames(files.filter((f) => f.endsWith(`.${ext}`)))) {
    if (only !== undefined && name !== only) continue;
    const mod = (await import(pathToFileURL(join(dir, `${name}.${ext}`)).href)) as { run?: unknown };
    if (typeof mod.run === 'function') found.push({ name, run: mod.run as () => Promise<BenchResult> });
  }
  return found;
}

function cell(value: string | number): string {
  return typeof value === 'number' ? String(value) : value;
}

/** Consecutive rows with the same columns form one table. */
export function groupRows(rows: BenchResult['rows']): Array<BenchResult['rows']> {
  const groups: Array<BenchResult['rows']> = [];
  let key = '';
  for (const row of rows) {
    const k = Object.keys(row).join('\u0000');
    if (groups.length === 0 || k !== key) groups.push([]);
    groups[groups.length - 1].push(row);
    key = k;
  }
  return groups;
}

/** Plain-text tables for the terminal. Numbers align right. */
export function formatText(result: BenchResult): string {
  const out = [`== ${result.name}`];
  for (const group of groupRows(result.rows)) {
    const cols = Object.keys(group[0]);
    const width = cols.map((c) => Math.max(c.length, ...group.map((r) => cell(r[c] ?? '').length)));
    const line = (values: Array<string | number>): string =>
      values.map((v, i) => (typeof v === 'number' ? cell(v).padStart(width[i]) : cell(v).padEnd(width[i]))).join('  ').trimEnd();
    out.push('', line(cols), line(width.map((w) => '-'.repeat(w))), ...group.map((r) => line(cols.map((c) => r[c] ?? ''))));
  }
  if (result.notes.length > 0) out.push('', ...result.notes.map((n) => `- ${n}`));
  return out.join('\n') + '\n';
}

function mdCell(value: string | number): string {
  return cell(value).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Markdown tables + notes: what goes between a result's markers in docs/benchmarks.md. */
export function formatMarkdown(result: BenchResult, stamp: string): string {
  const out: string[] = [];
  for (const group of groupRows(result.rows)) {
    const cols = Object.keys(group[0]);
    out.push(`| ${cols.map(mdCell).join(' | ')} |`);
    out.push(`|${cols.map((c) => (typeof group[0][c] === 'number' ? '---:' : '---')).join('|')}|`);
    for (const r of group) out.push(`| ${cols.map((c) => mdCell(r[c] ?? '')).join(' | ')} |`);
    out.push('');
  }
  for (const n of result.notes) out.push(`- ${n}`);
  out.push(`- measured ${stamp}`);
  return out.join('\n');
}

/**
 * Replaces the text between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`.
 * Returns null when the markers are missing (the section's author adds them).
 */
export function replaceSection(doc: string, name: string, body: string): string | null {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end, i + start.length);
  if (i < 0 || j < 0) return null;
  return `${doc.slice(0, i + start.length)}\n${body.trim()}\n${doc.slice(j)}`;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

interface Machine {
  cpus: number;
  cpu: string;
  node: string;
  platform: string;
}

interface LatestFile {
  generated_at: string;
  /** The machine of the latest run; each result also records its own. */
  machine: Machine;
  results: Record<string, BenchResult & { generated_at: string; machine: Machine; load: string }>;
}

const USAGE = 'usage: node dist-bench/bench/run.js [--only NAME] [--write-docs]';

/** Runs the CLI. `where` locates the bench modules and the repo (tests point it at a scratch folder). */
export async function main(
  argv: string[] = process.argv.slice(2),
  where: { benchDir: string; root: string } = { benchDir: dirname(fileURLToPath(import.meta.url)), root: repoRoot() },
): Promise<number> {
  let values: { only?: string; 'write-docs'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { only: { type: 'string' }, 'write-docs': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const { root } = where;
  const benches = await discover(where.benchDir, values.only);
  if (benches.length === 0) {
    process.stderr.write(`bench: no benchmark${values.only ? ` named "${values.only}"` : 's'} found\n`);
    return 2;
  }

  const resultsPath = join(root, 'bench', 'results', 'latest.json');
  const docsPath = join(root, 'docs', 'benchmarks.md');
  const machine: Machine = { cpus: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: process.platform };
  let failed = 0;
  for (const bench of benches) {
    process.stderr.write(`bench: running ${bench.name}…\n`);
    let result: BenchResult;
    const loadBefore = loadavg()[0];
    try {
      result = await bench.run();
    } catch (err) {
      failed++;
      process.stderr.write(`bench: ${bench.name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      continue;
    }
    const stamp = new Date().toISOString();
    // The 1-minute load average shows how busy the shared machine was around the run.
    const load = `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after`;
    process.stdout.write(formatText(result) + `- ${load}\n\n`);
    // Other runs (other benches, other people) may have written these files meanwhile: read them
    // again just before writing, and write atomically, so only this bench's parts change.
    const latest: LatestFile = existsSync(resultsPath)
      ? (JSON.parse(await readFile(resultsPath, 'utf8')) as LatestFile)
      : { generated_at: '', machine, results: {} };
    latest.machine = machine;
    latest.generated_at = stamp;
    latest.results[bench.name] = { ...result, generated_at: stamp, machine, load };
    await mkdir(dirname(resultsPath), { recursive: true });
    await writeAtomically(resultsPath, JSON.stringify(latest, null, 2) + '\n');
    if (values['write-docs']) {
      const where = `${stamp.slice(0, 10)} on ${machine.cpus} CPUs, Node ${machine.node}, ${load}`;
      const next = replaceSection(await readFile(docsPath, 'utf8'), result.name, formatMarkdown(result, where));
      if (next === null) process.stderr.write(`bench: docs/benchmarks.md has no <!-- bench:${result.name}:start/end --> markers; not written\n`);
      else await writeAtomically(docsPath, next);
    }
  }
  if (failed < benches.length) process.stderr.write(`bench: results in ${resultsPath}\n`);
  return failed > 0 ? 1 : 0;
}

// Run only as the entry point, so tests can import the helpers.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then((code) => { process.exitCode = code; });
}
