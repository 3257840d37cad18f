import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What a user gets from npm: the packed tarball, installed into an empty folder, must import and
 * run. (`npm test` builds dist/ first; packing skips the build scripts so the test stays quick.)
 */
describe('the npm package', () => {
  let work: string;
  let app: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'webmcp-pack-'));
    await exec('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT });
    const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack produced no tarball');
    app = join(work, 'app');
    await exec('mkdir', ['-p', app]);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    // Native addons (better-sqlite3) are not needed for the core; skipping scripts keeps this offline-fast.
    await exec('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball)], { cwd: app, timeout: 240_000 });
    await writeFile(join(app, 'page.html'), '<form action="/login" method="post"><label>Email <input name="email" type="email" required></label><input type="password" name="pw"><button>Log in</button></form>');
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('imports WebMCPProcessor and formatForModel from "webmcp"', async () => {
    await writeFile(
      join(app, 'use.mjs'),
      `import { WebMCPProcessor, formatForModel } from 'webmcp';
       import { readFileSync } from 'node:fs';
       const doc = await new WebMCPProcessor().process(readFileSync('page.html', 'utf8'), { url: 'https://x.test/' });
       console.log(JSON.stringify({ n: doc.elements.length, view: formatForModel(doc) }));`,
    );
    const { stdout } = await exec(process.execPath, ['use.mjs'], { cwd: app });
    const out = JSON.parse(stdout);
    expect(out.n).toBe(3);
    expect(out.view).toContain('FORM LOGIN');
  });

  it('runs `npx webmcp analyze page.html --json`', async () => {
    const { stdout } = await exec('npx', ['--no-install', 'webmcp', 'analyze', 'page.html', '--json'], { cwd: app });
    const doc = JSON.parse(stdout);
    expect(doc.version).toBe('0.2');
    expect(doc.elements.map((e: { role: string }) => e.role)).toEqual(['input.email', 'input.password', 'action.submit']);
  });

  it('ships the declaration schema and the subpath entries', async () => {
    await writeFile(
      join(app, 'entries.mjs'),
      `import { createRequire } from 'node:module';
       const require = createRequire(import.meta.url);
       const schema = require('webmcp/schema/webmcp.schema.json');
       const security = await import('webmcp/security');
       console.log(JSON.stringify({ schema: schema.$schema, security: typeof security.createSecurity }));`,
    );
    const { stdout } = await exec(process.execPath, ['entries.mjs'], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ schema: 'https://json-schema.org/draft/2020-12/schema', security: 'function' });
  });
});
