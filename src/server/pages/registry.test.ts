import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebMCPConfigError } from '../../errors.js';
import type { WebMCPDocument } from '../../core/types.js';
import type { ResolvedPage } from '../config/resolve.js';
import { createLogger } from '../logger.js';
import { createPageRegistry, type PageAnalyzer } from './registry.js';

/** A stand-in analyser: one action element per `<button name=X>`; `<broken>` makes it throw. */
const analyzer: PageAnalyzer = {
  async process(html, { url }) {
    if (html.includes('<broken>')) throw new Error('cannot analyse');
    const names = [...html.matchAll(/<button name=(\w+)>/g)].map((m) => m[1]!);
    return {
      version: '0.2',
      context: { url },
      elements: names.map((name) => ({ name, role: 'action.submit', selector: `button[name=${name}]` })),
      forms: [],
      security: {},
      metadata: { generated_at: '', optimization_level: 'standard', tokens: { encoding: 'o200k_base', html: 0, document: 0 } },
    } as WebMCPDocument;
  },
};

function page(dir: string, id: string, actions: string[] = [], url: string | null = null): ResolvedPage {
  const acts = Object.fromEntries(actions.map((a) => [a, { upstream: 'http://127.0.0.1:9/', method: 'POST' as const, encoding: null, timeoutMs: 1000, acl: null }]));
  return { id, url, html: join(dir, `${id}.html`), acl: null, actions: acts, render: false, refreshIntervalMs: null };
}

const logger = createLogger('silent');

describe('page registry', () => {
  it('refuses at start a missing file or a configured action the page lacks, naming the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webmcp-pages-'));
    const missing = createPageRegistry({ a: page(dir, 'a') }, { analyzer, logger, watch: false });
    await expect(missing.start()).rejects.toMatchObject({ path: 'pages.a.html' });
    writeFileSync(join(dir, 'b.html'), '<button name=GO>');
    const wrong = createPageRegistry({ b: page(dir, 'b', ['STOP']) }, { analyzer, logger, watch: false });
    const error = await wrong.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebMCPConfigError);
    expect((error as WebMCPConfigError).path).toBe('pages.b.actions.STOP');
    expect((error as Error).message).toContain('actions: GO');
  });

  it('never puts the server file path in a document without url', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webmcp-pages-'));
    writeFileSync(join(dir, 'c.html'), '<button name=GO>');
    const registry = createPageRegistry({ c: page(dir, 'c', ['GO']) }, { analyzer, logger, watch: false });
    await registry.start();
    expect(registry.get('c')!.document!.context.url).toBe('https://page.invalid/c');
  });

  it('re-analyses when the file changes and keeps the last good document when analysis fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webmcp-pages-'));
    writeFileSync(join(dir, 'd.html'), '<button name=GO>');
    const registry = createPageRegistry({ d: page(dir, 'd', ['GO'], 'https://shop.example/d') }, { analyzer, logger, debounceMs: 20 });
    await registry.start();
    try {
      writeFileSync(join(dir, 'd.html'), '<button name=GO><button name=MORE>');
      await expect.poll(() => registry.get('d')!.document!.elements.length, { timeout: 3000 }).toBe(2);
      writeFileSync(join(dir, 'd.html'), '<broken>');
      await expect.poll(() => registry.get('d')!.error, { timeout: 3000 }).toBe('cannot analyse');
      expect(registry.get('d')!.document!.elements.map((e) => e.name)).toEqual(['GO', 'MORE']);
    } finally {
      registry.close();
    }
  });
});
