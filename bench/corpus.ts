/**
 * Loads the development corpus (../shared/corpus from the repo root, or $WEBMCP_CORPUS):
 * the manifest, every page as a UTF-8 string, and the Formasaurus labels.
 * Shared by the benchmarks and by test/corpus.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type SubCorpus = 'formasaurus' | 'aria' | 'articles';
export const SUB_CORPORA: readonly SubCorpus[] = ['formasaurus', 'aria', 'articles'];

/** One labelled field of a Formasaurus form, as in labels.json. */
export interface FieldLabel {
  name: string;
  fieldType: string;
  derived: { tag: string; htmlType: string | null; elementCount: number; inlineHidden: boolean };
}

export interface FormLabel {
  formIndex: number;
  formType: string;
  fields: FieldLabel[];
}

export interface CorpusPage {
  sub: SubCorpus;
  /** Path relative to the corpus folder, e.g. `aria/button.html`. */
  file: string;
  /** The URL to pass as `process(html, { url })`. */
  url: string;
  /** UTF-8 byte length of `html`. */
  bytes: number;
  html: string;
  /** Formasaurus pages only. */
  forms?: FormLabel[];
}

export interface Corpus {
  dir: string;
  pages: CorpusPage[];
  /** Sum of `bytes` over all pages. */
  bytes: number;
}

interface ManifestEntry {
  sub: string;
  file: string;
  url: string;
  bytes: number;
  sha256: string;
}

interface LabelsFile {
  pages: Array<{ file: string; forms: FormLabel[] }>;
}

/**
 * The repository root: the nearest folder above this module with the `webmcp` package.json and a
 * tsconfig.json (compiled output such as dist-bench/ carries a copy of package.json, never the tsconfig).
 */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && existsSync(join(dir, 'tsconfig.json'))) {
      const { name } = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string };
      if (name === 'webmcp') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no webmcp package.json above ${from}`);
    dir = parent;
  }
}

/** Where the corpus lives: $WEBMCP_CORPUS when set, else ../shared/corpus next to the repo root. */
export function corpusDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.WEBMCP_CORPUS;
  if (override && override.trim() !== '') return resolve(override);
  return resolve(repoRoot(), '..', 'shared', 'corpus');
}

/** True when a corpus manifest exists at `dir`. */
export function corpusAvailable(dir: string = corpusDir()): boolean {
  return existsSync(join(dir, 'manifest.json'));
}

function isSub(value: string): value is SubCorpus {
  return (SUB_CORPORA as readonly string[]).includes(value);
}

/**
 * Reads every page of the corpus. Each page is checked against the manifest's size and sha256,
 * so a figure is never computed on a page that silently changed.
 */
export async function loadCorpus(dir: string = corpusDir()): Promise<Corpus> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { pages: ManifestEntry[] };
  const labelsPath = join(dir, 'formasaurus', 'labels.json');
  const labels = existsSync(labelsPath)
    ? (JSON.parse(await readFile(labelsPath, 'utf8')) as LabelsFile)
    : { pages: [] };
  const formsByFile = new Map(labels.pages.map((p) => [`formasaurus/${p.file}`, p.forms]));

  const pages = await Promise.all(
    manifest.pages.map(async (entry): Promise<CorpusPage> => {
      if (!isSub(entry.sub)) throw new Error(`manifest: unknown sub-corpus "${entry.sub}" for ${entry.file}`);
      const raw = await readFile(join(dir, entry.file));
      if (raw.length !== entry.bytes) throw new Error(`${entry.file}: ${raw.length} bytes, manifest says ${entry.bytes}`);
      const sha = createHash('sha256').update(raw).digest('hex');
      if (sha !== entry.sha256) throw new Error(`${entry.file}: sha256 differs from the manifest`);
      const page: CorpusPage = { sub: entry.sub, file: entry.file, url: entry.url, bytes: entry.bytes, html: raw.toString('utf8') };
      const forms = formsByFile.get(entry.file);
      if (entry.sub === 'formasaurus') {
        if (!forms) throw new Error(`${entry.file}: no labels in formasaurus/labels.json`);
        page.forms = forms;
      }
      return page;
    }),
  );
  return { dir, pages, bytes: pages.reduce((n, p) => n + p.bytes, 0) };
}

/** The part of the `webmcp` core API the harness uses (spec section 2). */
export interface WebmcpCore {
  WebMCPProcessor: new (options?: Record<string, unknown>) => {
    process(html: string, options: { url: string; goal?: string }): Promise<unknown>;
  };
  formatForModel: (doc: never, options?: { goal?: string }) => string;
}

/**
 * Loads our core from the sources (compiled alongside the bench into dist-bench/src).
 * Dynamic, so the harness builds and reports clearly while the core is still being written.
 */
export async function loadWebmcp(): Promise<WebmcpCore> {
  const mod = (await import('../src/index.js')) as Record<string, unknown>;
  if (typeof mod.WebMCPProcessor !== 'function' || typeof mod.formatForModel !== 'function') {
    throw new Error('src/index.ts does not export WebMCPProcessor and formatForModel (yet)');
  }
  return mod as unknown as WebmcpCore;
}
