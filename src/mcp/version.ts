import { packageVersion } from '../package-info.js';

/** The package version, reported as the MCP server version. */
export const VERSION = packageVersion();
