// Bundles the in-browser script with esbuild (a devDependency, present whenever `build` runs):
//   dist/browser/auto.js        standalone file (no imports; classic or module script) that registers on load
//   dist/browser/webmcp.min.js  `webmcp/browser` as one minified ES module, for sites without a bundler
// tsc still emits dist/browser/index.js (+ .d.ts) for bundler users; auto.js is overwritten here.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds both files into `outdir`; returns their sizes in bytes. */
export async function bundleBrowser(outdir = join(root, 'dist/browser')) {
  const common = { bundle: true, minify: true, target: 'es2022', platform: 'browser', write: true, logLevel: 'silent', legalComments: 'none' };
  const auto = await build({ ...common, entryPoints: [join(root, 'src/browser/auto.ts')], format: 'iife', outfile: join(outdir, 'auto.js'), metafile: true });
  const esm = await build({ ...common, entryPoints: [join(root, 'src/browser/index.ts')], format: 'esm', outfile: join(outdir, 'webmcp.min.js'), metafile: true });
  const size = (m) => Object.values(m.outputs)[0].bytes;
  return { auto: size(auto.metafile), esm: size(esm.metafile) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sizes = await bundleBrowser(process.argv[2]);
  process.stdout.write(`webmcp/browser: auto.js ${sizes.auto} B, webmcp.min.js ${sizes.esm} B\n`);
}
