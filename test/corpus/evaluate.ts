/**
 * The corpus acceptance metrics of ../shared/corpus/README.md, computed for any processor,
 * plus per-page diagnostics (missed targets, bad output elements) for whoever tunes the core.
 *
 * Usage: `const result = await evaluateCorpus(corpus, { processor: new WebMCPProcessor(), format: formatForModel })`.
 */
import { selectAll } from 'css-select';
import type { AnyNode, Element } from 'domhandler';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { SUB_CORPORA, type Corpus, type CorpusPage, type SubCorpus } from '../../bench/corpus.js';
import { pageTruth, type FieldTarget, type PageTruth } from './ground-truth.js';

/** What the evaluation needs from a processor: the spec's `process(html, { url })`. */
export interface ProcessorLike {
  process(html: string, options: { url: string }): Promise<unknown> | unknown;
}

/** The model view: the spec's `formatForModel(doc)`. */
export type FormatLike = (doc: never) => unknown;

export interface EvaluateOptions {
  processor: ProcessorLike;
  format: FormatLike;
  /** Only evaluate pages for which this returns true (the metrics then cover those pages only). */
  filter?: (page: CorpusPage) => boolean;
}

/** o200k_base token count, exactly as the README prescribes. */
export function countTokens(text: string): number {
  return encode(text, { disallowedSpecial: new Set() }).length;
}

/** Outcome of evaluating one output element's selector against the page tree. */
export type SelectorOutcome =
  | { kind: 'hit'; element: Element }
  | { kind: 'empty' }
  | { kind: 'throws'; error: string }
  | { kind: 'none' }
  | { kind: 'many'; count: number; elements: Element[] };

/** An output element as the evaluation sees it (fields read defensively: the document is under test). */
export interface OutputElementView {
  index: number;
  name: string;
  role: string;
  selector: string;
  outcome: SelectorOutcome;
}

export interface MissedTarget {
  kind: 'formasaurus' | 'aria';
  /** Formasaurus: `form #N "name" (fieldType)`; ARIA: the element's role/tag. */
  what: string;
  /** A positional selector of the page element (the first candidate for a field). */
  path: string;
  /** The start tag as written in the tree (attributes truncated). */
  tag: string;
  /** Number of candidate elements (fields with several elements, e.g. radio groups). */
  candidates: number;
  /** Output elements whose selector matched this element together with others. */
  nearMisses: string[];
}

export interface WrongRole {
  metric: 'password' | 'email';
  what: string;
  expected: string;
  /** Roles of the output elements that do hit the field. */
  got: string[];
}

export interface BadElement {
  index: number;
  name: string;
  role: string;
  selector: string;
  problem: 'selector-empty' | 'selector-throws' | 'selector-matches-0' | 'selector-matches-many' | 'name-empty' | 'name-duplicate';
  detail: string;
}

export interface PageEvaluation {
  sub: SubCorpus;
  file: string;
  url: string;
  bytes: number;
  /** Set when process() or formatForModel() threw, or the document is malformed. */
  robustnessProblems: string[];
  elements: number;
  uniqueSelectors: number;
  uniqueNames: number;
  fields: { counted: number; represented: number; password: number; passwordOk: number; email: number; emailOk: number };
  aria: { targets: number; represented: number };
  tokens: { raw: number; out: number; reduction: number };
  processMs: number;
  missed: MissedTarget[];
  wrongRoles: WrongRole[];
  bad: BadElement[];
}

export interface TokenFigures {
  pages: number;
  median: number;
  aggregate: number;
  raw: number;
  out: number;
}

export interface CorpusMetrics {
  pages: number;
  outputElements: number;
  recall_formasaurus: number;
  recall_aria: number;
  password_role_accuracy: number;
  email_role_accuracy: number;
  selector_uniqueness: number;
  name_uniqueness: number;
  /** True when no page broke the robustness rule. */
  robustness: boolean;
  counts: {
    fields: number; represented: number; aria: number; ariaRepresented: number;
    password: number; passwordOk: number; email: number; emailOk: number;
    uniqueSelectors: number; uniqueNames: number; robustnessFailures: number;
  };
  tokens: { overall: TokenFigures } & Partial<Record<SubCorpus, TokenFigures>>;
}

export interface CorpusEvaluation {
  metrics: CorpusMetrics;
  pages: PageEvaluation[];
}

const TAG_TEXT_LIMIT = 200;

