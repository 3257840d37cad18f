import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The shared analysis thread only exists in the compiled package (dist/), so this suite drives
 * dist/ directly: `process()` there runs on the worker, `processSync()` in-thread.
 */
const DIST = new URL('../../dist/', import.meta.url);
const PAGES = new URL('../fixtures/pages/', import.meta.url);
type Core = typeof import('../../src/index.js');
type Thread = typeof import('../../src/core/analysis-thread.js');
const load = async (): Promise<{ core: Core; thread: Thread }> => ({
  core: (await import(new URL('index.js', DIST).href)) as Core,
  thread: (await import(new URL('core/analysis-thread.js', DIST).href)) as Thread,
});

describe('the analysis thread (compiled package)', () => {
  it('gives exactly the documents in-thread analysis gives', async () => {
    const { core } = await load();
    const p = new core.WebMCPProcessor({ cache: false, now: () => 0 });
    for (const file of readdirSync(PAGES)) {
      const html = readFileSync(new URL(file, PAGES), 'utf8');
      const threaded = await p.process(html, { url: `https://site.test/${file}` });
      const local = p.processSync(html, { url: `https://site.test/${file}` });
      expect(JSON.stringify(threaded)).toBe(JSON.stringify(local));
      expect(Object.isFrozen(threaded.elements[0])).toBe(true);
      expect(threaded.metadata.tokens.html).toBeGreaterThan(0);
    }
  });

  it('hands back the core typed errors with their code and path', async () => {
    const { core } = await load();
    const p = new core.WebMCPProcessor();
    const bad = '<script type="application/webmcp+json">{"version":"0.2","elements":[{"selector":"a","role":"nope","name":"A"}]}</script>';
    const err = await p.process(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(core.WebMCPDeclarationError);
    expect(err).toMatchObject({ code: 'ERR_DECLARATION', path: '/elements/0/role' });
    await expect(p.process('<div>'.repeat(20_000))).rejects.toBeInstanceOf(core.WebMCPInputError);
  });

  it('answers in-thread when the thread dies under a request', async () => {
    const { core, thread } = await load();
    const p = new core.WebMCPProcessor({ cache: false });
    const html = readFileSync(new URL('signup.html', PAGES), 'utf8');
    const pending = p.process(html);
    await thread.stopAnalysisThread();
    expect((await pending).elements.length).toBe(p.processSync(html).elements.length);
    // A new thread starts for the next request.
    expect((await p.process(html)).elements.length).toBeGreaterThan(0);
  });

  it('never keeps a process alive on its own', () => {
    const script = `import(${JSON.stringify(new URL('index.js', DIST).href)}).then(async (m) => {
      const doc = await new m.WebMCPProcessor().process('<button>Go</button>');
      console.log(doc.elements.length);
    });`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('1');
  });
});

// Keep the path helper honest: the suite above only means something when dist/ has the worker.
it('dist/ contains the compiled analysis worker', () => {
  expect(readdirSync(fileURLToPath(new URL('core/', DIST)))).toContain('analysis-worker.js');
});
