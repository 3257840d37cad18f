import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * The SQLite driver for this Node.js: better-sqlite3 13 (Node-API) on Node >= 22, and 12 on Node 20.
 *
 * better-sqlite3 <= 12 derives its statements from `node::ObjectWrap`; built against Node 24.19+
 * headers, their destructor aborts the process when a garbage collection outside JavaScript
 * finalises one (`RemoveEnvironmentCleanupHook: (env) != nullptr`, nodejs/node#65446). Version 13
 * uses Node-API and is unaffected, but it needs Node 22 and crashes on 20. Both are dependencies
 * (13 under the alias `better-sqlite3-napi`) with the same API; this picks the one that is safe here.
 */
const require = createRequire(import.meta.url);
const major = Number(process.versions.node.split('.')[0]);

const Database: typeof BetterSqlite3 = major >= 22 ? require('better-sqlite3-napi') : require('better-sqlite3');
export default Database;