/** Evaluates one selector exactly as acceptance does: css-select `selectAll(selector, document)`. */
export function evaluateSelector(selector: unknown, truth: Pick<PageTruth, 'document'>): SelectorOutcome {
  if (typeof selector !== 'string' || selector === '') return { kind: 'empty' };
  let found: Element[];
  try {
    found = selectAll<AnyNode, Element>(selector, truth.document);
  } catch (err) {
    return { kind: 'throws', error: err instanceof Error ? err.message : String(err) };
  }
  if (found.length === 1) return { kind: 'hit', element: found[0] };
  if (found.length === 0) return { kind: 'none' };
  return { kind: 'many', count: found.length, elements: found };
}

/** A positional selector that names exactly this element (for humans reading a miss list). */
export function elementPath(el: Element): string {
  const parts: string[] = [];
  let node: Element | null = el;
  while (node) {
    const parent: unknown = node.parent;
    const isElementParent = !!parent && typeof parent === 'object' && 'attribs' in parent;
    if (!isElementParent) {
      parts.unshift(node.name);
      break;
    }
    const siblings = (parent as Element).children.filter((c): c is Element => 'attribs' in c);
    parts.unshift(`${node.name}:nth-child(${siblings.indexOf(node) + 1})`);
    node = parent as Element;
  }
  return parts.join(' > ');
}

/** The element's start tag, attributes in source order, truncated. */
export function startTag(el: Element): string {
  const attrs = Object.entries(el.attribs).map(([k, v]) => (v === '' ? ` ${k}` : ` ${k}="${v.replace(/"/g, '&quot;')}"`));
  const text = `<${el.name}${attrs.join('')}>`;
  return text.length > TAG_TEXT_LIMIT ? text.slice(0, TAG_TEXT_LIMIT - 2) + '…>' : text;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.replace(/\s+/g, ' ').slice(0, 300);
}

/** The document's robustness problems (README: version string, elements array, metadata object). */
function documentProblems(doc: unknown): string[] {
  if (!isObject(doc)) return ['process() did not resolve to an object'];
  const problems: string[] = [];
  if (typeof doc.version !== 'string') problems.push('version is not a string');
  if (!Array.isArray(doc.elements)) problems.push('elements is not an array');
  if (typeof doc.metadata !== 'object' || doc.metadata === null) problems.push('metadata is not an object');
  return problems;
}

function fieldLabel(f: FieldTarget): string {
  return `form #${f.formIndex} ${JSON.stringify(f.name)} (${f.fieldType})`;
}

/**
 * Scores one page's document against its ground truth. `doc` may be anything: whatever is
 * malformed is reported, never thrown.
 */
