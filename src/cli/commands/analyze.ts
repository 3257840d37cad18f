import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { WebMCPProcessor } from '../../core/processor.js';
import { viewSince } from '../../core/diff.js';
import { formatForModel } from '../../core/format.js';
import { pageIdOf, toMcpTools } from '../../core/tools.js';
import { toDeclarationScript } from '../../core/declaration-script.js';
import type { OptimizationLevel, WebMCPDocument } from '../../core/types.js';
import { UsageError, type CliCommand, type CliIO } from '../command.js';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, isUrl, readInput, type PageInput } from '../inputs.js';
import { createProgress } from '../progress.js';

const FORMATS = ['json', 'compact', 'mcp', 'script'] as const;
type Format = (typeof FORMATS)[number];
const LEVELS = ['basic', 'standard', 'aggressive'] as const;

const usage = `usage: webmcp analyze <file|url|->... [options]

Describes each page as a WebMCP document: every interactive element with a unique selector,
role, label, validation and security needs. "-" reads the page from standard input.

options:
  --format F        compact (default: the text a model is given), json (the document),
                    mcp (MCP tool list), script (a <script type="application/webmcp+json"> block)
  --json            same as --format json
  --level L         basic | standard | aggressive detail in the compact view (default standard)
  --goal TEXT       rank forms and elements by relevance to a goal ("log in", "search for shoes")
  --max-tokens N    never exceed N o200k tokens in the compact view (N >= 50)
  --scope NAME      only one part: a form, element or group name, or a selector from the document
  --since FILE      show what changed since an earlier --json document (the full view when that is shorter)
  --url URL         the page's URL (for files and stdin: resolves relative links and form actions)
  --out DIR         write one file per page into DIR instead of printing
  --timeout MS      time limit for fetching a URL (default ${DEFAULT_TIMEOUT_MS})
  --max-bytes N     largest page accepted (default ${DEFAULT_MAX_BYTES})
  --render          load the page in headless Chromium first (pages built by scripts)
  --same-origin     with --render: block requests to other origins
  --debug           show stack traces
`;

interface Options {
  format: Format;
  level: OptimizationLevel;
  goal?: string;
  maxTokens?: number;
  scope?: string;
  since?: string;
  url?: string;
  out?: string;
  timeoutMs: number;
  maxBytes: number;
  render: boolean;
  sameOrigin: boolean;
  inputs: string[];
}

