/**
 * Per-page evaluation of our core on the corpus, for whoever tunes it:
 *   npm run build:bench && node dist-bench/test/corpus/report.js [--sub aria] [--page NAME] [--all] [--json]
 * Prints the README metrics, the acceptance checks, then every page's missed targets and bad elements.
 * Exit code 1 when an acceptance check fails on the whole corpus (no filter).
 */
import { parseArgs } from 'node:util';
import { SUB_CORPORA, loadCorpus, loadWebmcp, type SubCorpus } from '../../bench/corpus.js';
import { acceptanceChecks, evaluateCorpus, formatMetrics, formatPageReport } from './evaluate.js';

const USAGE = 'usage: node dist-bench/test/corpus/report.js [--sub formasaurus|aria|articles] [--page SUBSTRING] [--all] [--json]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' }, page: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (values.sub !== undefined && !(SUB_CORPORA as readonly string[]).includes(values.sub)) {
    process.stderr.write(`unknown --sub ${values.sub}\n${USAGE}\n`);
    return 2;
  }
  const sub = values.sub as SubCorpus | undefined;
  const pageFilter = values.page;
  const core = await loadWebmcp();
  const corpus = await loadCorpus();
  const filtered = sub !== undefined || pageFilter !== undefined;
  const { metrics, pages } = await evaluateCorpus(corpus, {
    processor: new core.WebMCPProcessor(),
    format: core.formatForModel,
    filter: (p) => (sub === undefined || p.sub === sub) && (pageFilter === undefined || p.file.includes(pageFilter)),
  });
  const checks = acceptanceChecks(metrics);
  if (values.json) {
    process.stdout.write(JSON.stringify({ metrics, checks, pages }, null, 2) + '\n');
  } else {
    const reports = pages.map((p) => formatPageReport(p, { all: values.all ?? false })).filter(Boolean);
    process.stdout.write([...reports, '', formatMetrics(metrics), '', ...checks.map((c) =>
      `${c.ok ? 'ok  ' : 'FAIL'} ${c.metric.padEnd(26)} ${Number(c.value.toFixed(4))} (want ${c.want})`)].join('\n') + '\n');
    if (filtered) process.stdout.write('(filtered: the checks cover the selected pages only)\n');
  }
  return !filtered && checks.some((c) => !c.ok) ? 1 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`report: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