export function scorePage(
  page: CorpusPage,
  truth: PageTruth,
  doc: unknown,
  modelText: string | null,
  rawTokens: number,
  problems: string[],
  processMs: number,
): PageEvaluation {
  const rawElements = isObject(doc) && Array.isArray(doc.elements) ? (doc.elements as unknown[]) : [];
  const views: OutputElementView[] = rawElements.map((e, index) => {
    const o = isObject(e) ? e : {};
    return { index, name: str(o.name), role: str(o.role), selector: str(o.selector), outcome: evaluateSelector(o.selector, truth) };
  });

  const hitsByElement = new Map<Element, OutputElementView[]>();
  const nearByElement = new Map<Element, OutputElementView[]>();
  const bad: BadElement[] = [];
  const nameCount = new Map<string, number[]>();
  for (const v of views) {
    if (v.name !== '') nameCount.set(v.name, [...(nameCount.get(v.name) ?? []), v.index]);
    const base = { index: v.index, name: v.name, role: v.role, selector: v.selector };
    switch (v.outcome.kind) {
      case 'hit':
        hitsByElement.set(v.outcome.element, [...(hitsByElement.get(v.outcome.element) ?? []), v]);
        break;
      case 'empty':
        bad.push({ ...base, problem: 'selector-empty', detail: 'selector is not a non-empty string' });
        break;
      case 'throws':
        bad.push({ ...base, problem: 'selector-throws', detail: v.outcome.error });
        break;
      case 'none':
        bad.push({ ...base, problem: 'selector-matches-0', detail: 'matches nothing' });
        break;
      case 'many':
        bad.push({
          ...base,
          problem: 'selector-matches-many',
          detail: `matches ${v.outcome.count}: ${v.outcome.elements.slice(0, 3).map(elementPath).join(' | ')}`,
        });
        for (const el of v.outcome.elements) nearByElement.set(el, [...(nearByElement.get(el) ?? []), v]);
        break;
    }
  }
  let uniqueNames = 0;
  for (const v of views) {
    const base = { index: v.index, name: v.name, role: v.role, selector: v.selector };
    if (v.name === '') {
      bad.push({ ...base, problem: 'name-empty', detail: 'name is not a non-empty string' });
      continue;
    }
    const same = nameCount.get(v.name)!;
    if (same.length === 1) uniqueNames++;
    else bad.push({ ...base, problem: 'name-duplicate', detail: `same name at #${same.filter((i) => i !== v.index).join(', #')}` });
  }
  bad.sort((a, b) => a.index - b.index);

  const missed: MissedTarget[] = [];
  const wrongRoles: WrongRole[] = [];
  const near = (els: Element[]): string[] => {
    const out = new Set<string>();
    for (const el of els) for (const v of nearByElement.get(el) ?? []) out.add(`#${v.index} ${v.name} ${JSON.stringify(v.selector)}`);
    return [...out];
  };

  const fields = { counted: 0, represented: 0, password: 0, passwordOk: 0, email: 0, emailOk: 0 };
  for (const f of truth.fields) {
    if (f.inlineHidden) continue;
    fields.counted++;
    const hitting = f.candidates.flatMap((el) => hitsByElement.get(el) ?? []);
    if (hitting.length > 0) fields.represented++;
    else {
      const first = f.candidates[0];
      missed.push({
        kind: 'formasaurus', what: fieldLabel(f), path: elementPath(first), tag: startTag(first),
        candidates: f.candidates.length, nearMisses: near(f.candidates),
      });
    }
    const roles = hitting.map((v) => v.role);
    if (f.fieldType === 'p1' || f.fieldType === 'p2') {
      fields.password++;
      if (roles.includes('input.password')) fields.passwordOk++;
      else if (hitting.length > 0) wrongRoles.push({ metric: 'password', what: fieldLabel(f), expected: 'input.password', got: roles });
    }
    if (f.fieldType === 'e1' || f.fieldType === 'e2') {
      fields.email++;
      const wantEmail = f.htmlType === 'email';
      if (wantEmail ? roles.includes('input.email') : roles.some((r) => r.startsWith('input.'))) fields.emailOk++;
      else if (hitting.length > 0) wrongRoles.push({ metric: 'email', what: fieldLabel(f), expected: wantEmail ? 'input.email' : 'input.*', got: roles });
    }
  }

  const aria = { targets: truth.aria.length, represented: 0 };
  for (const el of truth.aria) {
    if (hitsByElement.has(el)) aria.represented++;
    else {
      const role = el.attribs.role;
      missed.push({
        kind: 'aria', what: role ? `role=${role}` : el.name, path: elementPath(el), tag: startTag(el),
        candidates: 1, nearMisses: near([el]),
      });
    }
  }

  // A page that throws (or whose model text is not a string) counts as reduction 0: out = raw.
  const out = modelText === null ? rawTokens : countTokens(modelText);
  return {
    sub: page.sub, file: page.file, url: page.url, bytes: page.bytes,
    robustnessProblems: problems,
    elements: views.length,
    uniqueSelectors: views.filter((v) => v.outcome.kind === 'hit').length,
    uniqueNames,
    fields,
    aria,
    tokens: { raw: rawTokens, out, reduction: modelText === null || rawTokens === 0 ? 0 : 1 - out / rawTokens },
    processMs,
    missed,
    wrongRoles,
    bad,
  };
}

