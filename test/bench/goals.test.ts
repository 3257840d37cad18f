import { describe, expect, it } from 'vitest';
import { corpusAvailable, loadCorpus } from '../../bench/corpus.js';
import { GOAL_PHRASES, evaluateGoals, run } from '../../bench/goals.js';

// The bench runs the whole corpus; this checks its plumbing and judgement on a few small pages.
describe.skipIf(!corpusAvailable())('bench/goals', () => {
  const pick = ['www.citeab.com-1.html', 'account.oneplus.net-0.html', 'www.bsuir.by-2.html', 'ph.bsmarter.ph-0.html', 'www.housedo.com-3.html', 'onion-0.onion-0.html'];

  it('ranks each labelled form first for the goal of its type, within 300 tokens, all fields shown', async () => {
    const full = await loadCorpus();
    const pages = full.pages.filter((p) => pick.some((name) => p.file === `formasaurus/${name}`));
    expect(pages).toHaveLength(pick.length);
    const corpus = { ...full, pages, bytes: pages.reduce((n, p) => n + p.bytes, 0) };
    const { cases, purposes } = await evaluateGoals(corpus);
    // Captcha (C) and display options (V) have no goal phrase; everything else does.
    expect(cases.map((c) => `${c.file.slice(12)}#${c.formIndex} ${c.formType} ${c.goal}`).sort()).toEqual([
      `account.oneplus.net-0.html#0 r ${GOAL_PHRASES.r}`,
      `ph.bsmarter.ph-0.html#0 l ${GOAL_PHRASES.l}`,
      `www.bsuir.by-2.html#0 s ${GOAL_PHRASES.s}`,
      `www.bsuir.by-2.html#2 r ${GOAL_PHRASES.r}`,
      `www.citeab.com-1.html#0 s ${GOAL_PHRASES.s}`,
      `www.citeab.com-1.html#1 c ${GOAL_PHRASES.c}`,
      `www.housedo.com-3.html#0 p ${GOAL_PHRASES.p}`,
    ]);
    for (const c of cases) {
      expect(c.status, `${c.file} #${c.formIndex}`).toBe('correct');
      expect(c.fieldsKept).toBe(c.fields);
      expect(c.tokens).toBeGreaterThan(0);
      expect(c.tokens).toBeLessThanOrEqual(300);
      expect(c.tokens / c.htmlTokens).toBeLessThan(0.1);
    }
    expect(purposes.find((p) => p.file.endsWith('housedo.com-3.html'))?.purpose).toBe('password_recovery');

    const result = await run({ corpus });
    const metric = (name: string) => result.rows.find((r) => r.metric === name);
    expect(metric('top1_form_accuracy')).toMatchObject({ value: 1, ok: 'yes' });
    expect(metric('chosen_form_all_fields_kept')).toMatchObject({ value: 1, ok: 'yes' });
    expect(metric('max_view_tokens')?.ok).toBe('yes');
    expect(result.notes.join('\n')).toContain('7 labelled forms with a goal phrase');
  }, 60_000);
});
