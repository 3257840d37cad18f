import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/types.js';
import { benchNames, discover, formatMarkdown, formatText, groupRows, main, replaceSection } from '../../bench/run.js';

const result: BenchResult = {
  name: 'demo',
  rows: [
    { impl: 'ours', 'MB/s': 20.5 },
    { impl: 'reference', 'MB/s': 1.5 },
    { metric: 'recall', value: 0.99 },
  ],
  notes: ['a | note'],
};

describe('bench runner', () => {
  it('finds bench modules in run order, skipping the runner, helpers, tests and declarations', () => {
    expect(benchNames(['run.js', 'types.js', 'corpus.js', 'zeta.js', 'render.js', 'analyze.js', 'store.js', 'x.d.ts', 'a.test.ts', 'README.md']))
      .toEqual(['analyze', 'store', 'render', 'zeta']);
  });

  const dir = mkdtemp(join(tmpdir(), 'webmcp-bench-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('imports only modules that export run(), honouring --only', async () => {
    const d = await dir;
    await writeFile(join(d, 'run.js'), 'export const x = 1;\n');
    await writeFile(join(d, 'analyze.js'), "export async function run() { return { name: 'analyze', rows: [], notes: [] }; }\n");
    await writeFile(join(d, 'helper.js'), 'export const y = 2;\n');
    await writeFile(join(d, 'goals.js'), "export async function run() { return { name: 'goals', rows: [], notes: [] }; }\n");
    expect((await discover(d)).map((b) => b.name)).toEqual(['analyze', 'goals']);
    expect((await discover(d, 'goals')).map((b) => b.name)).toEqual(['goals']);
    expect(await discover(d, 'nope')).toEqual([]);
    expect(await (await discover(d, 'goals'))[0].run()).toEqual({ name: 'goals', rows: [], notes: [] });
  });

  it('groups consecutive rows with the same columns into tables', () => {
    expect(groupRows(result.rows).map((g) => g.length)).toEqual([2, 1]);
  });

  it('prints aligned text tables and notes', () => {
    const text = formatText(result);
    expect(text).toContain('impl       MB/s\n---------  ----\nours       20.5\nreference   1.5\n');
    expect(text).toContain('- a | note');
  });

  it('writes markdown tables, escaping pipes, right-aligning numbers', () => {
    const md = formatMarkdown(result, '2025-01-01');
    expect(md).toContain('| impl | MB/s |\n|---|---:|\n| ours | 20.5 |');
    expect(md).toContain('- a | note');
    expect(formatMarkdown({ name: 'p', rows: [{ a: 'x|y' }], notes: [] }, 'now')).toContain('| x\\|y |');
    expect(md).toContain('- measured 2025-01-01');
  });

  it('replaces only the named section between its markers', () => {
    const doc = 'intro\n<!-- bench:demo:start -->\nold\n<!-- bench:demo:end -->\n<!-- bench:other:start -->\nkeep\n<!-- bench:other:end -->\n';
    expect(replaceSection(doc, 'demo', 'new\n')).toBe(
      'intro\n<!-- bench:demo:start -->\nnew\n<!-- bench:demo:end -->\n<!-- bench:other:start -->\nkeep\n<!-- bench:other:end -->\n');
    expect(replaceSection(doc, 'missing', 'x')).toBeNull();
  });
});

describe('bench runner main()', () => {
  const scratch = mkdtemp(join(tmpdir(), 'webmcp-bench-main-'));
  afterAll(async () => rm(await scratch, { recursive: true, force: true }));

  async function setup() {
    const root = await scratch;
    const benchDir = join(root, 'dist-bench', 'bench');
    await mkdir(benchDir, { recursive: true });
    await mkdir(join(root, 'docs'), { recursive: true });
    await writeFile(join(benchDir, 'run.js'), '');
    await writeFile(join(benchDir, 'alpha.js'), "export async function run() { return { name: 'alpha', rows: [{ k: 'v', n: 1 }], notes: ['first'] }; }\n");
    await writeFile(join(benchDir, 'broken.js'), "export async function run() { throw new Error('no service'); }\n");
    await writeFile(join(root, 'docs', 'benchmarks.md'), 'top\n<!-- bench:alpha:start -->\nold\n<!-- bench:alpha:end -->\nbottom\n');
    return { root, benchDir };
  }

  it('runs the benches, keeps going past a failure, writes latest.json and the docs section', async () => {
    const where = await setup();
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['--write-docs'], where);
    } finally {
      process.stdout.write = write;
      process.stderr.write = err;
    }
    expect(code).toBe(1);
    expect(out.join('')).toContain('bench: broken failed: no service');
    expect(out.join('')).toContain('== alpha');
    const latest = JSON.parse(await readFile(join(where.root, 'bench', 'results', 'latest.json'), 'utf8'));
    expect(Object.keys(latest.results)).toEqual(['alpha']);
    expect(latest.results.alpha).toMatchObject({ rows: [{ k: 'v', n: 1 }], machine: { node: process.version } });
    const docs = await readFile(join(where.root, 'docs', 'benchmarks.md'), 'utf8');
    expect(docs).toMatch(/^top\n<!-- bench:alpha:start -->\n\| k \| n \|\n\|---\|---:\|\n\| v \| 1 \|\n\n- first\n- measured .*\n<!-- bench:alpha:end -->\nbottom\n$/);
  });

  it('refuses an unknown option or an unknown --only with exit code 2', async () => {
    const where = await setup();
    const err = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await main(['--bogus'], where)).toBe(2);
      expect(await main(['--only', 'nothing'], where)).toBe(2);
    } finally {
      process.stderr.write = err;
    }
  });
});