/** Runs the processor on one page and scores it (never throws for a processor fault). */
export async function evaluatePage(page: CorpusPage, options: Omit<EvaluateOptions, 'filter'>, truth = pageTruth(page)): Promise<PageEvaluation> {
  const rawTokens = countTokens(page.html);
  const problems: string[] = [];
  let doc: unknown = null;
  let modelText: string | null = null;
  const started = performance.now();
  try {
    doc = await options.processor.process(page.html, { url: page.url });
  } catch (err) {
    problems.push(`process() threw ${errorText(err)}`);
  }
  const processMs = performance.now() - started;
  if (problems.length === 0) {
    problems.push(...documentProblems(doc));
    try {
      const text = options.format(doc as never);
      if (typeof text === 'string') modelText = text;
      else problems.push(`formatForModel returned ${typeof text}`);
    } catch (err) {
      problems.push(`formatForModel threw ${errorText(err)}`);
    }
  }
  return scorePage(page, truth, doc, modelText, rawTokens, problems, processMs);
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median and aggregate token reduction of a set of pages: `{ raw, out }` per page, `out = raw` for a page that threw. */
export function tokenFigures(pages: Array<{ raw: number; out: number }>): TokenFigures {
  const raw = pages.reduce((n, p) => n + p.raw, 0);
  const out = pages.reduce((n, p) => n + p.out, 0);
  return {
    pages: pages.length,
    median: median(pages.map((p) => (p.raw === 0 ? 0 : 1 - p.out / p.raw))),
    aggregate: raw === 0 ? 0 : 1 - out / raw,
    raw,
    out,
  };
}

/** Token figures overall and per sub-corpus. */
export function tokenFiguresBySub(pages: Array<{ sub: SubCorpus; raw: number; out: number }>): CorpusMetrics['tokens'] {
  const result: CorpusMetrics['tokens'] = { overall: tokenFigures(pages) };
  for (const sub of SUB_CORPORA) {
    const of = pages.filter((p) => p.sub === sub);
    if (of.length > 0) result[sub] = tokenFigures(of);
  }
  return result;
}

function ratio(n: number, d: number): number {
  return d === 0 ? 1 : n / d;
}

/** Aggregates page evaluations into the README's metrics. */
export function summarize(pages: PageEvaluation[]): CorpusMetrics {
  const sum = (f: (p: PageEvaluation) => number): number => pages.reduce((n, p) => n + f(p), 0);
  const counts = {
    fields: sum((p) => p.fields.counted),
    represented: sum((p) => p.fields.represented),
    aria: sum((p) => p.aria.targets),
    ariaRepresented: sum((p) => p.aria.represented),
    password: sum((p) => p.fields.password),
    passwordOk: sum((p) => p.fields.passwordOk),
    email: sum((p) => p.fields.email),
    emailOk: sum((p) => p.fields.emailOk),
    uniqueSelectors: sum((p) => p.uniqueSelectors),
    uniqueNames: sum((p) => p.uniqueNames),
    robustnessFailures: pages.filter((p) => p.robustnessProblems.length > 0).length,
  };
  const outputElements = sum((p) => p.elements);
  return {
    pages: pages.length,
    outputElements,
    recall_formasaurus: ratio(counts.represented, counts.fields),
    recall_aria: ratio(counts.ariaRepresented, counts.aria),
    password_role_accuracy: ratio(counts.passwordOk, counts.password),
    email_role_accuracy: ratio(counts.emailOk, counts.email),
    selector_uniqueness: ratio(counts.uniqueSelectors, outputElements),
    name_uniqueness: ratio(counts.uniqueNames, outputElements),
    robustness: counts.robustnessFailures === 0,
    counts,
    tokens: tokenFiguresBySub(pages.map((p) => ({ sub: p.sub, raw: p.tokens.raw, out: p.tokens.out }))),
  };
}

/**
 * Evaluates a processor over a corpus, one page at a time with one processor instance
 * (as acceptance does). Each page is parsed once for its ground truth.
 */
export async function evaluateCorpus(corpus: Corpus, options: EvaluateOptions): Promise<CorpusEvaluation> {
  const pages: PageEvaluation[] = [];
  for (const page of corpus.pages) {
    if (options.filter && !options.filter(page)) continue;
    pages.push(await evaluatePage(page, options));
  }
  return { metrics: summarize(pages), pages };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** Human-readable diagnostics of one page; empty string when the page has nothing to report. */
export function formatPageReport(p: PageEvaluation, { all = false }: { all?: boolean } = {}): string {
  const issues = p.robustnessProblems.length + p.missed.length + p.wrongRoles.length + p.bad.length;
  if (issues === 0 && !all) return '';
  const head = [
    p.file,
    `elements ${p.elements}`,
    p.fields.counted > 0 ? `fields ${p.fields.represented}/${p.fields.counted}` : '',
    p.aria.targets > 0 ? `aria ${p.aria.represented}/${p.aria.targets}` : '',
    `tokens ${p.tokens.raw}->${p.tokens.out} (${pct(p.tokens.reduction)})`,
    `${p.processMs.toFixed(1)} ms`,
  ].filter(Boolean);
  const lines = [head.join('  ')];
  for (const problem of p.robustnessProblems) lines.push(`  ROBUST ${problem}`);
  for (const m of p.missed) {
    const extra = m.candidates > 1 ? ` (+${m.candidates - 1} more candidates)` : '';
    lines.push(`  MISS   ${m.kind} ${m.what}  ${m.tag}${extra}`);
    lines.push(`         at ${m.path}`);
    for (const n of m.nearMisses) lines.push(`         near-miss ${n}`);
  }
  for (const w of p.wrongRoles) lines.push(`  ROLE   ${w.metric} ${w.what}: want ${w.expected}, got ${w.got.join(', ')}`);
  for (const b of p.bad) lines.push(`  BAD    #${b.index} ${b.name || '(no name)'} ${b.role} ${JSON.stringify(b.selector)}: ${b.problem} ${b.detail}`);
  return lines.join('\n');
}

/** Human-readable metrics block. */
export function formatMetrics(m: CorpusMetrics): string {
  const c = m.counts;
  const lines = [
    `pages ${m.pages}, output elements ${m.outputElements}`,
    `recall_formasaurus      ${m.recall_formasaurus.toFixed(4)}  (${c.represented}/${c.fields})`,
    `recall_aria             ${m.recall_aria.toFixed(4)}  (${c.ariaRepresented}/${c.aria})`,
    `password_role_accuracy  ${m.password_role_accuracy.toFixed(4)}  (${c.passwordOk}/${c.password})`,
    `email_role_accuracy     ${m.email_role_accuracy.toFixed(4)}  (${c.emailOk}/${c.email})`,
    `selector_uniqueness     ${m.selector_uniqueness.toFixed(4)}  (${c.uniqueSelectors}/${m.outputElements})`,
    `name_uniqueness         ${m.name_uniqueness.toFixed(4)}  (${c.uniqueNames}/${m.outputElements})`,
    `robustness              ${m.robustness ? 'ok' : `FAILED on ${c.robustnessFailures} page(s)`}`,
  ];
  for (const [key, t] of Object.entries(m.tokens)) {
    if (t) lines.push(`tokens ${key.padEnd(12)}    median ${t.median.toFixed(4)}  aggregate ${t.aggregate.toFixed(4)}  (${t.out}/${t.raw} over ${t.pages} pages)`);
  }
  return lines.join('\n');
}

/** The reference's token reduction on the development corpus, as published in the corpus README. */
export const REFERENCE_PUBLISHED_TOKENS = { median: 0.927, aggregate: 0.933 } as const;

export interface AcceptanceCheck {
  metric: string;
  value: number;
  /** Human-readable requirement, e.g. `>= 0.98`. */
  want: string;
  ok: boolean;
}

/**
 * The README's correctness acceptance rules (throughput is the bench's job). Token figures are
 * compared with `reference` (measured in the same run by the bench, or the published figures).
 */
export function acceptanceChecks(
  m: CorpusMetrics,
  reference: { median: number; aggregate: number } = REFERENCE_PUBLISHED_TOKENS,
): AcceptanceCheck[] {
  const atLeast = (metric: string, value: number, min: number): AcceptanceCheck => ({ metric, value, want: `>= ${min}`, ok: value >= min });
  const exactly = (metric: string, value: number): AcceptanceCheck => ({ metric, value, want: '= 1', ok: value === 1 });
  const medianMin = Math.max(0.9, reference.median);
  return [
    atLeast('recall_formasaurus', m.recall_formasaurus, 0.98),
    atLeast('recall_aria', m.recall_aria, 0.95),
    exactly('password_role_accuracy', m.password_role_accuracy),
    exactly('selector_uniqueness', m.selector_uniqueness),
    exactly('name_uniqueness', m.name_uniqueness),
    { metric: 'robustness', value: m.counts.robustnessFailures, want: '0 failing pages', ok: m.robustness },
    atLeast('token_reduction_median', m.tokens.overall.median, Number(medianMin.toFixed(4))),
    atLeast('token_reduction_aggregate', m.tokens.overall.aggregate, Number(reference.aggregate.toFixed(4))),
  ];
}

/** Diagnostics of every page with something to report, at most `limit` lines (for assertion messages). */
export function formatIssues(pages: PageEvaluation[], limit = 60): string {
  const lines = pages.map((p) => formatPageReport(p)).filter(Boolean).join('\n').split('\n');
  return lines.length > limit ? [...lines.slice(0, limit), `… ${lines.length - limit} more lines`].join('\n') : lines.join('\n');
}