function positiveInt(value: string | undefined, flag: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}`);
  return n;
}

export function parseAnalyzeArgs(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string' },
        json: { type: 'boolean' },
        level: { type: 'string' },
        goal: { type: 'string' },
        'max-tokens': { type: 'string' },
        scope: { type: 'string' },
        since: { type: 'string' },
        url: { type: 'string' },
        out: { type: 'string' },
        timeout: { type: 'string' },
        'max-bytes': { type: 'string' },
        render: { type: 'boolean' },
        'same-origin': { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message.split('\n')[0] : String(err));
  }
  const v = parsed.values;
  if (parsed.positionals.length === 0) throw new UsageError('analyze needs at least one file, URL or "-" (see webmcp analyze --help)');
  if (v.json && v.format && v.format !== 'json') throw new UsageError('--json conflicts with --format ' + v.format);
  const format = (v.json ? 'json' : (v.format ?? 'compact')) as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  const level = (v.level ?? 'standard') as OptimizationLevel;
  if (!LEVELS.includes(level)) throw new UsageError(`--level must be one of ${LEVELS.join(', ')}`);
  if (v.url !== undefined && !isUrl(v.url)) throw new UsageError('--url must be an http(s) URL');
  if (parsed.positionals.filter((p) => p === '-').length > 1) throw new UsageError('"-" (standard input) can be given once');
  if (v['same-origin'] && !v.render) throw new UsageError('--same-origin needs --render');
  if (v.since !== undefined && parsed.positionals.length !== 1) throw new UsageError('--since compares one page: give exactly one input');
  if (v.since !== undefined && (v.json || (v.format && v.format !== 'compact'))) throw new UsageError('--since prints a compact delta: it cannot be combined with --format/--json');
  return {
    format,
    level,
    goal: v.goal,
    maxTokens: positiveInt(v['max-tokens'], '--max-tokens', 50),
    scope: v.scope,
    since: v.since,
    url: v.url,
    out: v.out,
    timeoutMs: positiveInt(v.timeout, '--timeout') ?? DEFAULT_TIMEOUT_MS,
    maxBytes: positiveInt(v['max-bytes'], '--max-bytes') ?? DEFAULT_MAX_BYTES,
    render: v.render ?? false,
    sameOrigin: v['same-origin'] ?? false,
    inputs: parsed.positionals,
  };
}

function render(doc: WebMCPDocument, o: Options, source: string, before?: WebMCPDocument): string {
  const view = { goal: o.goal, level: o.level, maxTokens: o.maxTokens, scope: o.scope };
  if (before) return viewSince(before, doc, view).text + '\n';
  switch (o.format) {
    case 'json':
      return JSON.stringify(doc, null, 2) + '\n';
    case 'mcp':
      return JSON.stringify(toMcpTools(doc, { page: pageId(source, doc) }), null, 2) + '\n';
    case 'script':
      return toDeclarationScript(doc);
    case 'compact':
      return formatForModel(doc, view) + '\n';
  }
}

/** Tool names start with the page id: a file's base name, else what the document's URL suggests. */
function pageId(source: string, doc: WebMCPDocument): string {
  if (source === '-' || isUrl(source)) return pageIdOf(doc);
  return basename(source).replace(/\.[a-z0-9]+$/i, '') || pageIdOf(doc);
}

const EXTENSIONS: Record<Format, string> = { json: '.json', mcp: '.mcp.json', script: '.webmcp.html', compact: '.txt' };

/** A file name for one input's output, unique within the run. */
function outputName(source: string, used: Set<string>, format: Format): string {
  let base = source === '-' ? 'stdin' : isUrl(source) ? source.replace(/^https?:\/\//i, '').replace(/[^a-z0-9.-]+/gi, '_') : basename(source).replace(/\.[a-z0-9]+$/i, '');
  base = base.replace(/^\.+/, '').slice(0, 100) || 'page';
  let name = base + EXTENSIONS[format];
  for (let i = 2; used.has(name); i++) name = `${base}-${i}${EXTENSIONS[format]}`;
  used.add(name);
  return name;
}

type Analyse = (page: PageInput) => Promise<WebMCPDocument>;

async function makeAnalyser(o: Options, io: CliIO): Promise<{ analyse: Analyse; close(): Promise<void>; read: (source: string) => Promise<PageInput> }> {
  const readOptions = { cwd: io.cwd, stdin: io.stdin, maxBytes: o.maxBytes, timeoutMs: o.timeoutMs };
  const processor = new WebMCPProcessor({ level: o.level, cache: false });
  if (!o.render) {
    return {
      read: (source) => readInput(source, readOptions),
      analyse: (page) => processor.process(page.html, { url: o.url ?? (page.url.startsWith('http') ? page.url : undefined) }),
      close: async () => {},
    };
  }
  // The browser is optional: only `--render` loads it.
  const render = await import('../../render/index.js');
  const pool = render.createBrowserPool({ sameOrigin: o.sameOrigin, navigationTimeoutMs: o.timeoutMs });
  return {
    // URLs and files are loaded by the browser itself (files with their sibling resources); stdin is served as text.
    read: async (source) => (source === '-' ? readInput(source, readOptions) : { source, url: isUrl(source) ? source : '', html: '' }),
    analyse: (page) => {
      const target = isUrl(page.source) ? page.source : page.source === '-' ? { html: page.html, ...(o.url ? { url: o.url } : {}) } : { file: resolve(io.cwd, page.source) };
      return render.analyzeRendered(target, { pool, processor, level: o.level });
    },
    close: () => pool.close(),
  };
}

const command: CliCommand = {
  summary: 'describe pages as WebMCP documents (files, URLs or stdin)',
  usage,
  async run(argv, io) {
    const o = parseAnalyzeArgs(argv);
    const many = o.inputs.length > 1;
    const progress = many ? createProgress(io.stderr, o.inputs.length) : null;
    const outDir = o.out ? resolve(io.cwd, o.out) : null;
    if (outDir) await mkdir(outDir, { recursive: true });
    const used = new Set<string>();
    const before = o.since ? await readEarlierDocument(resolve(io.cwd, o.since)) : undefined;
    const analyser = await makeAnalyser(o, io);
    let failed = 0;
    const jsonDocs: unknown[] = [];
    try {
      for (const source of o.inputs) {
        if (io.stopSignal.aborted) break;
        try {
          const page = await analyser.read(source);
          const doc = await analyser.analyse(page);
          if (outDir) {
            await writeFile(resolve(outDir, outputName(source, used, o.format)), render(doc, o, source));
          } else if (many && (o.format === 'json' || o.format === 'mcp')) {
            jsonDocs.push(o.format === 'json' ? { source, document: doc } : { source, tools: toMcpTools(doc, { page: pageId(source, doc) }) });
          } else {
            if (many) io.stdout.write(`== ${source}\n`);
            io.stdout.write(render(doc, o, source, before));
          }
        } catch (err) {
          failed++;
          if (progress) io.stderr.write('\n');
          io.stderr.write(`webmcp: ${describeError(err)}\n`);
          if (io.debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
        }
        progress?.tick(source);
      }
    } finally {
      progress?.done();
      await analyser.close();
    }
    // Many JSON documents print as one JSON array, so the output stays machine-readable.
    if (jsonDocs.length) io.stdout.write(JSON.stringify(jsonDocs, null, 2) + '\n');
    return failed ? 1 : 0;
  },
};

/** The `--since` document: an earlier `webmcp analyze --json` output. */
async function readEarlierDocument(path: string): Promise<WebMCPDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--since: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new UsageError('--since: the file is not JSON (use the output of webmcp analyze --json)');
  }
  if (doc === null || typeof doc !== 'object' || !Array.isArray((doc as WebMCPDocument).elements)) {
    throw new UsageError('--since: the file is not a WebMCP document (use the output of webmcp analyze --json)');
  }
  return doc as WebMCPDocument;
}

function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s*[\r\n]+\s*/g, ' ').slice(0, 500);
}

export default command;
