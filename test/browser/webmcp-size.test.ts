// `webmcp/browser` must stay small enough to include on any page: < 10 KB minified, both as the
// ES module and as the standalone auto-registering file (measured on the real esbuild bundle).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { bundleBrowserScripts } from './webmcp-chromium.js';

const LIMIT = 10 * 1024;
let dir: string;

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('bundles under 10 KB minified, with no imports left', async () => {
  dir = await mkdtemp(join(tmpdir(), 'webmcp-size-'));
  const sizes = await bundleBrowserScripts(dir);
  const esm = await readFile(join(dir, 'webmcp.min.js'));
  const auto = await readFile(join(dir, 'auto.js'));
  expect(esm.length).toBe(sizes.esm);
  expect(sizes.esm).toBeLessThan(LIMIT);
  expect(sizes.auto).toBeLessThan(LIMIT);
  // Zero dependencies: nothing for the browser to fetch besides the file itself.
  expect(esm.toString()).not.toMatch(/\bimport\s*[\w{*(]/);
  expect(auto.toString()).not.toMatch(/\bimport\s*[\w{*(]|\bexport\s*[{*]/);
  console.info(`webmcp/browser: ${sizes.esm} B minified (${gzipSync(esm).length} B gzip), auto ${sizes.auto} B`);
});
