import { relevance, goalTerms, type GoalTerms } from './goal.js';
import { countTokens } from './tokens.js';
import type { OptimizationLevel, WebMCPDocument, WebMCPElement, WebMCPForm } from './types.js';

/**
 * The compact text an LLM is given for a page: one short line per element, grouped by form,
 * goal-relevant parts first. Everything copied from the page is already cleaned (one line, no
 * control characters) and is written as a JSON string, so page text can never start a line or
 * pose as structure.
 */
export interface FormatOptions {
  /** Free text such as "log in" or "search for blue shoes": relevant forms and elements come first. */
  goal?: string;
  /** Detail level; defaults to the document's `metadata.optimization_level`. */
  level?: OptimizationLevel;
  /** Hard budget in o200k_base tokens for the whole text (>= 50). */
  maxTokens?: number;
}

/** Priority classes: lower survives a budget longer. */
const enum Priority {
  Goal = 0,
  Header = 1,
  Required = 2,
  FormField = 3,
  Control = 4,
  Navigation = 5,
}

interface Line {
  text: string;
  priority: Priority;
  /** Relevance to the goal (higher first within a priority). */
  score: number;
  /** Position in the full output, so kept lines stay in reading order. */
  order: number;
  /** Section this line belongs to, named in the "left out" summary. */
  section: string;
  /** Lines that only make sense with this one (a form header) are dropped with it. */
  header?: boolean;
}

interface LevelRules {
  /** Lines of free-standing controls shown before the rest are summarised. */
  controls: number;
  links: number;
  options: number;
  constraints: 'all' | 'key' | 'none';
  labels: boolean;
}

const LEVELS: Record<OptimizationLevel, LevelRules> = {
  basic: { controls: Infinity, links: Infinity, options: 50, constraints: 'all', labels: true },
  standard: { controls: 25, links: 12, options: 8, constraints: 'key', labels: true },
  aggressive: { controls: 10, links: 5, options: 5, constraints: 'none', labels: false },
};

const SHORT_ROLE: Record<string, string> = {
  'action.submit': 'submit',
  'action.navigate': 'link',
  'navigation.link': 'link',
  'input.textarea': 'textarea',
  'input.select': 'select',
};

