import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installed package's root: the nearest folder above this module whose package.json is
 * `webmcp` (dist/, a compiled benchmark tree, or node_modules/webmcp alike).
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'webmcp') return dir;
    if (dirname(dir) === dir) return null;
  }
}

let version: string | undefined;

/** The package version (read once). */
export function packageVersion(): string {
  if (version === undefined) {
    const root = packageRoot();
    version = root ? (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version : '0.0.0';
  }
  return version;
}
