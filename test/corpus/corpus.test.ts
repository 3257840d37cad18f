/**
 * The corpus README's correctness acceptance, run on our processor over the whole development
 * corpus. Speed is not asserted here (bench/analyze measures it). On failure the message lists
 * the pages' missed targets and bad elements; `WEBMCP_REPORT=1` prints the full listing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { corpusAvailable, corpusDir, loadCorpus, loadWebmcp } from '../../bench/corpus.js';
import { acceptanceChecks, evaluateCorpus, formatIssues, formatMetrics, formatPageReport, type CorpusEvaluation } from './evaluate.js';

// A clone without ../shared/corpus skips (and says so); an explicit WEBMCP_CORPUS must exist.
const run = corpusAvailable() || !!process.env.WEBMCP_CORPUS;
if (!run) console.warn(`corpus acceptance skipped: no corpus at ${corpusDir()} (set WEBMCP_CORPUS)`);

describe.skipIf(!run)('corpus acceptance (correctness)', () => {
  let result: CorpusEvaluation;
  let checks: ReturnType<typeof acceptanceChecks>;

  beforeAll(async () => {
    const core = await loadWebmcp();
    const corpus = await loadCorpus();
    result = await evaluateCorpus(corpus, { processor: new core.WebMCPProcessor(), format: core.formatForModel });
    checks = acceptanceChecks(result.metrics);
    if (process.env.WEBMCP_REPORT) {
      const all = process.env.WEBMCP_REPORT === 'all';
      console.log([formatMetrics(result.metrics), ...result.pages.map((p) => formatPageReport(p, { all })).filter(Boolean)].join('\n'));
    }
  }, 120_000);

  const check = (metric: string) => () => {
    const c = checks.find((x) => x.metric === metric)!;
    expect(c.ok, `${metric} = ${c.value} (want ${c.want})\n${formatMetrics(result.metrics)}\n${formatIssues(result.pages)}`).toBe(true);
  };

  it('never throws and returns well-formed documents (robustness)', check('robustness'));
  it('represents >= 98% of the labelled Formasaurus fields', check('recall_formasaurus'));
  it('represents >= 95% of the ARIA widgets', check('recall_aria'));
  it('gives every password field the role input.password', check('password_role_accuracy'));
  it('gives every output element a selector matching exactly one element', check('selector_uniqueness'));
  it('gives every output element a unique non-empty name', check('name_uniqueness'));
  it('reduces tokens at the median at least as much as 0.90 and the reference (published)', check('token_reduction_median'));
  it('reduces tokens in aggregate at least as much as the reference (published)', check('token_reduction_aggregate'));
});
