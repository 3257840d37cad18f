import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/types.js';
import { benchNames, discover, formatMarkdown, formatText, groupRows, replaceSection } from '../../bench/run.js';

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