function shortRole(role: string): string {
  return SHORT_ROLE[role] ?? (role.startsWith('input.') ? role.slice(6) : role.replace(/^(action|navigation)\./, ''));
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** Whether the label says more than the name already does. */
function labelAddsInformation(name: string, label: string): boolean {
  const a = name.replace(/_/g, '').toLowerCase();
  const b = label.replace(/[^\p{L}\p{N}]/gu, '').toLowerCase();
  return b.length > 0 && a !== b && !(b.length <= a.length && a.startsWith(b));
}

function elementLine(e: WebMCPElement, rules: LevelRules, groupsShown: Set<string>): string | null {
  // A radio group is one choice for an agent: show it once, by group name, with its options.
  if (e.group && e.role === 'input.radio') {
    if (groupsShown.has(e.group)) return null;
    groupsShown.add(e.group);
  }
  const name = e.group && e.role === 'input.radio' ? e.group : e.name;
  let line = `${name} ${shortRole(e.role)}`;
  if (e.required) line += '*';
  if (e.security?.encryption === 'required') line += ' secret';
  if (e.disabled) line += ' disabled';
  if (e.checked && e.role !== 'input.radio') line += ' checked';
  const label = e.group && e.role === 'input.radio' ? '' : e.label;
  if (label && (rules.labels || !/^[A-Z0-9_]+$/.test(name) || e.role.startsWith('action.')) && labelAddsInformation(name, label)) line += ' ' + quote(label);
  const v = e.validation;
  if (v && rules.constraints !== 'none') {
    const parts: string[] = [];
    if (v.options && v.options.length) {
      const shown = v.options.slice(0, rules.options).map((o) => o.value);
      const more = v.options.length - shown.length;
      parts.push(`[${shown.map(quote).join('|')}${more > 0 ? `|…+${more}` : ''}]`);
    }
    if (v.format && e.role !== 'input.email' && e.role !== 'input.url' && e.role !== 'input.date') parts.push(v.format);
    if (v.minLength !== undefined) parts.push(`min ${v.minLength}`);
    if (v.maxLength !== undefined && (rules.constraints === 'all' || v.maxLength < 1000)) parts.push(`max ${v.maxLength}`);
    if (v.min !== undefined) parts.push(`>=${v.min}`);
    if (v.max !== undefined) parts.push(`<=${v.max}`);
    if (rules.constraints === 'all') {
      if (v.pattern) parts.push(`pattern ${quote(v.pattern)}`);
      if (v.step !== undefined) parts.push(`step ${v.step}`);
      if (v.autocomplete) parts.push(`autocomplete ${v.autocomplete}`);
      if (v.accept) parts.push(`accept ${quote(v.accept)}`);
    }
    if (parts.length) line += ' ' + parts.join(' ');
  }
  if (rules.constraints === 'all' && e.url && e.role.startsWith('action.')) line += ' ' + e.url;
  return line;
}

function formHeader(f: WebMCPForm, rules: LevelRules): string {
  let line = `FORM ${f.name}`;
  if (f.purpose !== 'other' && f.name.toLowerCase() !== f.purpose) line += ` (${f.purpose.replace('_', ' ')})`;
  if (f.method === 'POST') line += ' POST';
  if (f.label && rules.labels && labelAddsInformation(f.name, f.label)) line += ' ' + quote(f.label);
  if (rules.constraints === 'all' && f.url) line += ' ' + f.url;
  return line;
}

/** Renders `doc` for a model. Deterministic: the same document and options give the same text. */
export function formatForModel(doc: WebMCPDocument, options: FormatOptions = {}): string {
  const level = options.level ?? doc.metadata?.optimization_level ?? 'standard';
  const rules = LEVELS[level] ?? LEVELS.standard;
  const goal = options.goal ? goalTerms(options.goal) : null;
  const lines = buildLines(doc, rules, goal);
  const maxTokens = options.maxTokens;
  if (maxTokens === undefined) return render(lines, []);
  if (!Number.isFinite(maxTokens) || maxTokens < 50) throw new TypeError('maxTokens must be a number >= 50');
  return fitBudget(lines, maxTokens);
}

function buildLines(doc: WebMCPDocument, rules: LevelRules, goal: GoalTerms | null): Line[] {
  const out: Line[] = [];
  let order = 0;
  const push = (text: string, priority: Priority, section: string, score = 0, header = false): void => {
    out.push({ text, priority, score, order: order++, section, header });
  };
  const ctx = doc.context ?? {};
  let head = 'PAGE';
  if (ctx.title) head += ' ' + quote(ctx.title);
  if (ctx.url) head += ' ' + ctx.url;
  if (ctx.purpose) head += ` purpose ${ctx.purpose.replace('_', ' ')}`;
  push(head, Priority.Goal, 'page', Infinity, true);

  const byName = new Map(doc.elements.map((e) => [e.name, e]));
  const forms = [...(doc.forms ?? [])];
  const formScore = new Map<string, number>();
  if (goal) {
    for (const f of forms) formScore.set(f.name, relevance(goal, f, f.elements.map((n) => byName.get(n)).filter((e): e is WebMCPElement => !!e)));
    forms.sort((a, b) => (formScore.get(b.name) ?? 0) - (formScore.get(a.name) ?? 0));
  }
  const topForm = goal && forms.length && (formScore.get(forms[0].name) ?? 0) > 0 ? forms[0].name : undefined;
  const groupsShown = new Set<string>();
  const inForm = new Set<string>();
  for (const f of forms) {
    const section = `form ${f.name}`;
    const isTop = f.name === topForm;
    const fScore = formScore.get(f.name) ?? 0;
    push(formHeader(f, rules), isTop ? Priority.Goal : Priority.Header, section, fScore, true);
    for (const n of f.elements) {
      inForm.add(n);
      const e = byName.get(n);
      if (!e) continue;
      const text = elementLine(e, rules, groupsShown);
      if (text === null) continue;
      const essential = e.required || e.role === 'action.submit';
      const priority = isTop ? Priority.Goal : essential ? Priority.Required : Priority.FormField;
      push('  ' + text, priority, section, fScore);
    }
  }

  // Free-standing controls, then links: ranked by goal relevance, capped per level, the rest summarised.
  const controls: WebMCPElement[] = [];
  const links: WebMCPElement[] = [];
  for (const e of doc.elements) {
    if (inForm.has(e.name)) continue;
    if (e.role === 'action.navigate' || e.role === 'navigation.link') links.push(e);
    else controls.push(e);
  }
  const section = (title: string, list: WebMCPElement[], cap: number, priority: Priority): void => {
    if (!list.length) return;
    const scored = list.map((e, i) => ({ e, i, s: goal ? relevance(goal, null, [e]) : 0 }));
    const shown = goal ? [...scored].sort((a, b) => b.s - a.s || a.i - b.i).slice(0, cap).sort((a, b) => a.i - b.i) : scored.slice(0, cap);
    const name = title.toLowerCase();
    push(`${title} ${list.length}${shown.length < list.length ? ` (${shown.length} shown)` : ''}`, priority, name, 0, true);
    for (const { e, s } of shown) {
      const text = elementLine(e, rules, groupsShown);
      if (text !== null) push('  ' + text, s > 0 ? Priority.Goal : priority, name, s);
    }
  };
  section('CONTROLS', controls, rules.controls, Priority.Control);
  section('LINKS', links, rules.links, Priority.Navigation);
  return out;
}

function render(lines: Line[], omitted: string[]): string {
  const text = lines.map((l) => l.text).join('\n');
  return omitted.length ? `${text}\n${omittedLine(omitted)}` : text;
}

function omittedLine(sections: string[]): string {
  return `OMITTED ${sections.join(', ')} (ask with scope=<name> or a larger budget)`;
}

/**
 * Keeps whole lines in priority order (then relevance, then reading order) until the budget is
 * reached, and says what was left out. The final text is counted as a whole, never estimated.
 */
function fitBudget(lines: Line[], maxTokens: number): string {
  const full = render(lines, []);
  if (countTokens(full) <= maxTokens) return full;
  const ranked = [...lines].sort((a, b) => a.priority - b.priority || b.score - a.score || a.order - b.order);
  const costs = ranked.map((l) => countTokens(l.text) + 1);
  let keep = ranked.length;
  // Estimate with per-line counts, then correct against the real count of the rendered text.
  let total = 0;
  for (let i = 0; i < ranked.length; i++) {
    total += costs[i];
    if (total > maxTokens) {
      keep = i;
      break;
    }
  }
  for (;;) {
    const keptSet = new Set(ranked.slice(0, keep));
    // A section's header stays whenever any of its lines does.
    const liveSections = new Set([...keptSet].map((l) => l.section));
    const visible = lines.filter((l) => keptSet.has(l) || (l.header && liveSections.has(l.section)));
    const visibleSet = new Set(visible);
    const omitted = [...new Set(lines.filter((l) => !visibleSet.has(l)).map((l) => l.section))];
    const text = render(visible, omitted);
    if (countTokens(text) <= maxTokens || keep === 0) {
      if (keep === 0 && countTokens(text) > maxTokens) return truncateToBudget(text, maxTokens);
      return text;
    }
    keep--;
  }
}

/** Last resort for a budget smaller than even the summary line: cut the text itself. */
function truncateToBudget(text: string, maxTokens: number): string {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (countTokens(text.slice(0, mid)) <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo).replace(/[\ud800-\udbff]$/, '');
}
