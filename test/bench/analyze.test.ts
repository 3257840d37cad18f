import { describe, expect, it } from 'vitest';
import { run } from '../../bench/analyze.js';
import { corpusAvailable, loadCorpus, type WebmcpCore } from '../../bench/corpus.js';
import { OracleProcessor, oracleFormat } from '../corpus/oracle.js';

// The bench itself is slow (the reference runs on jsdom); this checks its plumbing on 3 small pages.
describe.skipIf(!corpusAvailable())('bench/analyze', () => {
  it('times ours, the reference and parse5 and reports figures for the pages it ran on', async () => {
    const full = await loadCorpus();
    const pages = full.pages.filter((p) => ['aria/button.html', 'aria/checkbox-mixed.html', 'formasaurus/us.vocuspr.com-1.html'].includes(p.file));
    const corpus = { ...full, pages, bytes: pages.reduce((n, p) => n + p.bytes, 0) };
    const core = { WebMCPProcessor: OracleProcessor, formatForModel: oracleFormat } as unknown as WebmcpCore;
    const result = await run({ corpus, core });
    expect(result.name).toBe('analyze');
    const impls = result.rows.filter((r) => 'implementation' in r);
    expect(impls.map((r) => r.implementation)).toEqual([
      'webmcp process()', 'webmcp process() + metadata.tokens.html read', 'reference @webmcp/core parseWebMCP()', 'parse5.parse()',
    ]);
    for (const r of impls) {
      expect(r['MB/s']).toBeGreaterThan(0);
      expect(String(r['passes (s)']).split(' / ')).toHaveLength(3);
    }
    expect(impls[3]['x parse5']).toBe(1);
    expect(impls[2]['x reference']).toBe(1);
    const metric = (name: string) => result.rows.find((r) => r.metric === name);
    expect(metric('recall_aria')).toMatchObject({ value: 1, ok: 'yes' });
    expect(metric('selector_uniqueness')).toMatchObject({ value: 1, ok: 'yes' });
    expect(metric('throughput_vs_reference')).toBeDefined();
    const tokens = result.rows.filter((r) => 'webmcp median' in r);
    expect(tokens.map((r) => r.pages)).toEqual(['all (3)', 'formasaurus (1)', 'aria (2)']);
    for (const r of tokens) expect(r['reference median']).toBeGreaterThan(0);
    expect(result.notes.join('\n')).toContain('corpus: 3 pages');
    expect(result.notes.join('\n')).toContain('metadata.tokens is absent');
  }, 60_000);
});
